"""Forms of the provenance pages. They parse what people send; the services decide what an
image may be, and their ImageRejected sentences are put back on the `image` field."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from provenance import services
from provenance.models import ProvenanceSettings
from provenance.verification import MAX_VERIFY_BYTES
from provenance.visible_label import LABEL_TEXTS

_ACCEPT = "image/png,image/jpeg,image/webp"
LANGUAGE_LABELS = {"zh": _("Chinese (AI生成)"), "en": _("English (AI-generated)")}


class _Form(forms.Form):
    """Labels sit above their fields, so no colon after them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class _ImageForm(_Form):
    max_bytes: int

    def clean_image(self) -> Any:
        # Refuse by the declared size before anything reads the upload; image_decode bounds
        # the bytes it reads again, whatever the client declared.
        upload = self.cleaned_data["image"]
        if upload.size is not None and upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB."), params={"mb": self.max_bytes >> 20}
            )
        return upload

    def image_bytes(self) -> tuple[bytes, str]:
        upload = self.cleaned_data["image"]
        return upload.read(self.max_bytes + 1), upload.name or ""


class LabelForm(_ImageForm):
    max_bytes = services.MAX_LABEL_BYTES

    image = forms.FileField(
        label=_("Image"),
        help_text=_("PNG, JPEG or WebP up to 20 MB, at least 256 px on its shorter side."),
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT}),
    )
    language = forms.ChoiceField(
        label=_("Label text"),
        choices=[(code, LANGUAGE_LABELS[code]) for code in sorted(LABEL_TEXTS, reverse=True)],
    )


class VerifyForm(_ImageForm):
    max_bytes = MAX_VERIFY_BYTES

    image = forms.FileField(
        label=_("Image"),
        help_text=_("PNG, JPEG or WebP up to 30 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT}),
    )


class ProvenanceSettingsForm(_Form):
    copy_label_position = forms.ChoiceField(
        label=_("Where the AI-generated note goes in copy"),
        choices=ProvenanceSettings.CopyLabelPosition.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Social posts and host lines carry 【AI生成】 at their start or end; posters always "
            "carry the visible label."
        ),
    )
    public_disclosure = forms.BooleanField(
        label=_("The public verification page may show our brand name"),
        required=False,
        help_text=_(
            "Off: anyone who checks one of our images learns only that it was made here, and when."
        ),
    )


class DutyAcceptForm(_Form):
    # The version the member read: a page opened before the terms changed cannot accept the
    # new ones unread.
    terms_version = forms.CharField(widget=forms.HiddenInput)

    def clean_terms_version(self) -> str:
        version: str = self.cleaned_data["terms_version"]
        if version != services.TERMS_VERSION:
            raise forms.ValidationError(
                _("The terms changed while the page was open. Read them again below.")
            )
        return version
