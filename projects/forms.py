from django import forms

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
    code = forms.CharField(label="Invite code", max_length=20)


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="What you will do, with which data and methods. Markdown.",
    )
    topics = ModulesField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Course topics covered",
        help_text="A couple of topics for a passing grade; more topics for higher grades.",
    )
    abstract = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="For the book of abstracts; can be written later. Markdown.",
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
        label="PDF file", widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"})
    )


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ProposalStatus.ACCEPTED, "Accept"),
            (ProposalStatus.REVISION, "Ask for a revision"),
            (ProposalStatus.REJECTED, "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Needed for a revision or a rejection; mailed to the group.",
    )


class FeedbackForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    feedback = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ExtensionForm(forms.Form):
    deliverable = forms.ModelChoiceField(queryset=None)
    due_at = forms.DateTimeField(label="New deadline", help_text="YYYY-MM-DD HH:MM")
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, offering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliverable"].queryset = offering.deliverables.all()
