"""Public course pages. Views resolve the offering through selectors and render templates."""

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from . import quizzes, selectors
from .caching import CachedPublicPageMixin
from .models import Offering, Quiz
from .pages import OfferingPageMixin, OfferingStaffMixin


class CatalogueView(CachedPublicPageMixin, TemplateView):
    """Every course with an offering to see, a page at a time, searchable."""

    template_name = "course/catalogue.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:100]
        courses = selectors.catalogue_courses(self.request.user, query=query)
        page = Paginator(courses, selectors.CATALOGUE_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            entries=selectors.catalogue_entries(list(page.object_list)),
            page=page,
            query=query,
            **kwargs,
        )


class OfferingHomeView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
    template_name = "course/offering_home.html"
    section = "home"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        registration_state, registration_when = offering.registration_state()
        return super().get_context_data(
            staff=list(offering.staff.order_by("order", "name")),
            announcements=list(selectors.published_announcements(offering)[:3]),
            other_offerings=[
                o
                for o in selectors.course_offerings(
                    user=self.request.user, course_slug=offering.course.slug
                )
                if o.pk != offering.pk
            ],
            registration_state=registration_state,
            registration_when=registration_when,
            **kwargs,
        )


class CourseDetailView(OfferingHomeView):
    """The course's address shows its latest offering, with links to the earlier ones."""

    def get_offering(self) -> Offering:
        if not hasattr(self, "_offering"):
            self._offering = selectors.course_offerings(
                user=self.request.user, course_slug=self.kwargs["course_slug"]
            )[0]
        return self._offering


class ModuleListView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
    """The outline; a logged-in student also sees their progress per module (sessions)."""

    template_name = "course/module_list.html"
    section = "modules"
    personal_page = "module_list"

    def get_context_data(self, **kwargs):
        modules = selectors.offering_modules_with_lectures(self.get_offering())
        return super().get_context_data(modules=list(modules), progress={}, **kwargs)


class ModuleDetailView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
    """A module with its lectures; a logged-in student also sees their ticks and quizzes."""

    template_name = "course/module_detail.html"
    section = "modules"
    personal_page = "module_detail"

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        modules = list(selectors.offering_modules(offering))
        module = next((m for m in modules if m.slug == self.kwargs["module_slug"]), None)
        if module is None:
            raise Http404("No such module.")
        self.module = module  # the personal context lists this module's quizzes
        index = modules.index(module)
        lectures = selectors.offering_modules_with_lectures(offering).get(pk=module.pk)
        return super().get_context_data(
            module=module,
            lectures=list(lectures.lectures.all()),
            quizzes=[],
            enrolment=None,
            watched=set(),
            previous_module=modules[index - 1] if index > 0 else None,
            next_module=modules[index + 1] if index + 1 < len(modules) else None,
            **kwargs,
        )


class LectureListView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
    """Every lecture by module; a logged-in student also sees their ticks."""

    template_name = "course/lecture_list.html"
    section = "lectures"
    personal_page = "lecture_list"

    def get_context_data(self, **kwargs):
        modules = list(selectors.offering_modules_with_lectures(self.get_offering()))
        return super().get_context_data(
            modules=modules,
            lecture_count=sum(len(m.lectures.all()) for m in modules),
            enrolment=None,
            watched=set(),
            **kwargs,
        )


class AnnouncementListView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
    template_name = "course/announcement_list.html"
    section = "announcements"

    def get_context_data(self, **kwargs):
        announcements = selectors.published_announcements(self.get_offering())
        return super().get_context_data(announcements=list(announcements), **kwargs)


class AnnouncementFeed(Feed):
    """Atom feed of an offering's published announcements, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, course_slug, offering_slug):
        # Feeds are read by feed readers without a session: only published offerings.
        # One Feed instance serves every request: keep nothing request-specific on it.
        return selectors.offering_for_page(
            user=request.user, course_slug=course_slug, offering_slug=offering_slug
        )

    def title(self, offering):
        return _("%(offering)s: announcements") % {"offering": offering}

    def subtitle(self, offering):
        return _("Announcements of %(course)s, %(offering)s.") % {
            "course": offering.course.title,
            "offering": offering.name,
        }

    def link(self, offering):
        return reverse(
            "course:announcement_list",
            kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
        )

    def items(self, offering):
        return selectors.published_announcements(offering)[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.html("body")

    def item_link(self, item):
        return f"{self.link(item.offering)}#announcement-{item.pk}"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.full_name if item.author else None


class QuizStatisticsView(OfferingStaffMixin, TemplateView):
    """What to discuss in the session: each question's share right, the favourite mistake."""

    permission_required = "course.view_quiz_statistics"

    template_name = "course/quiz_statistics.html"
    section = "staff"

    def get_context_data(self, **kwargs):
        quiz = get_object_or_404(
            Quiz.objects.select_related("module"),
            pk=self.kwargs["quiz_id"],
            module__offering=self.get_offering(),
        )
        students, rows = quizzes.quiz_statistics(quiz)
        return super().get_context_data(quiz=quiz, students=students, rows=rows, **kwargs)
