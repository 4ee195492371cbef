"""Forms of the generation pages. They parse what people type; the services decide what is
allowed, and their messages are attached back to these fields (see `add_service_errors`)."""

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from generation import jobs
from generation.brand_kits import PALETTE_KEYS
from generation.catalog import ProductFields
from generation.channels import PRESETS, UnknownChannel, channel_get
from generation.models import BrandKit, Job, Product

_CUSTOM_SIZE = re.compile(r"^\s*(\d{2,5})\s*[x×X*]\s*(\d{2,5})\s*$")
_IDEMPOTENCY_KEY = re.compile(r"^web-[0-9a-f]{32}$")
OUTPUT_FORMATS = [("jpeg", "JPEG"), ("webp", "WebP"), ("png", "PNG")]


class _Form(forms.Form):
    """Labels sit above their fields, so no "Script:" colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_service_errors(
        self, error: ValidationError, field_map: Mapping[str, str] | None = None
    ) -> None:
        """Put a service's ValidationError on the matching fields (the rest on the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            field = (field_map or {}).get(name, name)
            self.add_error(field if field in self.fields else None, messages)


def new_idempotency_key() -> str:
    return f"web-{uuid.uuid4().hex}"


class JobForm(_Form):
    script = forms.CharField(
        label=_("Live-stream script"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "maxlength": jobs.MAX_SCRIPT_CHARS,
                "placeholder": _("Paste the host's script (直播脚本) here …"),
                "data-counter": "script-count",
            }
        ),
    )
    products = forms.TypedMultipleChoiceField(
        label=_("Products"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        required=False,
        choices=[(channel.name, channel.label) for channel in PRESETS.values()],
        widget=forms.CheckboxSelectMultiple,
    )
    custom_size = forms.CharField(
        label=_("Custom size"),
        required=False,
        max_length=20,
        help_text=_("Optional, width×height in pixels, e.g. 1080x1080 (each side 256–4096)."),
        widget=forms.TextInput(attrs={"placeholder": "1080x1080", "inputmode": "text"}),
    )
    variants = forms.IntegerField(
        label=_("Variants"),
        initial=4,
        help_text=_("Per channel: each variant gets its own copy and layout."),
        widget=forms.NumberInput(attrs={"min": 1, "max": jobs.MAX_VARIANTS}),
        error_messages={
            "required": _("Enter the number of variants."),
            "invalid": _("Enter the number of variants."),
        },
    )
    lane = forms.ChoiceField(
        label=_("Lane"),
        choices=Job.Lane.choices,
        initial=Job.Lane.INTERACTIVE,
        widget=forms.RadioSelect,
    )
    output_format = forms.ChoiceField(
        label=_("Output format"), choices=OUTPUT_FORMATS, initial="jpeg"
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    clone_of = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # A library image picked on its page ("Use in a new job"): background or style reference.
    reference = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    reference_use = forms.ChoiceField(
        label=_("Use the library image as"),
        choices=[
            ("background", _("the posters' background")),
            ("style", _("a style reference: its colours become the palette")),
        ],
        initial="background",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, products: Iterable[Product] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        products_field = self.fields["products"]
        assert isinstance(products_field, forms.TypedMultipleChoiceField)
        products_field.choices = [(p.pk, f"{p.sku} {p.title}") for p in products]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())

    def clean_script(self) -> str:
        script: str = self.cleaned_data["script"]
        if len(script) > jobs.MAX_SCRIPT_CHARS:
            raise ValidationError(
                _("The script has %(count)s characters; the limit is %(limit)s."),
                params={"count": len(script), "limit": jobs.MAX_SCRIPT_CHARS},
                code="max_length",
            )
        return script

    def clean_variants(self) -> int:
        variants: int = self.cleaned_data["variants"]
        if not 1 <= variants <= jobs.MAX_VARIANTS:
            raise ValidationError(
                _("Variants must be between 1 and %(limit)s."),
                params={"limit": jobs.MAX_VARIANTS},
                code="out_of_range",
            )
        return variants

    def clean_custom_size(self) -> str:
        text: str = self.cleaned_data["custom_size"].strip()
        if not text:
            return ""
        match = _CUSTOM_SIZE.match(text)
        if not match:
            raise ValidationError(
                _("Write the size as width×height, e.g. 1080x1080."), code="invalid"
            )
        name = f"custom_{int(match[1])}x{int(match[2])}"
        try:
            channel_get(name)
        except UnknownChannel:
            raise ValidationError(
                _("Each side must be 256 to 4096 pixels."), code="out_of_range"
            ) from None
        return name

    def clean_idempotency_key(self) -> str:
        key: str = self.cleaned_data["idempotency_key"]
        if not _IDEMPOTENCY_KEY.match(key):
            # A stale or tampered form: a fresh key is safe, a double submit just isn't merged.
            return new_idempotency_key()
        return key

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        script = cleaned.get("script") or ""
        if "script" in cleaned and not script.strip() and not cleaned.get("products"):
            self.add_error("script", _("Give a script or choose at least one product."))
        channels = list(cleaned.get("channels") or [])
        if cleaned.get("custom_size"):
            channels.append(cleaned["custom_size"])
        if "channels" in cleaned and "custom_size" in cleaned and not channels:
            self.add_error("channels", _("Choose at least one channel."))
        cleaned["all_channels"] = tuple(channels)
        return cleaned

    def to_request(self) -> jobs.JobRequest:
        data = self.cleaned_data
        return jobs.JobRequest(
            script=data["script"],
            product_ids=tuple(data["products"]),
            channels=data["all_channels"],
            variants=data["variants"],
            lane=data["lane"],
            output_format=data["output_format"],
            reference_asset_id=data.get("reference"),
            reference_use=(data.get("reference_use") or "background")
            if data.get("reference")
            else "",
        )

    def add_job_errors(self, error: ValidationError) -> None:
        self.add_service_errors(
            error,
            {
                "product_ids": "products", "text_backend": "", "image_backend": "",
                "reference_asset_id": "", "reference_use": "reference_use",
            },
        )  # fmt: skip

    def renew_idempotency_key(self) -> None:
        """After a conflict: the next submit is a new request, so it needs a new key."""
        if isinstance(self.data, QueryDict):
            data = self.data.copy()  # keeps every value of the multi-valued fields
            data["idempotency_key"] = new_idempotency_key()
            self.data = data


def job_form_initial(job: Job) -> dict[str, Any]:
    """The new-generation form prefilled from `job` (Clone → edit before sending)."""
    presets = [name for name in job.channels if name in PRESETS]
    custom = [name for name in job.channels if name not in PRESETS]
    custom_size = custom[0].removeprefix("custom_") if custom else ""
    return {
        "script": job.script,
        "products": list(job.product_ids),
        "channels": presets,
        "custom_size": custom_size,
        "variants": job.variants,
        "lane": job.lane,
        "output_format": job.output_format,
        "clone_of": job.pk,
        "reference": job.reference_asset_id,
        "reference_use": job.reference_use or "background",
    }


class ScriptAnalyseForm(_Form):
    script = forms.CharField(required=False, strip=False)

    def clean_script(self) -> str:
        script: str = self.cleaned_data["script"]
        if not script.strip():
            raise ValidationError(_("The script is empty."), code="required")
        if len(script) > jobs.MAX_SCRIPT_CHARS:
            raise ValidationError(
                _("The script has %(count)s characters; the limit is %(limit)s."),
                params={"count": len(script), "limit": jobs.MAX_SCRIPT_CHARS},
                code="max_length",
            )
        return script


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", _("All")), *Job.Status.choices], required=False)


# CATALOG ------------------------------------------------------------------------------------


def _split_attribute(line: str) -> tuple[str, str] | None:
    for separator in (":", "："):
        if separator in line:
            key, value = line.split(separator, 1)
            return key.strip(), value.strip()
    return None


class ProductForm(_Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    price = forms.DecimalField(label=_("Price"), max_digits=12, decimal_places=2, required=False)
    currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3, initial="CNY")
    reference_price = forms.DecimalField(
        label=_("Reference price"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("A crossed-out price; only shown together with its basis."),
    )
    reference_price_basis = forms.CharField(
        label=_("Reference price basis"),
        max_length=100,
        required=False,
        help_text=_("Where the reference price comes from, e.g. 前30日最低价 or 'List price'."),
    )
    attributes = forms.CharField(
        label=_("Attributes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "容量: 30ml\n成分: 玻尿酸"}),
        help_text=_("One per line, as key: value. Copy may state these facts."),
    )

    def clean_currency(self) -> str:
        currency: str = self.cleaned_data["currency"].strip().upper()
        if not currency.isalpha():
            raise ValidationError(_("Use a three-letter currency code, e.g. CNY."), code="invalid")
        return currency

    def clean_attributes(self) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["attributes"].splitlines(), start=1):
            if not line.strip():
                continue
            pair = _split_attribute(line)
            if pair is None or not pair[0] or not pair[1]:
                raise ValidationError(
                    _("Line %(line)s: write it as key: value."),
                    params={"line": number},
                    code="invalid",
                )
            key, value = pair
            if len(key) > 100 or len(value) > 200:
                raise ValidationError(
                    _("Line %(line)s: keys have at most 100 characters, values 200."),
                    params={"line": number},
                    code="max_length",
                )
            attributes[key] = value
        return attributes

    def to_fields(self) -> ProductFields:
        data = self.cleaned_data
        return ProductFields(
            sku=data["sku"],
            title=data["title"],
            description=data["description"],
            category=data["category"],
            price=data["price"],
            currency=data["currency"],
            reference_price=data["reference_price"],
            reference_price_basis=data["reference_price_basis"],
            attributes=data["attributes"],
        )


def product_form_initial(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "title": product.title,
        "category": product.category,
        "description": product.description,
        "price": product.price,
        "currency": product.currency,
        "reference_price": product.reference_price,
        "reference_price_basis": product.reference_price_basis,
        "attributes": "\n".join(f"{key}: {value}" for key, value in product.attributes.items()),
    }


class ProductPhotoForm(_Form):
    image = forms.FileField(
        label=_("Add a photo"),
        help_text=_("PNG, JPEG or WebP up to 20 MB; a PNG with transparency is used as a cut-out."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )


# BRAND KIT ----------------------------------------------------------------------------------

PALETTE_LABELS = {
    "primary": _("Primary"),
    "secondary": _("Secondary"),
    "accent": _("Accent"),
    "background": _("Background"),
    "text": _("Text"),
}
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n,，、]", text) if line.strip()]


class BrandKitForm(_Form):
    font_family = forms.ChoiceField(label=_("Font family"), choices=BrandKit.FontFamily.choices)
    tone_of_voice = forms.CharField(
        label=_("Tone of voice"),
        max_length=300,
        required=False,
        help_text=_("How the brand speaks, e.g. 温柔、专业、不夸张."),
    )
    banned_words = forms.CharField(
        label=_("Banned words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Copy never uses them."),
    )
    preferred_layouts = forms.CharField(
        label=_("Preferred layouts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line; empty lets each render pick a layout."),
    )
    language = forms.ChoiceField(
        label=_("Language of the copy"), choices=[("zh", "中文"), ("en", "English")]
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at least 16 pixels; a transparent PNG works best."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args: Any, layouts: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_layouts = list(layouts)
        for key in PALETTE_KEYS:
            self.fields[f"palette_{key}"] = forms.CharField(
                label=PALETTE_LABELS[key],
                max_length=7,
                widget=forms.TextInput(attrs={"type": "color"}),
                error_messages={"required": _("Choose a colour.")},
            )
        if self.known_layouts:
            # The image backend names its layouts: pick from them instead of typing.
            self.fields["preferred_layouts"] = forms.MultipleChoiceField(
                label=_("Preferred layouts"),
                required=False,
                choices=[(name, name) for name in self.known_layouts],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("None ticked lets each image pick a layout that suits its shape."),
            )
        elif isinstance(self.initial.get("preferred_layouts"), list):
            self.initial["preferred_layouts"] = "\n".join(self.initial["preferred_layouts"])

    def palette_fields(self) -> list[forms.BoundField]:
        return [self[f"palette_{key}"] for key in PALETTE_KEYS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key in PALETTE_KEYS:
            value = cleaned.get(f"palette_{key}")
            if value is not None and not _HEX.match(value):
                self.add_error(f"palette_{key}", _("Use a colour like #C2410C."))
        return cleaned

    def clean_banned_words(self) -> list[str]:
        return _lines(self.cleaned_data["banned_words"])

    def clean_preferred_layouts(self) -> list[str]:
        value = self.cleaned_data["preferred_layouts"]
        return list(value) if isinstance(value, list) else _lines(value)

    def palette(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"palette_{key}"].upper() for key in PALETTE_KEYS}


def brand_kit_form_initial(kit: BrandKit) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "font_family": kit.font_family,
        "tone_of_voice": kit.tone_of_voice,
        "banned_words": "\n".join(kit.banned_words),
        "preferred_layouts": list(kit.preferred_layouts),
        "language": kit.language,
    }
    for key in PALETTE_KEYS:
        # <input type=color> only takes lowercase #rrggbb.
        initial[f"palette_{key}"] = str(kit.palette.get(key, "#000000")).lower()
    return initial
