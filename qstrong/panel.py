"""Panels: tidy long tables ``county, year, measure, value``, validated against the catalog.

Every problem is collected (never stop at the first) and reported together in Chinese with the
line, county and measure; a panel with problems is never scored.
"""

from __future__ import annotations

import difflib
import operator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .catalog import Catalog, load_catalog
from .errors import InputError
from .measures import parse_value
from .names import name_changes, normalise_name
from .panelcsv import read_rows
from .paths import real_path, register_input
from .vocabulary import COLUMNS
from .writers.cells import unquote

REQUIRED = ("county", "year", "measure", "value")
YEARS = (2000, 2100)                       # evaluation years a panel may hold
OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}


@dataclass(frozen=True)
class Problem:
    """One input problem, located as precisely as the input allows."""

    message: str
    line: int | None = None
    county: str = ""
    measure: str = ""
    source: str = ""

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"第{self.line}行")
        if self.county:
            where.append(f"县（市、区）“{self.county}”")
        if self.measure:
            where.append(f"数据项 {self.measure}")
        return f"{'，'.join(where)}：{self.message}" if where else self.message


class PanelError(InputError):
    """A panel with input problems; ``problems`` holds every one found."""

    title = "输入数据有{n}处问题，未计分"


@lru_cache(maxsize=4096)
def _suggest(name: str, known: tuple[str, ...]) -> str:
    """A close known id (cached: 20,000 rows of one unknown id cost one search; long junk costs none)."""
    if len(name) > 80:
        return ""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return f"，是否应为 {close[0]}？" if close else ""


def _names(col: pd.Series, lines: pd.Series, what: str, source: str, notes: list[Problem]) -> list[str]:
    """Names normalised once per distinct spelling; the first line of each changed spelling is noted."""
    raw = col.astype(object).where(col.notna(), "").map(str)
    first = pd.Series(lines.to_numpy(), index=raw.to_numpy()).groupby(level=0, sort=False).first()
    done = {text: normalise_name(unquote(text.strip())) for text in first.index}   # '=x as written back → =x
    for text, line in first.items():
        if done[text] != text and done[text]:
            notes.append(Problem(f"{what}{name_changes(text).removeprefix('名称')}", line=int(line), source=source))
    return raw.map(done).tolist()


def _by_name(mids: list[str], measures: dict, source: str, notes: list[Problem]) -> list[str]:
    """Measure ids, a measure written by its Chinese name (as a table for people shows it) taken as its
    id; said once in `notes`."""
    unknown = {m for m in set(mids) if m not in measures}
    if not unknown:
        return mids
    ids = {normalise_name(m.name_zh): mid for mid, m in measures.items()}
    named = {m: ids[m] for m in unknown if m in ids}
    if not named:
        return mids
    first = next(m for m in mids if m in named)
    notes.append(Problem(f"数据项列有{len(named)}个写的是名称（如“{first}”），已按名称对应到数据项编号（如 {named[first]}）",
                         source=source))
    return [named.get(m, m) for m in mids]


def _years(col: pd.Series, lines: pd.Series, source: str, notes: list[Problem]) -> tuple[np.ndarray, list[str]]:
    """Years as ints and a problem text per row ('' when the year is fine); a spelling that had to be
    normalised (an invisible character, full-width digits) is noted once."""
    raw = col.astype(object).where(col.notna(), "").map(str)
    parsed: dict[str, int | str] = {}
    first = pd.Series(lines.to_numpy(), index=raw.to_numpy()).groupby(level=0, sort=False).first()
    for v, line in first.items():
        try:
            y = float(normalise_name(v))
            if not y.is_integer():
                raise ValueError
            parsed[v] = int(y) if YEARS[0] <= y <= YEARS[1] else f"年份“{v}”超出范围（应在{YEARS[0]}～{YEARS[1]}之间）"
            if normalise_name(v) != v and isinstance(parsed[v], int):
                notes.append(Problem(f"年份“{v}”含空格、不可见或全角字符，已规范为{parsed[v]}", line=int(line),
                                     source=source))
        except (ValueError, OverflowError):
            parsed[v] = f"年份“{v}”不是整数年份"
    got = raw.map(parsed)
    bad = got.map(lambda g: isinstance(g, str))
    years = got.where(~bad, 0).astype(np.int64).to_numpy()
    return years, got.where(bad, "").tolist()


