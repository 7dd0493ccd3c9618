"""The pages of grading: the public examination page (rules, scales, rubric), and for staff
the grade sheet, one student's grade and a project's assessment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from accounts.enums import Level
from accounts.models import Enrolment
from accounts.pages import PersonalPageMixin
from course.archive import is_archived
from course.caching import CachedPublicPageMixin, fragment_key
from course.downloads import stored_file_response
from course.pages import OfferingPageMixin, OfferingStaffMixin
from projects.models import ProjectGroup

from ..enums import ExportStatus, ProjectGrade
from ..models import ProjectAssessment, ResultsExport, Rubric, RubricCriterion
from . import services
from . import sheet as sheets
from .exports import (
    export_in_background,
    recent_exports,
    records_filename,
    results_export_request,
    write_records_csv,
    write_records_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FILTERS = [
    ("", gettext_lazy("All students")),
    ("missing", gettext_lazy("Condition missing")),
    ("pending", gettext_lazy("Not decided yet")),
    ("ungraded", gettext_lazy("Not graded yet")),
    ("disagreement", gettext_lazy("Assessors disagree")),
    ("override", gettext_lazy("Grade differs from proposal")),
]


def sheet_url(offering) -> str:
    return reverse(
        "grading:grade_sheet",
        kwargs={"course_slug": offering.course.slug, "offering_slug": offering.slug},
    )


class ExaminationView(CachedPublicPageMixin, OfferingPageMixin, TemplateView):
    """The public examination page: the offering's rules, its grading scales and rubric."""

    template_name = "sessions/grading/examination.html"
    section = "examination"

    def get_context_data(self, **kwargs):
        scales, criteria = sheets.grading_overview(self.get_offering())
        return super().get_context_data(
            scales=scales,
            criteria=criteria,
            rubric=criteria[0].rubric if criteria else None,
            **kwargs,
        )


class GradeSheetView(PersonalPageMixin, OfferingStaffMixin, TemplateView):
    """All students with each condition, the proposed and the final grade; CSV and Excel."""

    permission_required = "discussions.view_grade_sheet"

    template_name = "sessions/grading/grade_sheet.html"
    section = "staff"
    ROWS_PER_PAGE = 250

    def get(self, request, *args, **kwargs):
        export = request.GET.get("format")
        if export in {"csv", "xlsx"}:
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def export(self, kind):
        offering = self.get_offering()
        if export_in_background(offering):
            results_export_request(offering=offering, kind=kind, by=self.request.user)
            messages.info(
                self.request,
                _(
                    "The export is large: it is being prepared, and appears under “Exports” on "
                    "this page in a minute."
                ),
            )
            return redirect(sheet_url(offering))
        sheet = sheets.grade_sheet(offering)
        filename = records_filename(sheet, kind)
        if kind == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            write_records_csv(response, sheet, bom=True)
        else:
            response = HttpResponse(content_type=XLSX)
            write_records_xlsx(response, sheet)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_context_data(self, **kwargs):
        offering = self.get_offering()
        sheet = sheets.grade_sheet_shown(offering)
        which = self.request.GET.get("filter", "")
        level = self.request.GET.get("level", "")
        # A page of rows at a time: a table of thousands of students is slow to make and to
        # read; the filters narrow it, the pages step through it.
        page = Paginator(sheets.filter_rows(sheet.rows, which, level), self.ROWS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            sheet=sheet,
            rows=page.object_list,
            page=page,
            filters=FILTERS,
            current_filter=which,
            current_level=level,
            levels=Level.choices,
            can_sign_off=self.request.user.has_perm("discussions.sign_off_results", offering),
            archived=is_archived(offering),
            proposable=len(sheet.proposable),
            eligible=len(sheet.eligible),
            graded=len(sheet.rows) - len(sheet.ungraded),
            projects=sheets.projects_overview(sheet, self.request.user),
            exports=recent_exports(offering),
            fragment=fragment_key(offering, "grade-sheet", which, level, page.number),
            **kwargs,
        )


class ResultsExportView(OfferingStaffMixin, View):
    """A records export the task worker made, to the offering's staff."""

    permission_required = "discussions.view_grade_sheet"

    def get(self, request, *args, **kwargs):
        export = get_object_or_404(
            ResultsExport,
            pk=self.kwargs["export_id"],
            offering=self.get_offering(),
            status=ExportStatus.READY,
        )
        content_type = "text/csv; charset=utf-8" if export.kind == "csv" else XLSX
        return stored_file_response(
            export.file, filename=export.filename, content_type=content_type, attachment=True
        )


