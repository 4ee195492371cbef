"""Template filters of the billing pages."""

from decimal import Decimal

from django import template

register = template.Library()

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cny": "¥", "jpy": "¥"}


@register.filter
def money(cents: int | None, currency: str = "usd") -> str:
    """2999, "usd" → "$29.99"; whole amounts drop the cents ("$0"); unknown codes trail."""
    amount = Decimal(cents or 0) / 100
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    symbol = _SYMBOLS.get(currency.lower())
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


@register.filter
def signed(value: Decimal | None) -> str:
    """A credit change with its sign and without needless decimals: +200, −12.50, 0."""
    value = value or Decimal(0)
    text = f"{abs(value):,.0f}" if value == value.to_integral_value() else f"{abs(value):,.2f}"
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text
