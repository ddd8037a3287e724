"""Chinese ordinals as the statutory tables number their items (一、 （一）)."""

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 31 → 三十一 (1 ≤ n ≤ 99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"chinese_number supports 1 to 99, not {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def ordinal(n: int, style: str) -> str:
    """The prefix of item n: style "chinese" gives 一、, "paren" gives （一）."""
    if style == "chinese":
        return f"{chinese_number(n)}、"
    if style == "paren":
        return f"（{chinese_number(n)}）"
    raise ValueError(f"unknown ordinal style {style!r}")
