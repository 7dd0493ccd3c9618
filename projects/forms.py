from django import forms
from django.utils.translation import gettext_lazy as _

from course.enums import ModuleKind
from course.validators import parse_id

from .enums import ProposalStatus


class ModulesField(forms.ModelMultipleChoiceField):
    """Checked modules; a value that is no id is an invalid choice, never a database query
    (SQLite cannot even compare an integer beyond 64 bits)."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice",
                    params={"value": pk},
                )  # fmt: skip
        return super()._check_values(value)


class JoinGroupForm(forms.Form):
    code = forms.CharField(label=_("Invite code"), max_length=20)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("What you will do, with which data and methods. Markdown."),
    )
    topics = ModulesField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Course topics covered"),
        help_text=_("A couple of topics for a passing grade; more topics for higher grades."),
    )
    abstract = forms.CharField(
        label=_("Abstract"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("For the book of abstracts; can be written later. Markdown."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, offering, editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = offering.modules.filter(kind=ModuleKind.REGULAR).order_by(
            "order"
        )
        if not editable:
            for name in ("title", "description", "topics"):
                self.fields[name].disabled = True


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    close_group = forms.BooleanField(
        label=_("I understand: nobody can join our group after this upload."), required=False
    )


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (ProposalStatus.ACCEPTED, _("Accept")),
            (ProposalStatus.REVISION, _("Ask for a revision")),
            (ProposalStatus.REJECTED, _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Needed for a revision or a rejection; mailed to the group."),
    )


class FeedbackForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    feedback = forms.CharField(
        label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ExtensionForm(forms.Form):
    deliverable = forms.ModelChoiceField(label=_("Deliverable"), queryset=None)
    due_at = forms.DateTimeField(label=_("New deadline"), help_text=_("YYYY-MM-DD HH:MM"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, offering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliverable"].queryset = offering.deliverables.all()
