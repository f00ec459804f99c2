"""The resolutions file of ``--resolve``: which source or value settles a conflict between real figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..measures import load_measures
from ..panelcsv import parse, tab_separated
from ..paths import register_input
from ..textfiles import UTF16, TextError, decoded

RULE_COLUMNS = ["county", "year", "measure", "source", "value", "note", "line", "file"]
MAX_RULE_BYTES = 5 * 1024 * 1024


def rule_place(file: object, line: object = None) -> str:
    """裁定文件“x.csv”第3行 (裁定文件第3行 when the rules came without a file)."""
    name = f"“{file}”" if isinstance(file, str) and file else ""
    return f"裁定文件{name}" + (f"第{line}行" if line is not None else "")


def read_resolutions(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """(rules, problems) from a resolutions CSV: county, year, measure (id or Chinese name) and source or
    value, note optional; Chinese or English headers; every problem with its line. A source may be the
    whole source, its file name (a.xlsx), file#sheet, or 对标面板 for the base's own value."""
    p = Path(path)
    empty = pd.DataFrame(columns=RULE_COLUMNS)
    try:
        register_input(p)
        if p.stat().st_size > MAX_RULE_BYTES:
            return empty, [f"{rule_place(p.name)}过大（{p.stat().st_size / 1048576:.1f} MB），不予读取"]
        got = decoded(p.read_bytes(), p.name)
    except FileNotFoundError:
        return empty, [f"裁定文件不存在：{p}"]
    except OSError as exc:
        return empty, [f"无法读取{rule_place(p.name)}（{exc.strerror or type(exc).__name__}）"]
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
    rules, more = _rules(frame.reindex(columns=RULE_COLUMNS, fill_value=""), p.name)
    return rules, problems + more


def _rules(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    from ..names import normalise_name

    measures = load_measures()
    by_name = {m.name_zh: mid for mid, m in measures.items()}
    f = frame.fillna("").astype({c: str for c in RULE_COLUMNS if c != "line"})
    for c in ("county", "measure"):
        f[c] = f[c].map(normalise_name)
    f["measure"] = f["measure"].map(lambda m: by_name.get(m, m))
    year = pd.to_numeric(f["year"].str.strip(), errors="coerce")
    value = pd.to_numeric(f["value"].str.strip().replace("", np.nan), errors="coerce")
    where = f["line"].map(lambda n: rule_place(name, n) + "：")
    checks = [(f["county"] == "", "县（市、区）为空"),
              (year.isna() | (year % 1 != 0), "年份“" + f["year"] + "”不是整数年份"),
              (~f["measure"].isin(measures), "未知的数据项“" + f["measure"] + "”"),
              ((f["source"].str.strip() == "") & (f["value"].str.strip() == ""), "既没有来源（source）也没有数值（value）"),
              ((f["source"].str.strip() != "") & (f["value"].str.strip() != ""), "来源（source）和数值（value）只能写一个"),
              ((f["value"].str.strip() != "") & value.isna(), "数值“" + f["value"] + "”不是数字")]
    found, bad = [], pd.Series(False, index=f.index)
    for mask, text in checks:
        msg = text if isinstance(text, pd.Series) else pd.Series(text, index=f.index)
        found += list(zip(f["line"][mask].astype(int), (where + msg)[mask], strict=True))
        bad |= mask
    problems = [text for _, text in sorted(found, key=lambda x: x[0])]
    ok = f[~bad].assign(year=year[~bad].astype("Int64").astype(int), value=value[~bad], source=f["source"].str.strip(),
                        file=name)
    return ok[RULE_COLUMNS].reset_index(drop=True), problems