class Panel:
    """A validated panel. ``data`` is long: county, year, measure, value (engine encoding), raw, line."""

    def __init__(self, data: pd.DataFrame, catalog: Catalog | None = None, source: str = ""):
        self.catalog = catalog or load_catalog()
        self.source = source
        self.data = data
        self.notes: list[Problem] = []      # normalisations made on the way in (not problems)
        self._wide: dict[int, pd.DataFrame] = {}

    # ── construction ──
    @classmethod
    def from_csv(cls, path: str | Path, catalog: Catalog | None = None) -> Panel:
        """Read a panel CSV as offices save it (UTF-8 with or without BOM, UTF-16 "Unicode text", GBK/GB18030;
        an English or Chinese header); see ``panelcsv`` for the checks. How it was read is in ``notes``."""
        path = Path(path)
        if not path.is_file():
            what = "不是普通文件（是目录或设备）" if path.exists() else "文件不存在"
            raise PanelError([Problem(what, source=str(path))])
        register_input(path)
        df, rows, read_notes = read_rows(path, REQUIRED)
        problems = [Problem(msg, line=line, source=str(path)) for line, msg in rows]
        if df is None:
            raise PanelError(problems)
        if not problems:
            panel = cls.from_frame(df, catalog, source=str(path))
            panel.notes[:0] = [Problem(note, source=str(path)) for note in read_notes]
            return panel
        try:                           # rows that could be read are still checked: every problem at once
            cls.from_frame(df, catalog, source=str(path))
        except PanelError as exc:
            problems += exc.problems
        raise PanelError(sorted(problems, key=lambda p: p.line or 0))

    @classmethod
    def from_frame(cls, df: pd.DataFrame, catalog: Catalog | None = None, source: str = "") -> Panel:
        """Validate a long DataFrame; raises PanelError listing every problem.

        County names and measure ids are normalised here (``normalise_name``: an invisible character or
        a full-width letter does not make a second county); each change is kept in ``notes``."""
        catalog = catalog or load_catalog()
        missing = [c for c in REQUIRED if c not in df.columns]
        if missing:
            zh = ",".join(COLUMNS[c] for c in REQUIRED)
            raise PanelError([Problem(f"缺少必需的列：{'、'.join(missing)}（应有 {','.join(REQUIRED)}，或中文表头 {zh}）",
                                      source=source)])
        df = df.reset_index(drop=True).copy()
        if "line" not in df.columns:
            df["line"] = np.arange(len(df)) + 2
        problems: list[Problem] = []
        notes: list[Problem] = []
        measures = catalog.measures
        parsed = np.full(len(df), np.nan)
        ok = np.ones(len(df), dtype=bool)
        cache: dict[tuple[str, object], tuple[float | None, str | None]] = {}
        counties = _names(df["county"], df["line"], "县（市、区）名称", source, notes)
        mids = _by_name(_names(df["measure"], df["line"], "数据项编号", source, notes), measures, source, notes)
        years, year_problems = _years(df["year"], df["line"], source, notes)
        for k, (county, mid, raw, line) in enumerate(zip(counties, mids, df["value"], df["line"], strict=True)):
            here = dict(line=int(line), county=county, measure=mid, source=source)
            if not county:
                problems.append(Problem("县（市、区）名称为空", **here))
                ok[k] = False
            if year_problems[k]:
                problems.append(Problem(year_problems[k], **here))
                ok[k] = False
            if mid not in measures:
                problems.append(Problem(f"未知的数据项“{mid}”{_suggest(mid, tuple(measures))}", **here))
                ok[k] = False
                continue
            key = (mid, raw if not isinstance(raw, float) or raw == raw else None)
            if key not in cache:
                cache[key] = parse_value(measures[mid], raw)
            value, err = cache[key]
            if err:
                problems.append(Problem(f"{measures[mid].name_zh}：{err}", **here))
                ok[k] = False
            elif value is not None:
                parsed[k] = value
        out = pd.DataFrame({
            "county": counties, "year": years, "measure": mids,
            "value": parsed, "raw": df["value"].astype(str), "line": df["line"].astype(int),
        })
        extra = [c for c in df.columns if c not in REQUIRED and c != "line"]
        for c in extra:
            out[c] = df[c].to_numpy()
        out = out[ok]
        out, dup_problems = _dedupe(out, source)
        problems += dup_problems
        problems += check_constraints(out, catalog, source)
        if problems:
            raise PanelError(problems)
        panel = cls(out.reset_index(drop=True), catalog, source)
        panel.notes = notes
        return panel

    # ── access ──
    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.data["year"].unique())

    @property
    def counties(self) -> list[str]:
        return list(dict.fromkeys(self.data["county"]))

    def latest_year(self) -> int:
        if self.data.empty:
            raise PanelError([Problem("面板中没有任何数据", source=self.source)])
        return self.years[-1]

    def sources(self, year: int) -> list[str]:
        """Distinct values of the optional `source` column in `year` (provenance shown to users)."""
        if "source" not in self.data.columns:
            return []
        col = self.data.loc[self.data["year"] == year, "source"].dropna()   # pandas 3: astype(str) keeps NaN
        return [s for s in dict.fromkeys(str(v).strip() for v in col) if s]

    def wide(self, year: int) -> pd.DataFrame:
        """Counties × all catalog measures for one year (engine encoding, NaN = missing)."""
        if year not in self._wide:
            d = self.data[self.data["year"] == year]
            w = d.pivot(index="county", columns="measure", values="value")
            order = list(dict.fromkeys(d["county"]))
            self._wide[year] = w.reindex(index=order, columns=list(self.catalog.measures)).astype(float)
        return self._wide[year]


