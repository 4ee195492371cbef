"""The webhooks page: endpoints (managed by MANAGE_BRAND), recent deliveries and their details."""

import json
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tenants.roles import Permission, role_can
from tenants.views.base import DashboardView, current_user

from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint
from .selectors import delivery_get, delivery_list, endpoint_list
from .services import event_body, webhook_endpoint_create, webhook_endpoint_delete

DELIVERIES_PER_PAGE = 25


class _WebhooksBase(DashboardView):
    nav = "webhooks"

    @property
    def can_manage(self) -> bool:
        return role_can(self.membership.role, Permission.MANAGE_BRAND)

    def require_manage(self) -> None:
        if not self.can_manage:
            raise PermissionDenied


class WebhooksView(_WebhooksBase):
    template_name = "webhooks/webhooks.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status") or ""
        if status not in WebhookDelivery.Status.values:
            status = ""
        deliveries = delivery_list(tenant=self.tenant, status=status or None)
        page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            endpoints=endpoint_list(tenant=self.tenant),
            page_obj=page,
            status_filter=status,
            statuses=WebhookDelivery.Status.choices,
            can_manage=self.can_manage,
            form=(kwargs.get("form") or WebhookEndpointForm()) if self.can_manage else None,
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        self.require_manage()
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = webhook_endpoint_create(
                    tenant=self.tenant,
                    user=current_user(request),
                    url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                # The secret is in this response; later pages show only its first characters.
                context = self.get_context_data()
                context.update(created_endpoint=endpoint)
                response = self.response_class(
                    request=request,
                    template="webhooks/endpoint_created.html",
                    context=context,
                    using=self.template_engine,
                )
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EndpointDeleteView(_WebhooksBase):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, endpoint_id: int) -> HttpResponse:
        # Another brand's id is a 404 for every role, before any permission answer.
        if not endpoint_list(tenant=self.tenant).filter(pk=endpoint_id).exists():
            raise Http404
        self.require_manage()
        try:
            webhook_endpoint_delete(
                tenant=self.tenant, user=current_user(request), endpoint_id=endpoint_id
            )
        except WebhookEndpoint.DoesNotExist:
            raise Http404 from None
        messages.success(request, _("Webhook endpoint deleted."))
        return redirect("webhooks")


class DeliveryDetailView(_WebhooksBase):
    template_name = "webhooks/delivery_detail.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            row = delivery_get(tenant=self.tenant, delivery_id=kwargs["delivery_id"])
        except WebhookDelivery.DoesNotExist:
            raise Http404 from None
        body = json.loads(event_body(row))
        context.update(
            delivery=row,
            endpoint=row.endpoint,
            body_pretty=json.dumps(body, indent=2, ensure_ascii=False),
            attempts=[
                {**attempt, "at": datetime.fromisoformat(attempt["at"])}
                for attempt in row.attempt_log
            ],
        )
        return context