class GradeSheetActionView(OfferingStaffMixin, TemplateView):
    """The sheet's buttons: default scales and rubric, accept proposals, sign off, unlock."""

    action = ""
    # The rule each button needs, and what a member of staff without it is told.
    RULES = {
        "setup": ("discussions.set_up_grading", ""),
        "accept": ("discussions.set_grade", ""),
        "sign_off": (
            "discussions.sign_off_results",
            gettext_lazy("Only the course responsible signs off the results."),
        ),
        "unlock": (
            "discussions.sign_off_results",
            gettext_lazy("Only the course responsible unlocks the results."),
        ),
    }

    def get_permission_required(self):
        if self.request.method == "POST":
            return (self.RULES[self.action][0],)
        return ("discussions.view_grade_sheet",)

    def get_permission_denied_message(self):
        return self.RULES[self.action][1]

    def get(self, request, *args, **kwargs):
        return redirect(sheet_url(self.get_offering()))

    def post(self, request, *args, **kwargs):
        offering = self.get_offering()
        user = request.user
        try:
            if self.action == "setup":
                scales, rubric = services.grading_setup_defaults(offering=offering)
                if rubric:
                    text = ngettext(
                        "Created %(count)d grading scale and the rubric; edit them in the "
                        "administration.",
                        "Created %(count)d grading scales and the rubric; edit them in the "
                        "administration.",
                        scales,
                    ) % {"count": scales}
                else:
                    text = ngettext(
                        "Created %(count)d grading scale; edit them in the administration.",
                        "Created %(count)d grading scales; edit them in the administration.",
                        scales,
                    ) % {"count": scales}
            elif self.action == "accept":
                count = services.grades_accept_proposed(offering=offering, by=user)
                text = ngettext(
                    "%(count)d student got the proposed grade.",
                    "%(count)d students got the proposed grade.",
                    count,
                ) % {"count": count}
            elif self.action == "sign_off":
                mails = services.results_sign_off(offering=offering, by=user)
                text = ngettext(
                    "The results are signed off and locked; %(count)d result mail queued.",
                    "The results are signed off and locked; %(count)d result mails queued.",
                    mails,
                ) % {"count": mails}
            elif self.action == "unlock":
                services.results_unlock(
                    offering=offering, by=user, reason=request.POST.get("reason", "")
                )
                text = _("The results are unlocked; grades can be changed again.")
            else:
                raise Http404("No such action.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, text)
        return redirect(sheet_url(offering))


class StudentGradeView(OfferingStaffMixin, TemplateView):
    """One student's conditions, project assessments, proposal, grade form and history."""

    def get_permission_required(self):
        if self.request.method == "POST":
            return ("discussions.set_grade",)
        return ("discussions.view_grade_sheet",)

    template_name = "sessions/grading/student_grade.html"
    section = "staff"

    def get_enrolment(self) -> Enrolment:
        if not hasattr(self, "_enrolment"):
            self._enrolment = get_object_or_404(
                sheets.graded_enrolments(self.get_offering()).select_related("offering__course"),
                pk=self.kwargs["enrolment_id"],
            )
        return self._enrolment

    def get_context_data(self, **kwargs):
        enrolment = self.get_enrolment()
        sheet = sheets.grade_sheet(enrolment.offering, enrolments=[enrolment])
        return super().get_context_data(
            enrolment=enrolment,
            row=sheet.rows[0],
            state=sheet.state,
            archived=is_archived(enrolment.offering),
            history=list(sheets.grade_history(enrolment)),
            posted=kwargs.pop("posted", None),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        enrolment = self.get_enrolment()
        grade = request.POST.get("grade", "")
        reason = request.POST.get("reason", "")
        try:
            changed = services.grade_set(
                enrolment=enrolment, grade=grade, reason=reason, by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            context = self.get_context_data(posted={"grade": grade, "reason": reason})
            return self.render_to_response(context, status=400)
        values = {"name": enrolment.student.full_name, "grade": grade.strip()}
        if changed:
            messages.success(request, _("%(name)s's grade is now %(grade)s.") % values)
        else:
            messages.info(
                request, _("%(name)s's grade was %(grade)s already; nothing changed.") % values
            )
        return redirect(request.path)


class AssessmentView(OfferingStaffMixin, TemplateView):
    """Assess a group's project with the rubric; other assessments shown side by side."""

    permission_required = "discussions.assess_project"

    template_name = "sessions/grading/assessment.html"
    section = "staff"

    def get_group(self) -> ProjectGroup:
        if not hasattr(self, "_group"):
            self._group = get_object_or_404(
                ProjectGroup.objects.select_related("offering__course", "proposal").filter(
                    offering=self.get_offering()
                ),
                number=self.kwargs["group_number"],
            )
        return self._group

    def get_context_data(self, **kwargs):
        group = self.get_group()
        rubric = Rubric.objects.filter(offering=group.offering).first()
        criteria = (
            list(RubricCriterion.objects.filter(rubric=rubric).prefetch_related("levels"))
            if rubric
            else []
        )
        assessments = list(
            ProjectAssessment.objects.filter(group=group)
            .select_related("assessor")
            .prefetch_related("levels")
        )
        mine = next((a for a in assessments if a.assessor_id == self.request.user.pk), None)
        chosen = {a.pk: {lv.criterion_id: lv for lv in a.levels.all()} for a in assessments}
        posted = kwargs.pop("posted", None)
        selected = (
            posted["levels"]
            if posted
            else ({c: lv.pk for c, lv in chosen[mine.pk].items()} if mine else {})
        )
        others = [a for a in assessments if a != mine]
        comparison = []
        for criterion in criteria:
            levels = [chosen[a.pk].get(criterion.pk) for a in assessments]
            comparison.append(
                {
                    "criterion": criterion,
                    "levels": levels,
                    "differ": len({lv.pk if lv else None for lv in levels}) > 1,
                    "selected": selected.get(criterion.pk),
                    "other_levels": [chosen[a.pk].get(criterion.pk) for a in others],
                }
            )
        members = list(
            group.memberships.select_related("enrolment__student").order_by(
                "enrolment__student__full_name"
            )
        )
        proposal = getattr(group, "proposal", None)
        state = sheets.current_results_state(group.offering)
        numbers = list(
            ProjectGroup.objects.filter(offering=group.offering)
            .order_by("number")
            .values_list("number", flat=True)
        )
        position = numbers.index(group.number)
        return super().get_context_data(
            group=group,
            proposal=proposal,
            topics=list(proposal.topics.order_by("order")) if proposal else [],
            members=members,
            rubric=rubric,
            comparison=comparison,
            assessments=assessments,
            mine=mine,
            others=others,
            disagreement=len({a.grade for a in assessments}) > 1,
            grades=ProjectGrade.choices,
            posted=posted,
            state=state,
            archived=is_archived(group.offering),
            frozen=state.locked or is_archived(group.offering),
            previous_number=numbers[position - 1] if position > 0 else None,
            next_number=numbers[position + 1] if position + 1 < len(numbers) else None,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        group = self.get_group()
        level_ids = {}
        for key, value in request.POST.items():
            if key.startswith("criterion-"):
                try:
                    level_ids[int(key.removeprefix("criterion-"))] = int(value)
                except ValueError:
                    level_ids[-1] = -1
        raw_grade = request.POST.get("grade", "")
        try:
            grade = int(raw_grade) if raw_grade else None
        except ValueError:
            grade = -1
        comment = request.POST.get("comment", "")
        try:
            assessment = services.assessment_save(
                group=group,
                assessor=request.user,
                level_ids=level_ids,
                grade=grade,
                comment=comment,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            posted = {"levels": level_ids, "grade": raw_grade, "comment": comment}
            return self.render_to_response(self.get_context_data(posted=posted), status=400)
        values = {"group": group, "grade": assessment.get_grade_display()}
        if assessment.grade != assessment.suggested:
            values["suggested"] = ProjectGrade(assessment.suggested).label
            text = _(
                "Your assessment of %(group)s is saved: project grade %(grade)s (the rubric "
                "suggests %(suggested)s)."
            )
        else:
            text = _("Your assessment of %(group)s is saved: project grade %(grade)s.")
        messages.success(request, text % values)
        return redirect(request.path)
