"""The copy check: paste a text, read the verdict with every finding marked in place.

Nothing is stored; any member may check (a POST here only reads)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from generation import selectors as generation_selectors
from generation.models import Product
from tenants.roles import Permission

from .. import checker, services
from ..forms import CopyCheckForm
from .base import CompliancePage
from .present import result_context

# The product menu lists the newest products; the check itself never needs more than one.
PRODUCT_CHOICES = 300


class CopyCheckView(CompliancePage):
    template_name = "compliance/check.html"
    nav = "compliance_check"
    write_permission = Permission.VIEW_CONTENT  # a check reads only: nothing is stored

    def products(self) -> list[Product]:
        return list(generation_selectors.product_list(tenant=self.tenant)[:PRODUCT_CHOICES])

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(form=CopyCheckForm(products=self.products()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CopyCheckForm(request.POST, products=self.products())
        context: dict[str, Any] = {"form": form}
        if form.is_valid():
            text = form.cleaned_data["text"]
            try:
                result = services.text_check(
                    tenant=self.tenant,
                    text=text,
                    lang=form.cleaned_data["lang"] or None,
                    category=form.cleaned_data["category"] or None,
                    product=form.chosen_product,
                )
            except checker.TextRefused:
                # The form has the same limits; this is only reached if the checker's change.
                form.add_error("text", _("This text cannot be checked: it is empty or too long."))
            else:
                context.update(result_context(text, result))
        is_htmx = bool(getattr(request, "htmx", False))
        if is_htmx:
            # Only the form and the result are swapped; 200 so that htmx shows the errors too.
            self.template_name = "compliance/_check_panel.html"
        return self.render_page(status=200 if is_htmx or form.is_valid() else 400, **context)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            ruleset_version=checker.ruleset_version(), max_text_chars=checker.MAX_TEXT_CHARS
        )
        return context
