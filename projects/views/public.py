"""Public pages: accepted projects, the presentation programme and the book of abstracts."""

from django.http import Http404, HttpResponse
from django.views import View
from django.views.generic import TemplateView

from course.pages import OfferingPageMixin

from .. import book, selectors


class ProjectListView(OfferingPageMixin, TemplateView):
    """The public list of proposals, like the 2016 page's "Project proposals"."""

    template_name = "projects/project_list.html"
    section = "projects"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            groups=list(selectors.public_projects(self.get_offering())), **kwargs
        )


class ProjectDetailView(OfferingPageMixin, TemplateView):
    template_name = "projects/project_detail.html"
    section = "projects"

    def get_context_data(self, **kwargs):
        group = next(
            (
                g
                for g in selectors.public_projects(self.get_offering()).filter(
                    number=self.kwargs["number"]
                )
            ),
            None,
        )
        if group is None:
            raise Http404("No such project.")
        return super().get_context_data(group=group, **kwargs)


class ProgrammeView(OfferingPageMixin, TemplateView):
    """The public programme: per session, its slots in order with project and presenters."""

    template_name = "projects/programme.html"
    section = "presentations"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        staff = self.request.user.has_perm("course.see_offering_internals", offering)
        return super().get_context_data(
            sessions=selectors.programme(offering, include_unpublished=staff), **kwargs
        )


class BookMixin(OfferingPageMixin):
    def get_offering(self):
        offering = super().get_offering()
        if not offering.publish_book and not self.request.user.has_perm(
            "course.see_offering_internals", offering
        ):
            raise Http404("The book of abstracts is not published.")
        return offering


class BookPageView(BookMixin, TemplateView):
    template_name = "projects/book_page.html"
    section = "projects"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        return super().get_context_data(
            groups=book.book_projects(offering), year=offering.start_date.year, **kwargs
        )


class BookPdfView(BookMixin, View):
    def get(self, request, *args, **kwargs):
        offering = self.get_offering()
        response = HttpResponse(book.book_pdf(offering), content_type="application/pdf")
        filename = f"book-of-abstracts-{offering.course.slug}-{offering.slug}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
