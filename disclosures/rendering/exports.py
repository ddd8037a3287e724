"""Machine-readable downloads of a rendered table: CSV, one column per leaf of the header."""

import csv
import io

from disclosures.specs import RenderedTable
from disclosures.specs.base import place

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text a spreadsheet would run as a formula is given a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def inert(value: str) -> str:
    """A text as a spreadsheet cannot run it, for a file that is imported again: with a
    leading apostrophe when it starts like a formula (neutralise), and when it starts with
    apostrophes before such a character, so that `restored` gives back exactly what was
    exported."""
    return f"'{value}" if _looks_escaped(value) else neutralise(value)


def restored(value: str) -> str:
    """An imported text without the apostrophe `inert` gave it."""
    return value[1:] if _looks_escaped(value) else value


def _looks_escaped(value: str) -> bool:
    return value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS)


def inert_cell(cell) -> None:
    """An openpyxl cell holding a text that starts like a formula keeps it as text, with
    Excel's quote prefix (as the statutory workbook's cells do), never as a formula."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def table_rows(table: RenderedTable) -> list[list[str]]:
    """The header as one line of column labels, then each row with merged cells spread
    over the columns they cover (the text in the first, the rest blank)."""
    labels = table.leaf_labels
    width = len(labels)
    lines = [labels]
    for line in place(tuple(row.cells for row in table.rows)):
        values = [""] * width
        for cell, c in line:
            values[c] = cell.text
        lines.append(values)
    return lines


def table_csv(table: RenderedTable) -> str:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([table.heading])
    writer.writerow([neutralise(line) for line in table.captions])
    for line in table_rows(table):
        writer.writerow([neutralise(value) for value in line])
    return out.getvalue()
