from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .enums import AttendanceStatus


class GenerateSessionsForm(forms.Form):
    """What the admin action and `generate_sessions` ask for."""

    start = forms.DateField(label=_("From"), help_text=_("YYYY-MM-DD"))
    end = forms.DateField(label=_("To (inclusive)"), help_text=_("YYYY-MM-DD"))
    skip = forms.CharField(
        label=_("Skip these dates"),
        required=False,
        help_text=_("Holidays, comma-separated: 2016-05-05, 2016-05-16"),
    )
    per_module = forms.IntegerField(
        label=_("Sessions per module"), min_value=1, max_value=50, initial=4
    )

    def clean_skip(self):
        return parse_dates(self.cleaned_data["skip"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", gettext("The last date is before the first."))
        return cleaned


def parse_dates(text: str):
    field = forms.DateField()
    dates = []
    for piece in (text or "").replace(";", ",").split(","):
        piece = piece.strip()
        if not piece:
            continue
        try:
            dates.append(field.clean(piece))
        except forms.ValidationError:
            raise forms.ValidationError(
                gettext("“%(piece)s” is not a date (YYYY-MM-DD)."),
                code="invalid",
                params={"piece": piece},
            ) from None
    return dates


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Code on the screen"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


def parse_register(post, enrolment_ids) -> dict[int, tuple[str, bool]]:
    """Read the register form: status-<id> and active-<id> for every listed student.

    A student left unmarked is absent; "active" is kept for present students only.
    Raises forms.ValidationError for a status that is not present, absent or excused.
    """
    entries = {}
    for enrolment_id in enrolment_ids:
        status = post.get(f"status-{enrolment_id}") or AttendanceStatus.ABSENT
        if status not in AttendanceStatus.values:
            raise forms.ValidationError(
                gettext("Choose present, absent or excused for every student."), code="invalid"
            )
        # Active participation only means something for a student who was there.
        active = status == AttendanceStatus.PRESENT and post.get(f"active-{enrolment_id}") == "on"
        entries[enrolment_id] = (status, active)
    return entries
