"""Forms of the library pages. They parse what people send, with the same checks as
library.apis; the services decide the rest, and their LibraryError, UploadRefused and
ImageRejected sentences are put back on the form."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from generation.images import DEFAULT_MAX_BYTES
from generation.models import Asset, Product
from library import colours, describe, uploads
from library.models import Bank

_ACCEPT = "image/png,image/jpeg,image/webp"
# The bank forms refuse larger files before reading them, as the API does.
MAX_BANK_IMAGE_BYTES = DEFAULT_MAX_BYTES  # what generation.images takes


class _Form(forms.Form):
    """Labels sit above their fields, so no colon after them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _choices_with_any(choices: Sequence[tuple[str, Any]], label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class LibrarySearchForm(_Form):
    """The filters of the library grid (GET). Invalid values are dropped, not shown as errors:
    a stale link still lists the library."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_choices_with_any(Asset.Kind.choices, _("Any"))
    )
    origin = forms.ChoiceField(
        label=_("Origin"),
        required=False,
        choices=_choices_with_any(Asset.Origin.choices, _("Any")),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    colour = forms.CharField(
        label=_("Colour"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    # A colour input always sends a value, so the filter applies only when this is ticked.
    by_colour = forms.BooleanField(label=_("Match this colour"), required=False)

    def clean_colour(self) -> str:
        value: str = self.cleaned_data["colour"]
        if value and colours.parse_hex(value) is None:
            raise forms.ValidationError(_("Give a colour as #rrggbb."))
        return colours.parse_hex(value) or "" if value else ""

    def filters(self) -> dict[str, str]:
        """The valid filters (empty ones left out)."""
        if not self.is_bound:
            return {}
        values = {
            name: str(self.cleaned_data.get(name) or "")
            for name in ("q", "kind", "origin", "tag", "colour")
            if name not in self.errors
        }
        if not self.cleaned_data.get("by_colour"):
            values["colour"] = ""
        return {name: value.strip() for name, value in values.items() if value.strip()}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Many files under one name; each is checked by uploads.upload_batch_create."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": _ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        # An empty file is refused per file (as the API does), not for the whole request.
        return [file for file in files if file is not None]


def _product_field(products: Sequence[Product], *, required: bool, empty: Any) -> forms.Field:
    field = forms.TypedChoiceField(
        label=_("Product"),
        required=required,
        coerce=int,
        empty_value=None,
        choices=[
            *([] if required else [("", empty)]),
            *((p.pk, f"{p.title} · {p.sku}") for p in products),
        ],
    )
    return field


class UploadForm(_Form):
    # Named like the API's field; the form metaclass moves it off the class, so it does not
    # shadow BaseForm.files at runtime.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Images"),
        required=False,
        help_text=_("PNG, JPEG or WebP, up to 20 MB each. Choose many at once."),
    )
    archive = forms.FileField(
        label=_("Or one zip of images"),
        required=False,
        help_text=_("Up to 500 MB; folders inside are fine."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    kind = forms.ChoiceField(
        label=_("What they are"), choices=Asset.Kind.choices, initial=Asset.Kind.PRODUCT
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Comma-separated, given to every image, e.g. 夏季, campaign."),
    )

    def __init__(self, *args: Any, products: Sequence[Product] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = {p.pk: p for p in products}
        self.fields["product"] = _product_field(products, required=False, empty=_("No product"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        files, archive = data.get("files") or [], data.get("archive")
        if not files and archive is None and not self.errors:
            raise forms.ValidationError(_("Choose one or more images, or a zip of images."))
        if files and archive is not None:
            raise forms.ValidationError(_("Upload either images or one zip, not both at once."))
        if len(files) > uploads.MAX_FILES:
            raise forms.ValidationError(
                _("Upload at most %(n)s files at once, or put them in a zip."),
                params={"n": uploads.MAX_FILES},
            )
        return data

    def product(self) -> Product | None:
        product_id = self.cleaned_data.get("product")
        return self.products.get(product_id) if product_id is not None else None

    def as_uploads(self) -> tuple[list[uploads.Upload], uploads.Upload | None]:
        files = [
            uploads.Upload(name=f.name or "image", file=f, size=f.size or 0)
            for f in self.cleaned_data["files"]
        ]
        archive = self.cleaned_data.get("archive")
        zipped = (
            uploads.Upload(name=archive.name or "upload.zip", file=archive, size=archive.size or 0)
            if archive is not None
            else None
        )
        return files, zipped


def too_many_files_message() -> str:
    """What the upload form says when Django refused the request for its number of files."""
    return str(
        _("Upload at most %(n)s files at once, or put them in a zip.")
        % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    )


class AssetEditForm(_Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=900,
        help_text=_("Comma-separated; at most 20."),
    )
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, products: Sequence[Product] = (), asset: Asset, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.products = {p.pk: p for p in products}
        self.fields["product"] = _product_field(products, required=False, empty=_("No product"))

    @staticmethod
    def initial_for(asset: Asset) -> dict[str, Any]:
        return {
            "kind": asset.kind,
            "tags": ", ".join(asset.tags),
            "caption": asset.caption,
            "product": asset.product_id,
        }

    def clean_tags(self) -> list[str]:
        return describe.tags_from_text(self.cleaned_data["tags"])

    def product(self) -> Product | None:
        product_id = self.cleaned_data.get("product")
        return self.products.get(product_id) if product_id is not None else None


class BankChoiceForm(_Form):
    """Add a library image to one of the brand's banks (from the image's page)."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("Why it must not be reused, e.g. rejected by legal, a competitor's ad."),
    )

    def __init__(self, *args: Any, banks: Sequence[Bank] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.banks = {b.pk: b for b in banks}
        self.fields["bank"] = forms.TypedChoiceField(
            label=_("Bank"), coerce=int, choices=[(b.pk, b.name) for b in banks]
        )
        self.order_fields(["bank", "note"])

    def bank(self) -> Bank:
        return self.banks[self.cleaned_data["bank"]]


class BankForm(_Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)


class BankImageForm(_Form):
    image = forms.FileField(
        label=_("Image"),
        help_text=_("PNG, JPEG or WebP up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_image(self) -> Any:
        # Refuse by the declared size before anything reads the upload.
        upload = self.cleaned_data["image"]
        if upload.size is not None and upload.size > MAX_BANK_IMAGE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB."), params={"mb": MAX_BANK_IMAGE_BYTES >> 20}
            )
        return upload

    def image_bytes(self) -> bytes:
        data: bytes = self.cleaned_data["image"].read(MAX_BANK_IMAGE_BYTES + 1)
        return data


class BankTextForm(_Form):
    text = forms.CharField(
        label=_("Copy"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A headline or line of copy that generated posters must not repeat."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ClusterMergeForm(_Form):
    keep = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
