"""Reading a statutory workbook back into a disclosure's rows and forms.

Sheets are found by the title printed in them, not by their names; columns by the header
texts above them, as the table specs define them; the project forms' sheets, in workbook
order, give the projects' order (the project list groups them by unit). What real
workbooks contain is forgiven: blank rows and columns, merged cells, full-width characters
and spaces, code and name in one cell or two, numbers stored as text, thousands
separators, amounts in 元. Numbers are not forgiven: a cell that should hold an amount and
does not is a problem, named by sheet and cell. Nothing here touches the database but the
catalogue lookups.

- `sheets`: the whole workbook, each sheet identified and read;
- `head`: captions, the unit of money, header texts, the body down to the notes;
- `lists`, `summaries`: the list tables and the summary tables (1, 2, 4);
- `forms`, `project_list`, `projects`: the performance forms, the project list, and the
  projects put together from both;
- `text`, `reading`: the words clerks type, and the state of one reading.

Labels and titles come from the specs (`disclosures.specs`, `specs.forms`); the other
words workbooks print for them from `specs.synonyms`.
"""

from .reading import Content
from .sheets import identify, read_workbook, titles

__all__ = ["Content", "identify", "read_workbook", "titles"]
