"""The form of the webhooks page."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .events import EventType


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=2000,
        assume_scheme="https",
        # A text input: the stylesheet styles text inputs, and the server checks the URL anyway.
        widget=forms.TextInput(
            attrs={
                "placeholder": "https://shop.example.com/hooks/brandloom",
                "inputmode": "url",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("What receives it, e.g. the ERP sync")}),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        initial=EventType.values,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
