from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import VideoLecture
from .services import lecture_set_parts
from .validators import EXAMPLE, parse_lecture_parts


class VideoLectureForm(forms.ModelForm):
    """A lecture with its parts written in the course's notation, e.g. "Lec1, Lec2:1-2:11"."""

    parts_notation = forms.CharField(
        label=_("Parts to watch"),
        required=False,
        max_length=500,
        help_text=format_lazy(
            _("Leave empty for the whole lecture; otherwise {example}."), example=EXAMPLE
        ),
    )

    class Meta:
        model = VideoLecture
        fields = ["module", "order", "speaker", "title", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("parts_notation", self.instance.parts_notation)

    def clean_parts_notation(self):
        value = self.cleaned_data["parts_notation"]
        try:
            parsed = parse_lecture_parts(value)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return ", ".join(str(part) for part in parsed)

    def _save_m2m(self):
        super()._save_m2m()
        lecture_set_parts(lecture=self.instance, notation=self.cleaned_data["parts_notation"])


class CopyOfferingForm(forms.Form):
    slug = forms.SlugField(
        label=_("Slug"), max_length=40, help_text=_("The new offering's address, e.g. 2017.")
    )
    start = forms.DateField(
        label=_("Start"),
        help_text=_("First day, YYYY-MM-DD, on the same weekday as the offering copied."),
    )
    dry_run = forms.BooleanField(required=False, label=_("Only show what would be created"))
