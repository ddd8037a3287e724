"""Reading what clerks type into cells: full-width characters, stray spaces, numbers
stored as text, thousands separators; amounts strict to the 分."""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from disclosures import money

BLANK_MARKS = {"", "-", "—", "–", "－", "/", "——"}
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
# Stored amounts are 万元 with six decimals: exact to the 分.
FEN = Decimal("0.000001")


class NotAnAmount(ValueError):
    """A cell that should hold an amount does not; the message says why, in Chinese."""


def clean(value) -> str:
    """A cell's text as printed, without the spaces around it (full-width ones included)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().strip("\u3000").strip()


def normal(value) -> str:
    """For comparing labels: full-width folded to half-width (NFKC), every space removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", clean(value))).replace("\u3000", "")


def shown(value) -> str:
    """A cell's value for a message: a number as Excel shows it (15 digits), text shortened."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()  # a date typed where an amount belongs
    text = format(value, ".15g") if isinstance(value, float) else clean(value)
    return text if len(text) <= 40 else f"{text[:40]}…"


def amount(value, *, yuan: bool = False) -> Decimal:
    """An amount in 万元 from a cell: blank is zero; text such as "１,２３４.５０" is read;
    negative, non-numeric or finer than the 分 is refused with NotAnAmount."""
    if value is None or isinstance(value, bool):
        if value is None:
            return money.ZERO
        raise NotAnAmount(f"“{shown(value)}”不是金额")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # Excel keeps 15 significant digits, and a sum it computed may carry binary noise
        # beyond them (866.0699999999999): read the number Excel shows.
        number = Decimal(format(value, ".15g"))
    elif isinstance(value, Decimal):
        number = value
    else:
        text = normal(value)
        if text in BLANK_MARKS:
            return money.ZERO
        if not _NUMBER.match(text):
            raise NotAnAmount(f"“{shown(value)}”不是金额")
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
            raise NotAnAmount(f"“{shown(value)}”不是金额") from error
    if not number.is_finite():
        raise NotAnAmount(f"“{shown(value)}”不是金额")
    if number < 0:
        raise NotAnAmount(f"金额 {shown(value)} 为负数，预算金额不能为负")
    # Before rounding: quantize() cannot hold more digits than the context (28).
    if (money.yuan_to_wan(number) if yuan else number).adjusted() >= (
        money.MAX_DIGITS - money.DECIMAL_PLACES
    ):
        raise NotAnAmount(f"金额 {shown(value)} 过大")
    if yuan:
        if number != number.quantize(money.CENT):
            raise NotAnAmount(f"金额 {shown(value)} 元精确到分以下（超过两位小数）")
        number = money.yuan_to_wan(number)
    elif number != number.quantize(FEN):
        raise NotAnAmount(f"金额 {shown(value)} 万元超过六位小数（精确到分以下）")
    return number
