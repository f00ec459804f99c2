"""What intake records: problems (Issue), every value cell read (CellRead), one file (WorkbookRead)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..measures import load_measures
from ..names import clean_text
from .files import FileInfo

ACCEPTED, NORMALISED, MISSING, REJECTED = "采用", "已规范化", "未填报", "拒绝"
NO_EVIDENCE = "缺佐证材料"
MAX_LISTED = 50            # problems of one kind listed per file; the rest are counted in one line
BAD_VALUE = "填报值有误"
CELL_KINDS = (BAD_VALUE, NO_EVIDENCE)     # kinds whose every cell is also in the cell-by-cell record


@dataclass(frozen=True)
class Issue:
    """A problem (level 错误: blocks scoring) or a notice (提醒), located as precisely as possible."""

    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    measure: str = ""
    level: str = "错误"

    def __str__(self) -> str:
        m = load_measures().get(self.measure)
        measure = self.measure and f"数据项 {self.measure}" + (f"（{m.name_zh}）" if m else "")
        where = [p for p in (self.file and f"文件“{self.file}”", self.sheet and f"工作表“{self.sheet}”",
                             self.cell and f"单元格{self.cell}", measure) if p]
        text = f"[{self.level}] {'，'.join(where)}：{self.message}" if where else f"[{self.level}] {self.message}"
        return clean_text(text)           # a file named with an escape sequence shows it, never runs it


@dataclass
class CellRead:
    """One value cell read: where it came from, what was typed, what was made of it."""

    file: str
    sheet: str
    cell: str
    department: str
    county: str
    year: int | None
    measure: str
    original: str
    value: str | None
    status: str
    note: str = ""
    evidence: str = ""
    remark: str = ""
    sha256: str = ""
    modified: str = ""
    no_evidence: bool = False


def kind_of(message: str) -> str:
    """A message's kind when none is given: its text without what it quotes and its numbers."""
    return re.sub(r"“[^”]*”|（[^）]*）|[0-9]+", "…", message)[:30]


@dataclass
class Listing:
    """Issues as listed: of one kind (and level, sheet) only MAX_LISTED, the rest counted."""

    issues: list[Issue] = field(default_factory=list)
    listed: Counter = field(default_factory=Counter)       # (kind, level, sheet) → problems listed
    unlisted: Counter = field(default_factory=Counter)     # … and those only counted

    def add(self, issue: Issue, kind: str = "") -> bool:
        """Record `issue`; of one `kind` (a short Chinese label, else :func:`kind_of` its message) only
        MAX_LISTED are listed, the rest counted for :meth:`summarise`. Returns whether it was listed."""
        key = (kind, issue.level, issue.sheet) if kind else (kind_of(issue.message), issue.level, "")
        if not self.would_list(*key):
            self.unlisted[key] += 1
            return False
        self.listed[key] += 1
        self.issues.append(issue)
        return True

    def would_list(self, kind: str, level: str = "错误", sheet: str = "") -> bool:
        """Whether the next problem of `kind` would be listed (spares composing an unlisted message)."""
        return self.listed[(kind, level, sheet)] < MAX_LISTED

    def summarise(self, file: str = "") -> None:
        """One line per kind with unlisted issues: 另有N处同类问题 / 另有N条同类提醒."""
        for (kind, level, sheet), n in self.unlisted.items():
            cells = "，各单元格的情况见收集报告的逐格记录" if kind in CELL_KINDS else ""
            what = f"另有{n}条同类提醒" if level == "提醒" else f"另有{n}处同类问题"
            self.issues.append(Issue(f"{what}（{kind}）未逐一列出：前{MAX_LISTED}{'条' if level == '提醒' else '处'}见上"
                                     f"{cells}", file, sheet, level=level))
        self.unlisted.clear()


@dataclass
class WorkbookRead(Listing):
    info: FileInfo | None = None
    meta: dict[str, str] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)
    reads: list[CellRead] = field(default_factory=list)

    @property
    def department(self) -> str:
        return self.meta.get("department", "")

    @property
    def readable(self) -> bool:
        return bool(self.meta) and not any(i.level == "错误" and not i.cell and not i.measure
                                           for i in self.issues)

    def summarise(self, file: str = "") -> None:
        super().summarise(file or self.info.name)
