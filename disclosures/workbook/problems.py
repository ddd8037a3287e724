"""What goes wrong in a workbook, said in Chinese with the sheet and cell it is in."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        where = "，".join(
            part
            for part in (
                f"工作表“{self.sheet}”" if self.sheet else "",
                self.cell and f"单元格 {self.cell}",
            )
            if part
        )
        return f"{where}：{self.message}" if where else self.message


class WorkbookError(Exception):
    """The workbook cannot be imported; nothing was saved. Holds every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects the problems of one reading, so a clerk sees all of them at once."""

    LIMIT = 50

    def __init__(self):
        self.items: list[Problem] = []

    def add(self, message: str, sheet: str = "", cell: str = "") -> None:
        self.items.append(Problem(message, sheet, cell))
        if len(self.items) >= self.LIMIT:
            raise WorkbookError([*self.items, Problem(f"问题超过 {self.LIMIT} 处，其余未列出。")])

    def raise_if_any(self) -> None:
        if self.items:
            raise WorkbookError(self.items)
