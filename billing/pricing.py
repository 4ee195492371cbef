"""Prices in credits, from the one OperationPrice table, and what a plan lets a job do."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from tenants.models import Tenant

from .exceptions import PlanLimit
from .models import ZERO, OperationPrice, Plan
from .plans import plan_for

# Standard resolution ends at the largest preset (live stream, 1080×1920).
STANDARD_MAX_PIXELS = 1080 * 1920

Operation = OperationPrice.Operation


def operation_for(*, width: int, height: int, hosted: bool) -> str:
    if hosted:
        return Operation.IMAGE_HOSTED
    return Operation.IMAGE_HD if width * height > STANDARD_MAX_PIXELS else Operation.IMAGE_STANDARD


def price_table() -> dict[str, Decimal]:
    return dict(OperationPrice.objects.values_list("operation", "credits"))


@dataclass(frozen=True)
class RenderGroup:
    """`count` renders of one size: a channel × the job's variants."""

    label: str
    width: int
    height: int
    count: int
    hosted: bool = False


@dataclass(frozen=True)
class EstimateLine:
    label: str
    operation: str
    count: int
    unit_credits: Decimal

    @property
    def credits(self) -> Decimal:
        return self.unit_credits * self.count


@dataclass(frozen=True)
class Estimate:
    lines: tuple[EstimateLine, ...]
    available: Decimal
    plan: Plan

    @property
    def credits(self) -> Decimal:
        return sum((line.credits for line in self.lines), ZERO)

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.credits - self.available)

    def unit_price(self, label: str) -> Decimal:
        return next(line.unit_credits for line in self.lines if line.label == label)


def estimate(*, tenant: Tenant, groups: list[RenderGroup]) -> Estimate:
    """Price renders for the brand (raises PlanLimit for HD sizes its plan does not include)."""
    plan = plan_for(tenant=tenant)
    prices = price_table()
    lines = []
    for group in groups:
        operation = operation_for(width=group.width, height=group.height, hosted=group.hosted)
        if operation == Operation.IMAGE_HD and plan.max_resolution != Plan.Resolution.HD:
            raise PlanLimit(
                _(
                    "%(label)s is %(width)s×%(height)s: sizes over 1080×1920 are HD, which the "
                    "%(plan)s plan does not include. Upgrade to render them."
                )
                % {
                    "label": group.label,
                    "width": group.width,
                    "height": group.height,
                    "plan": plan.name,
                }
            )
        lines.append(
            EstimateLine(
                label=group.label,
                operation=operation,
                count=group.count,
                unit_credits=prices[operation],
            )
        )
    return Estimate(lines=tuple(lines), available=_available(tenant), plan=plan)


def _available(tenant: Tenant) -> Decimal:
    from .selectors import credit_balance

    return credit_balance(tenant=tenant).available


def lane_allowed(*, tenant: Tenant, lane: str) -> bool:
    """Only plans with the priority lane may send jobs on the interactive (priority) lane."""
    return lane != "interactive" or plan_for(tenant=tenant).priority_lane
