"""The seed documents as the tests' oracle: their text, cut into tables and forms.

The text is what a PDF extractor made of the published documents: line breaks and
spaces are the extractor's. `squash` removes all white space, so a rendering and the
seed compare character for character on everything else.
"""

import re
from functools import cache
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "disclosures" / "fixtures" / "demo" / "sources"
LINXIA = SOURCES / "004_69e425832d03fcc4.txt"
ZENGCHENG = SOURCES / "000_e61b6e1f16b05ded.txt"

TABLE_HEADING = re.compile(r"^\s*表([一二三四五六七八九十]+)、", re.MULTILINE)
NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@cache
def linxia_text() -> str:
    return LINXIA.read_text(encoding="utf-8")


@cache
def zengcheng_text() -> str:
    return ZENGCHENG.read_text(encoding="utf-8")


def _attachments() -> tuple[str, str]:
    text = linxia_text()
    start = text.index("附件 1\n")
    end = text.index("附件 2\n")
    return text[start + len("附件 1") : end], text[end + len("附件 2") :]


@cache
def linxia_tables() -> dict[int, str]:
    """Seed 004's 附件1 cut into its eleven tables: number → text from its heading on."""
    tables_text, _forms = _attachments()
    matches = list(TABLE_HEADING.finditer(tables_text))
    sections = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(tables_text)
        sections[NUMERALS.index(match.group(1)) + 1] = tables_text[match.start() : end]
    return sections


@cache
def linxia_forms() -> list[str]:
    """Seed 004's 附件2: the department-wide form, then one text per project form."""
    _tables, forms_text = _attachments()
    parts = re.split(r"(?=项目支出绩效目标表\s*\n)", forms_text)
    return [part for part in parts if part.strip()]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
