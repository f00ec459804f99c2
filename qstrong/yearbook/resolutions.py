"""The resolutions file of ``--resolve``: which source or value settles a conflict between real figures.

:func:`read_resolutions` reads every row and reports every problem of every row at once, each with its
place (裁定文件“x.csv”第N行, :func:`.places.rule_place`): the file's own (a year that is not a year, an
unknown measure, neither or both of source and value, a value that is not a number, a county/year/measure
settled twice) and, when the base panel and the imported files are given, a county not in the base
(with the nearest names), a year the base cannot take, and a source that is none of the imported files
nor the base. A row with a problem is left out of the rules, so the merge (:func:`.merge.merge_into`)
only adds the problems of matching rules to conflicts — kept apart (``Merged.rule_problems``).

A value settles a conflict only when it is one of the conflict's own values (within that source's
printed rounding): a number of one's own is not an override (write it into a table and import it).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..measures import load_measures
from ..panelcsv import parse, tab_separated
from ..paths import register_input
from ..peerdata import PREV
from ..textfiles import UTF16, TextError, decoded
from .places import BASE, rule_place

__all__ = ["RULE_COLUMNS", "read_resolutions", "rule_place"]

RULE_COLUMNS = ["county", "year", "measure", "source", "value", "note", "line", "file"]
MAX_RULE_BYTES = 5 * 1024 * 1024
PREV_LAG = 1                 # a rule on m of year Y also settles m_prev of Y+1 (see merge.PREV_LAG)
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
PREV_OF = {cur: prev for prev, cur in PREV.items()}


def read_resolutions(path: str | Path, base: pd.DataFrame | None = None,
                     files: Iterable[str | Path] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """(rules, problems) from a resolutions CSV: county, year, measure (id or Chinese name) and source or
    value, note optional; Chinese or English headers. A source may be the whole source, its file name
    (a.xlsx), file#sheet, or 对标面板 for the base's own value. With `base` (the long panel) counties and
    years are checked against it; with `files` (the imported tables) sources against them and the base.
    Every problem of every row, in line order; rows with a problem are not among the rules."""
    p = Path(path)
    empty = pd.DataFrame(columns=RULE_COLUMNS)
    try:
        register_input(p)
        if p.is_dir():
            return empty, [f"{rule_place(p.name)}是文件夹，不是CSV文件（路径：{p}）"]
        if p.stat().st_size > MAX_RULE_BYTES:
            return empty, [f"{rule_place(p.name)}过大（{p.stat().st_size / 1048576:.1f} MB），不予读取"]
        got = decoded(p.read_bytes(), p.name)
    except FileNotFoundError:
        return empty, [f"{rule_place(p.name)}不存在（路径：{p}）"]
    except PermissionError:
        return empty, [f"{rule_place(p.name)}无权读取（路径：{p}）"]
    except OSError:
        return empty, [f"{rule_place(p.name)}无法读取（路径：{p}）"]
    except TextError as exc:
        return empty, [f"{rule_place(p.name)}：{m}" for m in exc.problems]
    sep = "\t" if got.encoding == UTF16 and tab_separated(got.text) else ","
    frame, rows = parse(got.text, ("county", "year", "measure"), sep)
    problems = [f"{rule_place(p.name, line or None)}：{msg}" for line, msg in rows]
    if frame is None:
        return empty, problems
    missing = [c for c in ("county", "year", "measure") if c not in frame]
    if missing or ("source" not in frame and "value" not in frame):
        need = "、".join(missing + ([] if "source" in frame or "value" in frame else ["source 或 value"]))
        return empty, problems + [f"{rule_place(p.name)}缺少列：{need}（表头应为 county,year,measure,source,value,note，"
                                  "或 县（市、区）,年份,数据项,数据来源,数值,说明）"]
    rules, more = _rules(frame.reindex(columns=RULE_COLUMNS, fill_value=""), p.name, base, files)
    return rules, problems + more


def _rules(frame: pd.DataFrame, name: str, base: pd.DataFrame | None,
           files: Iterable[str | Path] | None) -> tuple[pd.DataFrame, list[str]]:
    from ..names import normalise_name

    measures = load_measures()
    by_name = {m.name_zh: mid for mid, m in measures.items()}
    f = frame.fillna("").astype({c: str for c in RULE_COLUMNS if c != "line"})
    for c in ("county", "measure"):
        f[c] = f[c].map(normalise_name)
    f["measure"] = f["measure"].map(lambda m: by_name.get(m, m))
    year = pd.to_numeric(f["year"].str.strip(), errors="coerce")
    value = pd.to_numeric(f["value"].str.strip().replace("", np.nan), errors="coerce")
    source = f["source"].str.strip()
    checks = [(f["county"] == "", "县（市、区）为空"),
              (year.isna() | (year % 1 != 0), "年份“" + f["year"] + "”不是整数年份"),
              (~f["measure"].isin(measures), "未知的数据项“" + f["measure"] + "”"),
              ((source == "") & (f["value"].str.strip() == ""), "既没有来源（source）也没有数值（value）"),
              ((source != "") & (f["value"].str.strip() != ""), "来源（source）和数值（value）只能写一个"),
              ((f["value"].str.strip() != "") & value.isna(), "数值“" + f["value"] + "”不是数字")]
    whole = year.notna() & (year % 1 == 0)
    key = f[["county", "measure"]].assign(year=year.where(whole))
    twice = key.duplicated(keep=False) & whole & (f["county"] != "")
    lines = pd.Series("", index=f.index, dtype=object)
    for _, g in key[twice].assign(line=f["line"]).groupby(["county", "year", "measure"]):
        lines[g.index] = "、".join(f"第{n}行" for n in g["line"])
    checks.append((twice & ~key.duplicated(), "同一县、年份和数据项在" + lines + "裁定了多次，只能保留一行"))
    if base is not None:
        checks += _against_base(f, year, base)
    if files is not None:
        checks.append(_unknown_sources(source, list(files), base))
    found, bad = [], pd.Series(False, index=f.index)
    for k, (mask, text) in enumerate(checks):
        msg = text if isinstance(text, pd.Series) else pd.Series(text, index=f.index)
        found += list(zip(f["line"][mask].astype(int), [k] * int(mask.sum()), msg[mask], strict=True))
        bad |= mask
    bad |= twice
    problems = [f"{rule_place(name, line)}：{text}" for line, _, text in sorted(found, key=lambda x: x[:2])]
    ok = f[~bad].assign(year=year[~bad].astype("Int64").astype(int), value=value[~bad], source=source[~bad],
                        file=name)
    return ok[RULE_COLUMNS].reset_index(drop=True), problems


def _against_base(f: pd.DataFrame, year: pd.Series, base: pd.DataFrame) -> list[tuple[pd.Series, pd.Series]]:
    """A county not in the base (with the nearest names) and a year whose value the base cannot take:
    one of its years, or the year before one of them for a measure whose ``*_prev`` it feeds."""
    counties = sorted(base["county"].astype(str).unique())
    years = sorted(int(y) for y in base["year"].unique())
    span = f"{years[0]}—{years[-1]}年" if years else "无"

    def near(c: str) -> str:
        close = difflib.get_close_matches(c, counties, n=3, cutoff=0.5)
        return f"（相近的有：{'、'.join(close)}）" if close else ""

    unknown = (f["county"] != "") & ~f["county"].isin(counties)
    text = pd.Series([f"县（市、区）“{c}”不在对标面板中{near(c)}" for c in f["county"]], index=f.index, dtype=object)
    feeds = f["measure"].isin(PREV_OF) & (year + PREV_LAG).isin(years)
    outside = year.notna() & (year % 1 == 0) & ~year.isin(years) & ~feeds
    ytext = "年份" + f["year"].str.strip() + f"不在对标面板的年份中（{span}）"
    return [(unknown, text), (outside, ytext)]


def _unknown_sources(source: pd.Series, files: list[str | Path], base: pd.DataFrame | None) -> tuple[pd.Series, str]:
    """A source that names none of the imported files (path, name, name#sheet, real:…) nor the base
    (对标面板, base, or one of its own sources; without the base, only a table file's name is checked)."""
    names = {Path(str(x)).name for x in files} | {str(x) for x in files}
    own = set(base["source"].astype(str).unique()) if base is not None and "source" in base else set()

    def known(s: str) -> bool:
        if s == "" or s in (BASE, "base") or s in own or f"real:{s}" in own:
            return True
        file = s.removeprefix("real:").split("#", 1)[0]
        if base is None and Path(file).suffix.lower() not in TABLE_SUFFIXES:
            return True                    # may be one of the base's sources: not known without it
        return file in names or Path(file).name in names

    listed = "、".join(sorted({Path(str(x)).name for x in files})) or "无"
    bad = ~source.map(known).astype(bool)
    text = "来源“" + source + f"”不是本次导入的文件（{listed}），也不是对标面板（写“{BASE}”取其原值）"
    return bad, text
