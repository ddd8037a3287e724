"""Text as clerks type it into a workbook: numbering before names, codes written with
names, units of money in captions, lines wrapped by hand, notes under a table."""

import re
import unicodedata

from disclosures.specs.synonyms import CAPTION_PREFIXES, CODE_HEADER_ENDINGS, NOTE_STARTS

from ..cells import clean, normal
from ..grid import Line
from ..writer import EXPLANATION_PREFIX

_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+(?:、|[.．](?!\d)))\s*"
)
_CODE_IN_NAME = re.compile(
    r"^\s*[\[【［]?(\d{3}(?:\d{2}){0,2})(?!\d)[\]】］]?\s*[-－—、.．:：]?\s*(.*)$", re.S
)
_PREFIXES = re.compile(r"^(?:" + "|".join(map(re.escape, CAPTION_PREFIXES)) + r")\s*[：:]\s*")
# On normal() text: a cell that is only the unit ("单位:万元", "金额单位:元", "(单位:万元)"),
# and the unit inside another cell ("部门名称:…单位:万元", a title ending "(单位:元)").
_UNIT_CELL = re.compile(r"^\(?(?:金额)?单位:([^:()]{0,5}?元)\)?$")
_UNIT_WITHIN = re.compile(r"\(?(?:金额)?单位\s*:\s*([^\s:()]{0,5}?元)(?![\u4e00-\u9fff])\)?")
_NOTE_STARTS = (*NOTE_STARTS, normal(EXPLANATION_PREFIX))


def strip_numbering(text: str) -> str:
    """ "一、某某单位", "（二）某某", "1、某某项目" → the name alone."""
    return _NUMBERING.sub("", text, count=1)


def split_code(text: str) -> tuple[str, str]:
    """ "2010101 行政运行", "[30201]办公费" → (code, name); a plain name → ("", name)."""
    match = _CODE_IN_NAME.match(text)
    if match and match.group(2).strip():
        return match.group(1), match.group(2).strip()
    return "", text


def subject_code(text: str) -> str:
    """A subject code as typed: "201 01 01", "[2010101]", "２０１" → "2010101"."""
    return re.sub(r"[\[\]【】()]", "", normal(text))


def one_line(text: str) -> str:
    """A name or sentence wrapped by hand inside its cell, joined again (Chinese needs no
    space where the line broke)."""
    return re.sub(r"\s*\n\s*", "", text)


def is_code_header(text: str) -> bool:
    return text.endswith(CODE_HEADER_ENDINGS)


def is_unit_cell(text: str) -> bool:
    """Whether a normal() text is the unit alone: "单位:万元"."""
    return _UNIT_CELL.match(text) is not None


def money_unit(text: str) -> str | None:
    """The unit a caption states ("单位：万元", "金额单位：人民币元"), or None."""
    found = _UNIT_WITHIN.search(text)
    return found.group(1).removeprefix("人民币") if found else None


def without_unit(caption: str) -> str:
    """ "部门名称：…　单位：万元" → "部门名称：…"."""
    return _UNIT_WITHIN.sub("", unicodedata.normalize("NFKC", caption)).strip()


def has_prefix(caption: str) -> bool:
    """Whether a caption names a department or unit as such: "编制部门：…"."""
    return _PREFIXES.match(unicodedata.normalize("NFKC", caption)) is not None


def without_prefix(caption: str) -> str:
    return _PREFIXES.sub("", clean(caption))


def once(line: Line) -> list[int]:
    """The filled cells, a merged range once: read_grid repeats its value in each column."""
    return [i for i in line.filled if i == 0 or line.values[i - 1] != line.values[i]]


def is_note(line: Line) -> bool:
    """Whether a line ends a table's body, as 备注 and the signatures do."""
    return line.first_text().startswith(_NOTE_STARTS)
