"""Imported yearbook values into a peer panel: synthetic replaced, real sources compared, conflicts settled.

Every imported figure (:mod:`.importer`'s frame) meets the base panel's value of its (county, year,
measure). A synthetic value (``benchmark.is_synthetic``) or a gap is replaced by it. Two real values —
the base's and an import's, or two imports' — agree when their printed ranges overlap
(|a − b| ≤ tolerance_a + tolerance_b; the base's own tolerance is 0): the existing real value and its
source are kept (an import's only when the base was synthetic). Otherwise they conflict: the base stays
as it was and the conflict is a problem until a ``--resolve`` rule names the winning source or value.

An imported measure m of year Y also gives ``m_prev`` of year Y+1 (``peerdata.PREV``) when the base has
that county-year, with the same source; a rule settling (Y, m) settles (Y+1, m_prev) alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..benchmark import is_synthetic
from ..errors import InputError
from ..measures import fmt_num, load_measures
from ..panelcsv import parse, tab_separated
from ..paths import register_input
from ..peerdata import PREV, peer_panel_path, to_csv_bytes
from ..textfiles import UTF16, TextError, decoded
from ..writers.files import Output, check_outputs, write_atomic

KEYS = ["county", "year", "measure"]
PREV_OF = {cur: prev for prev, cur in PREV.items()}     # q38.pm25 → q38.pm25_prev
EPS = 1e-9
BASE = "对标面板"
RULE_COLUMNS = ["county", "year", "measure", "source", "value", "note", "line"]
MAX_RULE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Merged:
    """The base with the imports in (``panel``: the base's columns and row order, added rows in place),
    and what happened to every imported figure."""

    panel: pd.DataFrame
    imported: int                          # imported figures given
    replaced: pd.DataFrame                 # county, year, measure, old, new, source, old_source, was_real, derived
    added: pd.DataFrame                    # county, year, measure, value, source, derived
    agreed: pd.DataFrame                   # county, year, measure, value, source, other_value, other_source
    conflicts: pd.DataFrame                # one row per candidate: …, origin, chosen, rule_line
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    derived: int = 0                       # *_prev values written from the year before
    resolved: int = 0                      # conflicts settled by a rule
    unmatched: tuple[int, ...] = field(default=(), repr=False)   # rule lines that matched no conflict

    @property
    def summary(self) -> list[str]:
        """What the import did, in Chinese (the first line has every count)."""
        n_conf = self.conflicts[KEYS].drop_duplicates().shape[0] if len(self.conflicts) else 0
        synthetic = int((~self.replaced["was_real"].astype(bool)).sum()) if len(self.replaced) else 0
        lines = [f"导入{self.imported}个数值，替换合成数据{synthetic}个，新增{len(self.added)}个，"
                 f"与已有真实数据一致{len(self.agreed)}个，冲突{n_conf}个（已裁定{self.resolved}个）"]
        if self.derived:
            lines.append(f"导入值同时写作次年的“上年”数据项（如PM2.5上年值，来源相同）{self.derived}个，已计入上面的替换和新增")
        if len(self.agreed):
            lines.append("与已有真实数据一致的，保留已有的数值和来源；只有原值为合成数据时才改用导入的来源")
        return lines + list(self.notes)


def _real(source: object) -> bool:
    return not is_synthetic(source)


def _where(r: pd.Series | dict) -> str:
    """Where a candidate comes from, as people read it: 文件a.xlsx 工作表表1 单元格C5, or the base's source."""
    if r["origin"] == BASE:
        return f"{BASE}：{r['source']}"
    return f"文件{r['file']} 工作表{r['sheet']} 单元格{r['cell']}"


def _prepared(values: pd.DataFrame, base: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The imported rows inside the base's county-years (plus the *_prev rows they give), the problems
    (unknown measures, empty values) and the notes (county-years the base does not have)."""
    names = load_measures()
    v = values.reset_index(drop=True).copy()
    for c in ("file", "sheet", "cell"):
        v[c] = v[c].fillna("").astype(str) if c in v else ""
    v["year"] = v["year"].astype(int)
    v["value"] = pd.to_numeric(v["value"], errors="coerce")
    v["tolerance"] = pd.to_numeric(v["tolerance"], errors="coerce").fillna(0.0).abs() if "tolerance" in v else 0.0
    v["origin"], v["derived"], v["order"] = "导入", False, np.arange(len(v)) + 1
    problems = [f"{_where(r)}：未知的数据项“{r['measure']}”" for _, r in v[~v["measure"].isin(names)].iterrows()]
    problems += [f"{_where(r)}：{r['county']} {r['year']}年没有数值" for _, r in v[v["value"].isna()].iterrows()]
    v = v[v["measure"].isin(names) & v["value"].notna()]
    places = base[["county", "year"]].drop_duplicates()
    inside = v.merge(places, on=["county", "year"], how="left", indicator=True)["_merge"].eq("both").to_numpy()
    notes = []
    out = v[~inside]
    years = sorted(base["year"].unique())
    span = f"{years[0]}—{years[-1]}年" if years else "无"
    for y, g in out[~out["year"].isin(years)].groupby("year"):
        notes.append(f"{y}年不在对标面板的年份中（{span}），未导入{len(g)}个数值")
    for c, g in out[out["year"].isin(years) & ~out["county"].isin(base["county"])].groupby("county"):
        notes.append(f"县（市、区）“{c}”不在对标面板中，未导入{len(g)}个数值")
    for (c, y), g in out[out["year"].isin(years) & out["county"].isin(base["county"])].groupby(["county", "year"]):
        notes.append(f"对标面板中没有{c} {y}年的数据，未导入{len(g)}个数值")
    v = v[inside]
    d = v[v["measure"].isin(PREV_OF)].assign(measure=lambda f: f["measure"].map(PREV_OF), year=lambda f: f["year"] + 1,
                                             derived=True)
    d = d.merge(places, on=["county", "year"])
    return pd.concat([v, d], ignore_index=True), problems, notes


def _candidates(base: pd.DataFrame, v: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every candidate of an imported key: the imports and the base's real value; the base's row of
    each imported key with its index ``row``, numeric ``old`` and ``real``)."""
    b = base[KEYS + ["source"]].assign(row=base.index, old=pd.to_numeric(base["value"], errors="coerce"))
    b = b.merge(v[KEYS].drop_duplicates(), on=KEYS)
    b["real"] = (b["source"].map(_real).astype(bool) & b["old"].notna()).astype(bool)
    own = b[b["real"]].assign(value=lambda f: f["old"], tolerance=0.0, origin=BASE, derived=False, order=0,
                              file="", sheet="", cell="")
    cols = KEYS + ["value", "source", "tolerance", "origin", "derived", "order", "file", "sheet", "cell"]
    cand = pd.concat([own[cols], v[cols]], ignore_index=True).sort_values(KEYS + ["order"], ignore_index=True)
    return cand, b


def _conflicting(cand: pd.DataFrame) -> pd.Index:
    """Keys (a MultiIndex) with two candidates whose printed ranges do not overlap."""
    multi = cand[cand.duplicated(KEYS, keep=False)]
    pairs = multi.merge(multi, on=KEYS, suffixes=("", "_2"))
    bad = (pairs["value"] - pairs["value_2"]).abs() > pairs["tolerance"] + pairs["tolerance_2"] + \
        EPS * np.maximum(pairs["value"].abs(), 1.0)
    return pd.MultiIndex.from_frame(pairs.loc[bad, KEYS].drop_duplicates())


def _key_index(df: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(df[KEYS])


def merge_into(base: pd.DataFrame, values: pd.DataFrame, resolutions: pd.DataFrame | None = None) -> Merged:
    """The imported `values` (:data:`.importer.COLUMNS`) put into the long `base` panel (see the module)."""
    base = base.reset_index(drop=True).copy()
    if "source" not in base:
        base["source"] = ""
    base["year"] = base["year"].astype(int)
    v, problems, notes = _prepared(values, base)
    cand, b = _candidates(base, v)
    conflict = _conflicting(cand)
    in_conflict = _key_index(cand).isin(conflict)
    rules = _expanded(resolutions)
    choice, rule_problems, unmatched = _choose(cand[in_conflict], rules)
    problems += rule_problems
    cand["chosen"] = False
    cand.loc[choice, "chosen"] = True
    settled = pd.MultiIndex.from_frame(cand.loc[choice, KEYS]) if len(choice) else conflict[:0]
    # no conflict: the base's real value when there is one (order 0), else the first import
    first = ~in_conflict & ~cand.duplicated(KEYS)
    win = cand[first | cand["chosen"]].copy()
    conf = cand[in_conflict].assign(rule_line=lambda f: _rule_lines(f, rules)).drop(columns="order")
    problems += _conflict_problems(conf[~_key_index(conf).isin(settled)], names=load_measures())
    agreed = _agreed(cand[~in_conflict], win)
    # apply the winners that are imports
    win = win[win["origin"] != BASE].merge(b[KEYS + ["row", "old", "source", "real"]].rename(
        columns={"source": "old_source"}), on=KEYS, how="left")
    has_row = win["row"].notna()
    rep = win[has_row]
    panel = base.copy()
    rows = rep["row"].astype(int).to_numpy()
    panel["value"] = panel["value"].astype(object)
    panel.loc[rows, "value"] = rep["value"].to_numpy()
    panel.loc[rows, "source"] = rep["source"].to_numpy()
    new = win[~has_row]
    panel = _with_rows(panel, new)
    replaced = rep.rename(columns={"value": "new", "real": "was_real"})[
        KEYS + ["old", "new", "source", "old_source", "was_real", "derived"]]
    added = new[KEYS + ["value", "source", "derived"]].reset_index(drop=True)
    derived = int(win["derived"].sum())
    return Merged(panel, len(values), replaced.reset_index(drop=True), added, agreed, conf.reset_index(drop=True),
                  tuple(problems), tuple(notes), derived, len(settled), tuple(unmatched))


def _with_rows(panel: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """`panel` with rows for keys it lacked (a county's code, prefecture and type from its other rows),
    kept in the base's order (code, year, measure) when the base is sorted so."""
    if not len(new):
        return panel
    attrs = [c for c in panel.columns if c not in KEYS + ["value", "source"]]
    info = panel.drop_duplicates("county").set_index("county")[attrs]
    rows = new[KEYS + ["value", "source"]].join(info, on="county")[list(panel.columns)]
    order = [c for c in ("code", "year", "measure") if c in panel] if "code" in panel else KEYS
    ordered = panel.sort_values(order, kind="stable").index.equals(panel.index)
    out = pd.concat([panel, rows], ignore_index=True)
    return (out.sort_values(order, kind="stable") if ordered else out).reset_index(drop=True)


def _agreed(cand: pd.DataFrame, win: pd.DataFrame) -> pd.DataFrame:
    """The candidates that agreed with the kept one (one row each: the kept value and source, and theirs)."""
    others = cand[cand.duplicated(KEYS)]
    kept = win[KEYS + ["value", "source"]]
    out = others[KEYS + ["value", "source"]].rename(columns={"value": "other_value", "source": "other_source"})
    return kept.merge(out, on=KEYS)[KEYS + ["value", "source", "other_value", "other_source"]].reset_index(drop=True)


def _conflict_problems(conf: pd.DataFrame, names: dict) -> list[str]:
    """One Chinese problem per unsettled conflict, naming every value and where it comes from."""
    if not len(conf):
        return []
    conf = conf.assign(text=[f"{fmt_num(r['value'])}（{_where(r)}）" for _, r in conf.iterrows()])
    out = []
    for (county, year, mid), g in conf.groupby(KEYS, sort=False):
        name = names[mid].name_zh if mid in names else mid
        prev = f"（次年的上年值，由{year - 1}年导入值推得）" if g["derived"].any() else ""
        out.append(f"{county} {year}年“{name}”{prev}：真实来源不一致——{'；'.join(g['text'])}。"
                   f"请在裁定文件（--resolve，表头 county,year,measure,source,value）中写一行，如 "
                   f"{county},{year},{mid},<采用的文件名或来源>（取对标面板原值写“{BASE}”；或在 value 列写采用的数值）")
    return out


def _rule_lines(conf: pd.DataFrame, rules: pd.DataFrame) -> pd.Series:
    if not len(rules):
        return pd.Series(pd.NA, index=conf.index, dtype=object)
    first = rules.drop_duplicates(KEYS).set_index(KEYS)["line"]
    return pd.Series(_key_index(conf).map(lambda k: first.get(k, pd.NA)), index=conf.index, dtype=object)


def _expanded(rules: pd.DataFrame | None) -> pd.DataFrame:
    """The rules plus, for a rule on measure m of year Y, the same rule on m_prev of Y+1 (``derived``)."""
    if rules is None or not len(rules):
        return pd.DataFrame(columns=[*RULE_COLUMNS, "derived"])
    r = rules.reindex(columns=RULE_COLUMNS)
    r = r.assign(year=r["year"].astype(int), derived=False, source=r["source"].fillna("").astype(str),
                 value=pd.to_numeric(r["value"], errors="coerce"),
                 line=r["line"].fillna(pd.Series(np.arange(len(r)) + 2, index=r.index)).astype(int))
    d = r[r["measure"].isin(PREV_OF)].assign(measure=lambda f: f["measure"].map(PREV_OF), year=lambda f: f["year"] + 1,
                                             derived=True)
    return pd.concat([r, d[~_key_index(d).isin(_key_index(r))]], ignore_index=True)


def _choose(conf: pd.DataFrame, rules: pd.DataFrame) -> tuple[pd.Index, list[str], list[int]]:
    """(index of the chosen candidate of each settled conflict, problems with rules, lines matching nothing)."""
    problems: list[str] = []
    if not len(rules):
        return conf.index[:0], problems, []
    keys = _key_index(conf)
    hit = _key_index(rules).isin(keys)
    unmatched = rules[~hit & ~rules["derived"]]
    problems += [f"裁定文件第{r['line']}行：{r['county']} {r['year']}年“{r['measure']}”没有需要裁定的冲突"
                 "（请核对县名、年份和数据项）" for _, r in unmatched.iterrows()]
    twice = rules[rules.duplicated(KEYS, keep=False) & ~rules["derived"]]
    for _, g in twice.groupby(KEYS):
        problems.append(f"裁定文件第{'、'.join(map(str, g['line']))}行：同一县、年份和数据项裁定了多次")
    rules = rules[hit].drop_duplicates(KEYS)
    pairs = conf.reset_index(names="cand").merge(rules, on=KEYS, suffixes=("", "_rule"))
    by_source = pairs["source_rule"].fillna("").astype(str).str.strip()
    src = pairs["source"].astype(str)
    pairs["ok"] = np.where(by_source != "",
                           (src == by_source) | (src == "real:" + by_source) | (pairs["file"] == by_source)
                           | ((pairs["origin"] == BASE) & by_source.isin([BASE, "base"]))
                           | (pairs["file"].map(lambda f: Path(f).name if f else "") == by_source)
                           | (pairs["file"] + "#" + pairs["sheet"] == by_source),
                           (pairs["value"] - pd.to_numeric(pairs["value_rule"], errors="coerce")).abs()
                           <= pairs["tolerance"] + EPS * np.maximum(pairs["value"].abs(), 1.0))
    chosen = []
    for (line, derived), g in pairs.groupby(["line", "derived_rule"], sort=False):
        ok = g[g["ok"]]
        what = f"来源“{g['source_rule'].iloc[0]}”" if str(g["source_rule"].iloc[0]).strip() else \
            f"数值{g['value_rule'].iloc[0]}"
        if ok.empty:
            if not derived:
                choices = "、".join(f"{fmt_num(r['value'])}（{_where(r)}）" for _, r in g.iterrows())
                problems.append(f"裁定文件第{line}行：{what}不是该冲突中的任一来源或数值（可选：{choices}）")
        elif (ok["value"] - ok["value"].iloc[0]).abs().max() > ok["tolerance"].max() + EPS:
            problems.append(f"裁定文件第{line}行：{what}同时对应几个不同的数值，请写出完整的来源")
        else:
            chosen.append(int(ok["cand"].iloc[0]))
    return pd.Index(chosen), problems, [int(x) for x in unmatched["line"]]


def read_resolutions(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """(rules, problems) from a resolutions CSV: county, year, measure (id or Chinese name) and source or
    value, note optional; Chinese or English headers; every problem with its line. A source may be the
    whole source, its file name (a.xlsx), file#sheet, or 对标面板 for the base's own value."""
    p = Path(path)
    empty = pd.DataFrame(columns=RULE_COLUMNS)
    try:
        register_input(p)
        if p.stat().st_size > MAX_RULE_BYTES:
            return empty, [f"裁定文件{p.name}过大（{p.stat().st_size / 1048576:.1f} MB），不予读取"]
        got = decoded(p.read_bytes(), p.name)
    except FileNotFoundError:
        return empty, [f"裁定文件不存在：{p}"]
    except OSError as exc:
        return empty, [f"无法读取裁定文件{p.name}（{exc.strerror or type(exc).__name__}）"]
    except TextError as exc:
        return empty, [f"裁定文件{p.name}：{m}" for m in exc.problems]
    sep = "\t" if got.encoding == UTF16 and tab_separated(got.text) else ","
    frame, rows = parse(got.text, ("county", "year", "measure"), sep)
    problems = [f"裁定文件{p.name}第{line}行：{msg}" if line else f"裁定文件{p.name}：{msg}" for line, msg in rows]
    if frame is None:
        return empty, problems
    missing = [c for c in ("county", "year", "measure") if c not in frame]
    if missing or ("source" not in frame and "value" not in frame):
        need = "、".join(missing + ([] if "source" in frame or "value" in frame else ["source 或 value"]))
        return empty, problems + [f"裁定文件{p.name}缺少列：{need}（表头应为 county,year,measure,source,value,note，"
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
    where = "裁定文件" + name + "第" + f["line"].astype(str) + "行："
    checks = [(f["county"] == "", "县（市、区）为空"),
              (year.isna() | (year % 1 != 0), "年份“" + f["year"] + "”不是整数年份"),
              (~f["measure"].isin(measures), "未知的数据项“" + f["measure"] + "”"),
              ((f["source"].str.strip() == "") & (f["value"].str.strip() == ""), "既没有来源（source）也没有数值（value）"),
              ((f["source"].str.strip() != "") & (f["value"].str.strip() != ""), "来源（source）和数值（value）只能写一个"),
              ((f["value"].str.strip() != "") & value.isna(), "数值“" + f["value"] + "”不是数字")]
    problems, bad = [], pd.Series(False, index=f.index)
    for mask, text in checks:
        msg = text if isinstance(text, pd.Series) else pd.Series(text, index=f.index)
        problems += list((where + msg)[mask])
        bad |= mask
    problems.sort(key=lambda s: int(s.split("第", 1)[1].split("行", 1)[0]))
    ok = f[~bad].assign(year=year[~bad].astype("Int64").astype(int), value=value[~bad], source=f["source"].str.strip())
    return ok[RULE_COLUMNS].reset_index(drop=True), problems


def read_base(spec: str | Path = "shandong") -> tuple[pd.DataFrame, Path]:
    """(the long peer panel as text columns, year as int; its path): ``shandong`` is the shipped one.
    Values stay as written, so unchanged rows are written back byte for byte."""
    from ..panel import REQUIRED
    from ..panelcsv import read_rows

    path = peer_panel_path(spec)
    register_input(path)
    df, rows, _ = read_rows(path, REQUIRED)
    problems = [f"对标面板{path.name}" + (f"第{line}行" if line else "") + f"：{msg}" for line, msg in rows]
    if df is None or problems:
        raise InputError(problems, "对标面板无法读取")
    df = df.drop(columns="line")
    df["year"] = pd.to_numeric(df["year"], errors="coerce").astype("Int64").astype(int)
    return df, path


def write_panel(merged: Merged, out: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The merged panel as CSV in the shipped panel's format (``peerdata.to_csv_bytes``); never over an
    input (the base, the tables, the resolutions); refused while a conflict is unsettled."""
    for p in inputs:
        register_input(p)
    if merged.problems:
        raise InputError(list(merged.problems), "导入有{n}处问题，未写出对标面板")
    check_outputs(Output(out, "对标面板", (".csv",)))
    data = to_csv_bytes(merged.panel)
    return write_atomic(out, lambda tmp: tmp.write_bytes(data), "对标面板")
