"""The brand's credits and plan over the API (billing:read)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import TenantApi
from tenants.api_keys import ApiScope

from .plans import plan_for, subscription_get
from .selectors import credit_balance


class CreditBalanceApi(TenantApi):
    """The brand's plan and credits: granted (expire at period end), purchased, reserved."""

    required_scopes = (ApiScope.BILLING_READ,)

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        balance = credit_balance(tenant=self.tenant)
        plan = plan_for(tenant=self.tenant)
        subscription = subscription_get(tenant=self.tenant)
        body: dict[str, Any] = {
            "plan": plan.code,
            "subscription_status": subscription.status if subscription else None,
            "granted": str(balance.granted),
            "purchased": str(balance.purchased),
            "reserved": str(balance.reserved),
            "available": str(balance.available),
            "allowance": str(balance.allowance),
            "period_end": balance.period_end.isoformat() if balance.period_end else None,
        }
        return Response(body)
