"""What billing refuses, in words a user can act on (the API maps them to 402 and 403)."""

from decimal import Decimal

from django.utils.translation import gettext as _


class BillingRefusal(Exception):
    """The brand's credits or plan do not allow the request."""


class InsufficientCredits(BillingRefusal):
    """The brand cannot afford the reservation; `shortfall` credits are missing."""

    def __init__(self, *, needed: Decimal, available: Decimal) -> None:
        self.needed = needed
        self.available = available
        self.shortfall = needed - available
        super().__init__(
            _(
                "This needs %(needed)s credits but only %(available)s are available "
                "(%(shortfall)s short). Buy a credit pack or upgrade your plan."
            )
            % {"needed": needed, "available": available, "shortfall": self.shortfall}
        )


class PlanLimit(BillingRefusal):
    """The brand's plan does not include what was asked (HD sizes, a seat, the API)."""
