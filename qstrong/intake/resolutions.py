"""The resolutions CSV that settles conflicting reports: read strictly, every problem an Issue.

UTF-8 (a BOM is fine), UTF-16 with a BOM or GB18030 (said as a 提醒); broken bytes, a missing measure column, an unknown measure
or department are problems naming the file and line, never a traceback. Names (measure, department,
county) are normalised where they enter, with a notice.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..catalog import Catalog
from ..departments import assignment
from ..names import clean_text, name_changes, normalise_name
from ..panelcsv import parse, tab_separated
from ..paths import register_input
from ..textfiles import UTF16, TextError, decoded
from .model import Issue

COLUMNS = ["measure", "department", "value", "note", "county", "year"]
MAX_BYTES = 5 * 1024 * 1024
_NAMES = ("measure", "department", "county")


def empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


def read_resolutions(path: str | Path, catalog: Catalog) -> tuple[pd.DataFrame, list[Issue]]:
    """(rules, problems) from a resolutions CSV; rules are empty when the file cannot be used."""
    p = Path(path)
    name = p.name
    try:
        register_input(p)
        if p.stat().st_size > MAX_BYTES:
            return empty(), [Issue(f"裁定文件过大（{p.stat().st_size / 1048576:.1f} MB），不予读取", name)]
        data = p.read_bytes()
    except FileNotFoundError:
        return empty(), [Issue(f"裁定文件不存在：{p}", name)]
    except OSError as exc:
        return empty(), [Issue(f"无法读取裁定文件（{exc.strerror or type(exc).__name__}）", name)]
    try:                               # as every text input: UTF-8, UTF-16, else GB18030 (said)
        got = decoded(data)
    except TextError as exc:
        return empty(), [Issue(f"裁定文件{problem}", name) for problem in exc.problems]
    text = got.text
    if not text.strip():
        return empty(), [Issue("裁定文件是空的：第一行应为表头 measure,department,value,note", name)]
    # the panel's CSV rules: a column named twice, a nameless column with content, a row longer than
    # the header — never a guess at which cell holds the rule
    sep = "\t" if got.encoding == UTF16 and tab_separated(text) else ","
    frame, row_problems = parse(text, ("measure",), sep)
    issues = [Issue(f"裁定文件{got.note.removeprefix('文件')}", name, level="提醒")] if got.note else []
    issues += [Issue(f"裁定文件：{msg}", name, cell=f"第{line}行" if line else "") for line, msg in row_problems]
    if frame is None:
        return empty(), issues
    if "measure" not in frame.columns:
        head = next(csv.reader(io.StringIO(text)), [])
        return empty(), [Issue(f"裁定文件缺少 measure 列（表头为：{clean_text(','.join(head))[:100]}）", name,
                               cell="第1行")]
    rules, more = _rules(frame, name, catalog)
    return rules, issues + more


def _rules(frame: pd.DataFrame, name: str, catalog: Catalog) -> tuple[pd.DataFrame, list[Issue]]:
    issues: list[Issue] = []
    depts = set(assignment(catalog).by_department)
    out = []
    for row in frame.to_dict("records"):
        line = row.pop("line")
        rec = {c: "" for c in COLUMNS}
        for k, v in row.items():
            if k in rec:
                rec[k] = v if k in _NAMES else v.strip()     # names: every invisible character noted
        where = dict(file=name, cell=f"第{line}行")
        for k in _NAMES:
            typed = rec[k]
            rec[k] = normalise_name(typed)
            if rec[k] != typed:
                issues.append(Issue(f"{k}：{name_changes(typed)}", level="提醒", **where))
        rec["note"] = clean_text(rec["note"])[:1000]
        if rec["measure"] not in catalog.measures:
            issues.append(Issue(f"未知的数据项编号“{clean_text(rec['measure'])[:80]}”", **where))
            continue
        if rec["department"] and rec["department"] not in depts:
            issues.append(Issue(f"部门“{clean_text(rec['department'])[:80]}”不是已知的责任部门", measure=rec["measure"],
                                **where))
            continue
        if not rec["department"] and not rec["value"]:
            issues.append(Issue("既没有指定部门（department）也没有指定值（value）", measure=rec["measure"], **where))
            continue
        out.append(rec)
    df = pd.DataFrame(out, columns=COLUMNS).astype(object)
    df.attrs["source"] = name
    return df, issues