def _dedupe(df: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    keys = ["county", "year", "measure"]
    dup = df.duplicated(keys, keep=False)
    if not dup.any():
        return df, []
    problems = []
    for (county, year, mid), g in df[dup].groupby(keys, sort=False):
        vals = g["value"].to_numpy()
        if np.all(vals == vals[0]) or np.all(np.isnan(vals)):
            continue
        lines = "、".join(str(v) for v in g["line"])
        texts = "、".join(f"“{r}”" for r in g["raw"])
        problems.append(Problem(f"{year}年同一数据项出现多次且取值不同（第{lines}行：{texts}）",
                                county=county, measure=mid, source=source))
    return df.drop_duplicates(keys, keep="first"), problems


def check_constraints(df: pd.DataFrame, catalog: Catalog, source: str) -> list[Problem]:
    problems = []
    for c in catalog.constraints:
        left = df[df["measure"] == c.left].set_index(["county", "year"])
        right = df[df["measure"] == c.right].set_index(["county", "year"])
        both = left.merge(right, left_index=True, right_index=True, suffixes=("_l", "_r")).dropna(subset=["value_l", "value_r"])
        bad = both[~OPS[c.op](both["value_l"], both["value_r"])]
        for (county, year), r in bad.iterrows():
            problems.append(Problem(
                f"{year}年{c.message}（{c.left}={r['raw_l']}，{c.right}={r['raw_r']}，第{r['line_r']}行）",
                line=int(r["line_l"]), county=county, measure=c.left, source=source))
    return problems


def with_peers(own: Panel, peers: Panel, county: str | None) -> Panel:
    """`own` plus the other counties of `peers` (rows of `county` in `peers` are dropped)."""
    other = peers.data if county is None else peers.data[peers.data["county"] != county]
    other = other[~other.set_index(["county", "year"]).index.isin(
        own.data.set_index(["county", "year"]).index.unique())]
    frame = pd.concat([own.data, other], ignore_index=True)
    same = bool(own.source) and bool(peers.source) and real_path(str(own.source)) == real_path(str(peers.source))
    return Panel(frame, own.catalog, source=str(own.source) if same else f"{own.source} + {peers.source}")


def load_panel(obj: str | Path | pd.DataFrame | Panel, catalog: Catalog | None = None) -> Panel:
    """A Panel from a CSV path, a long DataFrame or a Panel."""
    if isinstance(obj, Panel):
        return obj
    if isinstance(obj, pd.DataFrame):
        return Panel.from_frame(obj, catalog)
    return Panel.from_csv(obj, catalog)
