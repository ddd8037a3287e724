"""Money helpers: plain functions over Decimal, tested without a database.

Amounts are stored in 万元 with six decimal places, which is exact to the 分
(0.000001 万元 = 0.01 元). Published tables show 万元 with two decimals, rounded
half up from the exact value, so a total is summed before it is rounded. Percentages
are rounded the same way (四舍五入), wherever they are printed.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
YUAN_PER_WAN = Decimal("10000")

# DecimalField shape of every stored amount (万元).
MAX_DIGITS = 18
DECIMAL_PLACES = 6


def round_to_cents(amount: Decimal) -> Decimal:
    """Round to two decimals, half up, as published tables do."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(amount: Decimal | None, *, blank_zero: bool = False) -> str:
    """A table cell: two decimals (990.07, 169.00); "" for no amount, and for zero if asked."""
    if amount is None or (blank_zero and amount == ZERO):
        return ""
    return f"{round_to_cents(amount):f}"


def format_plain(amount: Decimal | None, *, blank_zero: bool = True) -> str:
    """A figure as forms print it: no trailing zeros (169, 714.75, 750000)."""
    if amount is None or (blank_zero and amount == ZERO):
        return ""
    rounded = round_to_cents(amount)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole in per cent, rounded half up to two decimals (四舍五入, as budget
    documents print it: 12.345 % is 12.35); None when the whole is zero."""
    if whole == ZERO:
        return None
    return round_to_cents(part / whole * HUNDRED)


def wan_to_yuan(amount: Decimal) -> Decimal:
    return amount * YUAN_PER_WAN


def yuan_to_wan(amount: Decimal) -> Decimal:
    return amount / YUAN_PER_WAN


def total(amounts: Iterable[Decimal | None]) -> Decimal:
    """Sum of exact amounts, treating a blank as zero."""
    return sum((amount or ZERO for amount in amounts), ZERO)
