"""Public pages: accepted projects, the presentation programme and the book of abstracts."""

from django.http import Http404
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.generic import TemplateView

from course.caching import CachedPublicPageMixin
from course.downloads import stored_file_response
from course.pages import OfferingPageMixin

from .. import book, selectors


class ProjectListView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
    """The public list of proposals, like the 2016 page's "Project proposals"."""

    template_name = "projects/project_list.html"
    section = "projects"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            groups=list(selectors.public_projects(self.get_offering())), **kwargs
        )


class ProjectDetailView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
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


class ProgrammeView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
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


class BookPageView(CachedPublicPageMixin, BookMixin, TemplateView):
    template_name = "projects/book_page.html"
    section = "projects"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        content = book.book_context(offering)
        edition, built = book.book_editions(offering, context=content)
        return super().get_context_data(
            **content,
            edition=edition,
            built=built,
            **kwargs,
        )


class BookPdfView(CachedPublicPageMixin, BookMixin, TemplateView):
    """The PDF of the current abstracts; while it is being rebuilt, the last built one; while
    there is none yet, a page that says so (202 Accepted: try again shortly).

    A book up to BOOK_KEPT_MAX_BYTES read from the filesystem is answered from memory, so
    that anonymous readers get it from the page cache like any public page (a new edition
    bumps the offering's version); from S3 it is a redirect to the bucket, never kept.
    """

    BOOK_KEPT_MAX_BYTES = 5 * 1024 * 1024

    template_name = "projects/book_building.html"
    section = "projects"

    def get(self, request, *args, **kwargs):
        offering = self.get_offering()
        edition, built = book.book_editions(offering)
        if built is None:
            # 202: asking started the build (projects.book.book_editions queued it).
            response = self.render_to_response(self.get_context_data(edition=edition), status=202)
            response["Retry-After"] = "30"
            return response
        # The edition's content hash is its ETag: a reader who has it gets 304.
        etag, modified = f'"{built.digest[:32]}"', built.built_at
        unchanged = get_conditional_response(
            request, etag=etag, last_modified=int(modified.timestamp()) if modified else None
        )
        if unchanged is not None:
            return unchanged
        response = stored_file_response(
            built.file,
            filename=f"book-of-abstracts-{offering.course.slug}-{offering.slug}.pdf",
            content_type="application/pdf",
            attachment=False,
            in_memory_up_to=self.BOOK_KEPT_MAX_BYTES,
        )
        response["ETag"] = etag
        if modified:
            response["Last-Modified"] = http_date(modified.timestamp())
        return response
