"""Forms of the billing pages."""

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CreditAdjustForm(forms.Form):
    """A staff correction of a brand's credits.

    `key` is drawn once per rendering of the form, so submitting the same form twice (a double
    click, a resent POST) reaches the ledger with one idempotency key and adjusts once.
    """

    amount = forms.DecimalField(
        label=_("Credits"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("-1000000"),
        max_value=Decimal("1000000"),
        help_text=_("Positive adds purchased credits (they never expire); negative removes."),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Shown in the brand's ledger and kept in its audit log."),
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"key": uuid.uuid4()})
        super().__init__(*args, **kwargs)

    def idempotency_key(self) -> str:
        return f"staff-adjust:{self.cleaned_data['key']}"
