"""Intake of a folder of submissions: one tidy panel with provenance, or every problem found.

Duplicated departments and conflicting values are errors that name the files and cells; a
resolutions file settles conflicts and the choice is recorded. Unfilled cells are missing values
and go to the chase list (未填报清单). Input files are only read, never modified.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..catalog import Catalog, load_catalog
from ..departments import assignment
from ..errors import InputError
from ..names import name_changes, normalise_name
from ..panel import Panel
from ..paths import register_folder, register_input
from . import layout as L
from . import resolutions as R
from .files import read_submission
from .model import NO_EVIDENCE, Listing
from .normalise import normalise
from .reader import (
    ACCEPTED,
    EVIDENCE_POLICIES,
    MISSING,
    NORMALISED,
    REJECTED,
    CellRead,
    Issue,
    WorkbookRead,
    read_workbook,
)
from .walk import list_files

RESOLVED, OVERRULED, DUPLICATE = "采用（按裁定）", "未采用（按裁定）", "拒绝（同一部门多个文件）"
PROVENANCE = ["department", "file", "sheet", "cell", "original", "sha256", "modified", "evidence", "remark", "note"]


@dataclass
class IntakeResult:
    """What a folder of submissions gave: the panel, every cell read, problems, chase list."""

    folder: str
    books: list[WorkbookRead]
    issues: list[Issue]
    panel: pd.DataFrame                 # county, year, measure, value + provenance columns
    resolutions: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "错误"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def reads(self) -> list[CellRead]:
        return [r for b in self.books for r in b.reads]

    def cells(self) -> pd.DataFrame:
        """Every value cell read: accepted, normalised (original → value), missing, or rejected."""
        cols = ["file", "sheet", "cell", "department", "county", "year", "measure", "original", "value",
                "status", "note", "evidence", "remark", "sha256", "modified"]
        return pd.DataFrame([r.__dict__ for r in self.reads], columns=cols)

    def files(self) -> pd.DataFrame:
        rows = [{"file": b.info.name, "department": b.department, "county": b.meta.get("county", ""),
                 "year": b.meta.get("year", ""), "sha256": b.info.sha256, "modified": b.info.modified,
                 "bytes": b.info.size, "values": sum(r.value is not None for r in b.reads),
                 "problems": sum(i.level == "错误" for i in b.issues),
                 **{k: b.contact.get(k, "") for k in L.GUIDE_FIELDS}} for b in self.books]
        return pd.DataFrame(rows)

    def issues_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"level": i.level, "file": i.file, "sheet": i.sheet, "cell": i.cell,
                              "measure": i.measure, "message": i.message} for i in self.issues],
                            columns=["level", "file", "sheet", "cell", "measure", "message"])

    def chase(self, catalog: Catalog | None = None) -> pd.DataFrame:
        """未填报清单: per department, the measures it left empty or never sent."""
        catalog = catalog or load_catalog()
        have = {(r.county, r.measure) for r in self.reads if r.value is not None}
        rows = []
        for r in self.reads:
            if r.status == MISSING:
                rows.append({"department": r.department, "measure": r.measure,
                             "name": catalog.measures[r.measure].name_zh,
                             "indicator": catalog.measures[r.measure].indicator, "file": r.file, "cell": r.cell,
                             "status": "未填报", "covered_by_other": (r.county, r.measure) in have})
            elif r.no_evidence:
                rows.append({"department": r.department, "measure": r.measure,
                             "name": catalog.measures[r.measure].name_zh,
                             "indicator": catalog.measures[r.measure].indicator, "file": r.file, "cell": r.cell,
                             "status": "缺佐证", "covered_by_other": False})
        sent = {b.department for b in self.books if b.meta}
        for dept, measures in assignment(catalog).by_department.items():
            if dept not in sent:
                for m in measures:
                    rows.append({"department": dept, "measure": m, "name": catalog.measures[m].name_zh,
                                 "indicator": catalog.measures[m].indicator, "file": "", "cell": "",
                                 "status": "未报送文件", "covered_by_other": any(k[1] == m for k in have)})
        return pd.DataFrame(rows, columns=["department", "measure", "name", "indicator", "file", "cell",
                                           "status", "covered_by_other"])

    def to_panel(self, catalog: Catalog | None = None) -> Panel:
        """The validated Panel (raises PanelError if the values break a cross-measure check)."""
        return Panel.from_frame(self.panel.copy(), catalog, source=self.folder)

    def report(self) -> str:
        """A Chinese summary for the terminal."""
        n_files = len(self.books)
        n_values = int(self.panel.shape[0])
        lines = [f"读取 {n_files} 个文件，得到 {n_values} 个数据值。"]
        errs = self.errors
        notes = [i for i in self.issues if i.level != "错误"]
        if errs:
            lines.append(f"发现 {len(errs)} 处错误，需更正后重新报送（未计分）：")
            lines += [f"  {k}. {i}" for k, i in enumerate(errs, 1)]
        if notes:
            lines.append(f"提醒 {len(notes)} 条：")
            lines += [f"  - {i}" for i in notes]
        if self.resolutions:
            lines.append("按裁定采用：")
            lines += [f"  - {t}" for t in self.resolutions]
        return "\n".join(lines)


def load_resolutions(path: str | Path | None, catalog: Catalog | None = None) -> pd.DataFrame:
    """Resolutions CSV: measure, department and/or value, note (county, year optional).

    Raises InputError listing every problem (intake() instead reports them among the others)."""
    if path is None:
        return R.empty()
    df, issues = R.read_resolutions(path, catalog or load_catalog())
    errors = [i for i in issues if i.level == "错误"]
    if errors:
        raise InputError(errors, "裁定文件有{n}处问题")
    return df


def _read_books(folder: Path, paths: list[Path], catalog: Catalog, evidence: str,
                issues: list[Issue]) -> list[WorkbookRead]:
    books = []
    for p in paths:
        try:
            info, data = read_submission(p, folder)
        except OSError as exc:           # unreadable (permissions), vanished: one problem among the others
            issues.append(Issue(f"无法读取文件（{exc.strerror or type(exc).__name__}）：请检查文件权限后重新报送",
                                str(p.relative_to(folder))))
            continue
        register_input(p)
        books.append(read_workbook(info, data, catalog, evidence))
    return books


def intake(folder: str | Path, year: int | None = None, county: str | None = None,
           resolutions: str | Path | pd.DataFrame | None = None, catalog: Catalog | None = None,
           evidence: str = "warn") -> IntakeResult:
    """Read every workbook under `folder` into one panel with provenance; collect every problem.

    `evidence`: what a value with an empty 佐证材料 cell gets — "warn" (default: used, a notice per
    cell, 缺佐证 on the chase list), "strict" (rejected, as the template's guide says), "off"."""
    if evidence not in EVIDENCE_POLICIES:
        raise InputError([f"evidence 应为 {'、'.join(EVIDENCE_POLICIES)} 之一，而不是“{evidence}”"])
    catalog = catalog or load_catalog()
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([f"目录不存在：{folder}"], "无法收集")
    register_folder(folder)
    paths, skipped = list_files(folder)
    listing = Listing()                  # a thousand ignored files: fifty listed, the rest counted
    for i in skipped:
        listing.add(i)
    listing.summarise()
    issues = listing.issues
    if county is not None and normalise_name(county) != county:
        issues.append(Issue(f"参数 county：{name_changes(county)}", level="提醒"))
        county = normalise_name(county)
    if isinstance(resolutions, str | Path):  # a resolutions file kept beside the submissions is not one
        paths = [p for p in paths if p.resolve() != Path(resolutions).resolve()]
        res, res_issues = R.read_resolutions(resolutions, catalog)
        issues += res_issues
    else:
        res = resolutions if isinstance(resolutions, pd.DataFrame) else R.empty()
    books = _read_books(folder, paths, catalog, evidence, issues)
    for b in books:
        issues += b.issues
        if not b.meta:
            continue
        if year is not None and int(b.meta["year"]) != int(year):
            issues.append(Issue(f"模板年度为{b.meta['year']}，本次收集的是{year}年度：请使用{year}年度模板",
                                b.info.name, L.SHEET_META))
            b.reads = []
        if county is not None and b.meta["county"] != county:
            issues.append(Issue(f"模板属于“{b.meta['county']}”，本次收集的是“{county}”", b.info.name, L.SHEET_META))
            b.reads = []
    _mixed(books, issues, county is None, year is None)
    _duplicate_departments(books, issues)
    panel, notes = _combine(books, res, catalog, issues)
    return IntakeResult(str(folder), books, issues, panel, notes)


def _mixed(books: list[WorkbookRead], issues: list[Issue], by_county: bool, by_year: bool) -> None:
    """Templates of several counties (or years) in one intake, none asked for: an error naming each
    county's files (which one was meant is not ours to guess)."""
    for key, label, option, asked in (("county", "县（市、区）", "--county", by_county), ("year", "年度", "--year", by_year)):
        groups: dict[str, list[str]] = defaultdict(list)
        for b in books:
            if b.meta and b.reads:
                groups[b.meta[key]].append(b.info.name)
        if not asked or len(groups) < 2:
            continue
        parts = []
        for value, names in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            shown = "、".join(f"“{n}”" for n in names[:10]) + (f"等{len(names)}个文件" if len(names) > 10 else "")
            parts.append(f"{value}{'年' if key == 'year' else ''}：{shown}")
        issues.append(Issue(f"收集目录中的模板属于{len(groups)}个不同的{label}（{'；'.join(parts)}）。一次收集只能是一个"
                            f"{label}：请用 {option} 指定要收集的{label}，或把其他的文件移出目录", level="错误"))


def _duplicate_departments(books: list[WorkbookRead], issues: list[Issue]) -> None:
    groups: dict[tuple, list[WorkbookRead]] = defaultdict(list)
    for b in books:
        if b.meta:
            groups[(b.department, b.meta["county"], b.meta["year"])].append(b)
    for (dept, county, yr), bs in groups.items():
        if len(bs) < 2:
            continue
        names = "、".join(f"“{b.info.name}”（修改于{b.info.modified}）" for b in bs)
        for b in bs:
            issues.append(Issue(f"{dept}的{county}{yr}年度模板收到{len(bs)}个文件：{names}。无法判断以哪个为准，"
                                "请确认后只保留一个文件", b.info.name))
            for r in b.reads:
                if r.value is not None:
                    r.status, r.value = DUPLICATE, None


def _combine(books: list[WorkbookRead], res: pd.DataFrame, catalog: Catalog,
             issues: list[Issue]) -> tuple[pd.DataFrame, list[str]]:
    by_key: dict[tuple, list[CellRead]] = defaultdict(list)
    for b in books:
        for r in b.reads:
            if r.value is not None and r.status in (ACCEPTED, NORMALISED):
                by_key[(r.county, r.year, r.measure)].append(r)
    rows, notes = [], []
    for (county, yr, mid), reads in by_key.items():
        values = {r.value for r in reads}
        chosen = reads
        if len(values) > 1:
            chosen = _resolve(county, yr, mid, reads, res, catalog, issues, notes)
            if not chosen:
                continue
        first = chosen[0]
        remarks = "；".join(dict.fromkeys(r.remark for r in chosen if r.remark))
        row = {"county": county, "year": yr, "measure": mid, "value": first.value,
               "source": "部门填报" + (f"：{remarks}" if remarks else "")}
        for k in PROVENANCE:  # positionally aligned: the n-th entry of every column is one source
            row[k] = "；".join(str(getattr(r, k)) for r in chosen)
        rows.append(row)
    return pd.DataFrame(rows, columns=["county", "year", "measure", "value", "source", *PROVENANCE]), notes


def _resolve(county, yr, mid, reads, res, catalog, issues, notes) -> list[CellRead]:
    m = catalog.measures[mid]
    cand = res[(res["measure"] == mid) & res["county"].isin(["", county]) & res["year"].isin(["", str(yr)])]
    where = "；".join(f"{r.department}“{r.file}”{r.cell}={r.original}" for r in reads)
    if cand.empty:
        issues.append(Issue(f"{county}{yr}年{m.name_zh}：各部门填报不一致（{where}）。请核实后在裁定文件中"
                            f"指定采用哪个部门的值（--resolve）", measure=mid))
        return []
    rule = cand.iloc[-1]
    if rule["department"]:
        chosen = [r for r in reads if r.department == rule["department"]]
        if not chosen:
            issues.append(Issue(f"裁定文件指定的部门“{rule['department']}”没有填报{m.name_zh}（{where}）", measure=mid))
            return []
        value = chosen[0].value
    else:
        nv = normalise(m, rule["value"])
        if nv.error or nv.value is None:
            issues.append(Issue(f"裁定文件中{m.name_zh}的值“{rule['value']}”无效：{nv.error or '为空'}", measure=mid))
            return []
        value = nv.value
        chosen = [r for r in reads if r.value == value] or [CellRead(
            res.attrs.get("source", "裁定文件"), "", "", "裁定", county, yr, mid, str(rule["value"]), value,
            RESOLVED, note=rule["note"])]
    for r in reads:
        r.status = RESOLVED if r in chosen else OVERRULED
    who = rule["department"] or f"裁定值{value}"
    notes.append(f"{county}{yr}年{m.name_zh}：采用{who}（{where}）"
                 + (f"，理由：{rule['note']}" if rule["note"] else ""))
    return chosen


__all__ = ["IntakeResult", "intake", "load_resolutions", "ACCEPTED", "NORMALISED", "MISSING", "REJECTED",
           "NO_EVIDENCE"]
