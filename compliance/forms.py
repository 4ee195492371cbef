"""Forms of the compliance pages. They parse what people type; the checker and the services
decide what is allowed, and their ValidationErrors are attached back to these fields."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from generation.models import Product

from . import checker
from .models import CustomRule, ModerationCase, ReviewItem
from .reason_codes import reason_code_choices
from .rule_kinds import evidence_kinds

MAX_TEXT_CHARS = checker.MAX_TEXT_CHARS

CATEGORY_LABELS: dict[str, Promise] = {
    "general": _("General goods"),
    "cosmetics": _("Cosmetics and personal care"),
    "food": _("Food and drinks"),
    "health_food": _("Health food (保健食品)"),
    "drug": _("Medicines"),
    "medical_device": _("Medical devices"),
    "baby": _("Baby and infant products"),
    "apparel": _("Clothing and shoes"),
    "electronics": _("Electronics"),
    "home": _("Home and household"),
}
CLAIM_LABELS: dict[str, Promise] = {
    "sales_rank": _("Sales figures or ranking (销量第一)"),
    "award": _("Award or honour (获奖)"),
    "clinical": _("Clinical study (临床验证)"),
    "lab_test": _("Laboratory test (实验证明)"),
}
LANGUAGE_CHOICES = [("", _("Detect")), ("zh", _("Chinese")), ("en", _("English"))]


def category_label(code: str) -> str:
    return str(CATEGORY_LABELS.get(code, code))


def claim_label(code: str) -> str:
    return str(CLAIM_LABELS.get(code, code))


class _Form(forms.Form):
    """Labels sit above their fields, so no "Text:" colon. Several forms share a page, so each
    kind of form has its own id prefix (`id_prefix`): no two fields get the same HTML id."""

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest on the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


# COPY CHECK ---------------------------------------------------------------------------------


class CopyCheckForm(_Form):
    text = forms.CharField(
        label=_("Copy or script"),
        max_length=MAX_TEXT_CHARS,
        strip=False,
        error_messages={
            "required": _("Paste the copy or script to check."),
            "max_length": _(
                "The text has %(show_value)s characters; the check takes at most %(limit_value)s."
            ),
        },
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "maxlength": MAX_TEXT_CHARS,
                "data-counter": "text-count",
                "placeholder": _("Paste a script (直播脚本), a caption or a headline …"),
            }
        ),
    )
    lang = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    category = forms.ChoiceField(
        label=_("Product category"),
        required=False,
        help_text=_("Some claims are allowed in one category and not in another."),
    )
    product = forms.TypedChoiceField(
        label=_("Product"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Optional: its prices are compared with a crossed-out price in the copy."),
    )

    def __init__(self, *args: Any, products: Sequence[Product] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = {product.pk: product for product in products}
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = [
            ("", _("From the product, or general")),
            *sorted(
                ((code, category_label(code)) for code in checker.known_categories()),
                key=lambda choice: (choice[0] != "general", str(choice[1])),
            ),
        ]
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.ChoiceField)
        product_field.choices = [
            ("", _("None")),
            *((p.pk, f"{p.title} · {p.sku}") for p in products),
        ]

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise ValidationError(self.fields["text"].error_messages["required"], code="required")
        return text

    @property
    def chosen_product(self) -> Product | None:
        product_id = self.cleaned_data.get("product")
        return self.products.get(product_id) if product_id is not None else None


# REVIEW QUEUE -------------------------------------------------------------------------------


class ReviewFilterForm(_Form):
    state = forms.ChoiceField(choices=[("", ""), *ReviewItem.State.choices], required=False)


class RejectForm(_Form):
    id_prefix = "reject"

    reason_code = forms.ChoiceField(label=_("Reason"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a reason")), *reason_code_choices(staff=staff)]


class CopyEditForm(_Form):
    """The render's copy, one field per text of the poster (headline, selling points, …)."""

    id_prefix = "edit"

    def __init__(
        self, *args: Any, copy: Mapping[str, Any], labels: Mapping[str, str], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        for name, value in copy.items():
            if isinstance(value, list):
                initial = "\n".join(str(line) for line in value)
                rows = max(2, len(value))
            else:
                initial = "" if value is None else str(value)
                rows = 2
            self.fields[name] = forms.CharField(
                label=labels.get(name, name),
                required=False,
                strip=True,
                max_length=MAX_TEXT_CHARS,
                initial=initial,
                widget=forms.Textarea(attrs={"rows": rows}),
            )
        self.copy = copy

    def changed_copy(self) -> dict[str, Any]:
        """The copy with the edited texts, each field keeping its shape (text or list of lines)."""
        edited: dict[str, Any] = {}
        for name, value in self.copy.items():
            text = self.cleaned_data.get(name, "")
            if isinstance(value, list):
                edited[name] = [line.strip() for line in text.splitlines() if line.strip()]
            else:
                edited[name] = text
        return edited


class AppealForm(_Form):
    id_prefix = "appeal"

    message = forms.CharField(
        label=_("Why the decision should change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the decision should change.")},
    )


class EscalateForm(_Form):
    id_prefix = "escalate"

    note = forms.CharField(
        label=_("Question for the platform"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# EVIDENCE AND RULES -------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class EvidenceForm(_Form):
    document = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, PNG or JPEG, at most 10 MB: the certificate, report or ranking itself."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
    claim = forms.ChoiceField(label=_("Claim it proves"))
    title = forms.CharField(label=_("Title"), max_length=200)
    issuer = forms.CharField(label=_("Issued by"), max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Leave empty when it does not expire."),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["claim"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(kind, claim_label(kind)) for kind in sorted(evidence_kinds())]
        if not self.is_bound:
            self.initial.setdefault("valid_from", date.today())


class CustomRuleForm(_Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CustomRule.Kind.choices, widget=forms.RadioSelect
    )
    phrase = forms.CharField(label=_("Word or phrase"), max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("kind", CustomRule.Kind.BANNED)


# STAFF MODERATION ---------------------------------------------------------------------------


class ModerationFilterForm(_Form):
    reason = forms.ChoiceField(choices=[("", ""), *ModerationCase.Reason.choices], required=False)


class ModerationDecisionForm(_Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason_code = forms.ChoiceField(label=_("Reason (for a rejection)"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The brand reads it with the decision."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a reason")), *reason_code_choices(staff=True)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.REJECT and not cleaned.get("reason_code"):
            self.add_error("reason_code", _("A rejection needs a reason."))
        return cleaned
