"""Imported yearbook values into a peer panel: synthetic replaced, real sources compared, conflicts settled.

Every imported figure (:mod:`.importer`'s frame) meets the base panel's value of its (county, year,
measure). A synthetic value (``benchmark.is_synthetic``) or a gap is replaced by it. Two real values —
the base's and an import's, or two imports' — agree when their printed ranges overlap
(|a − b| ≤ tolerance_a + tolerance_b; the base's own tolerance is 0): the existing real value and its
source are kept (an import's only when the base was synthetic). Otherwise they conflict: the base stays
as it was and the conflict is a problem until a ``--resolve`` rule names the winning source or value.

An imported measure m of year Y also gives ``m_prev`` of year Y+1 (``peerdata.PREV``: every ``*_prev``
of panel year Y is its measure of panel year Y−1, :data:`PREV_LAG`) when the base has that county-year,
with the same source — also when Y itself is not in the base (a 2018 PM2.5 gives 2019's 上年值); a rule
settling (Y, m) settles (Y+1, m_prev) alike. Only a value that feeds nothing is left out.

Every imported value ends in one :data:`FATES` class (``Merged.outcome``); the summary's parts add up
to the table's values. Every place is said as the reader says it (:func:`place`).
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
from ..paths import register_input
from ..peerdata import PREV, to_csv_bytes
from ..writers.files import Output, check_outputs, write_atomic
from .basepanel import load_base, read_base
from .places import BASE, place, places, rule_place
from .resolutions import RULE_COLUMNS, read_resolutions

__all__ = ["Merged", "load_base", "merge_into", "place", "read_base", "read_resolutions", "write_panel"]

KEYS = ["county", "year", "measure"]
PREV_OF = {cur: prev for prev, cur in PREV.items()}     # q38.pm25 → q38.pm25_prev
PREV_LAG = 1         # peerdata builds every *_prev of panel year Y from its measure of Y−1 (q19/q20's 再前一年度
                     # included: their measure of panel year Y is already the year before's figure)
OUTCOME = ["order", *KEYS, "value", "place", "derived", "fate", "note"]   # order: the value's row in the import
FATES = {"replaced": "替换合成数据", "added": "新增", "agreed": "与已有真实数据一致", "conflict": "冲突",
         "settled": "冲突已裁定", "prev_only": "仅用作次年的上年值", "year_out": "年份不在面板",
         "county_out": "县不在面板", "place_out": "面板中没有该县该年", "problem": "有问题"}
EPS = 1e-9


@dataclass(frozen=True)
class Merged:
    """The base with the imports in (``panel``: the base's columns and row order, added rows in place),
    and what happened to every imported figure."""

    panel: pd.DataFrame
    imported: int                          # imported figures given (the N of the summary)
    replaced: pd.DataFrame                 # KEYS, old, new, source, place, old_source, was_real, derived
    added: pd.DataFrame                    # KEYS, value, source, place, derived
    agreed: pd.DataFrame                   # KEYS, value, source (kept), other_value, other_source, other_place, derived
    conflicts: pd.DataFrame                # one row per candidate: KEYS, value, source, place, …, chosen, rule_line
    problems: tuple[str, ...] = ()         # all of them: value_problems, rule_problems, then unsettled
    notes: tuple[str, ...] = ()
    derived: int = 0                       # *_prev values written from the year before
    resolved: int = 0                      # conflicts settled by a rule
    unmatched: tuple[int, ...] = field(default=(), repr=False)   # rule lines that matched no conflict
    outcome: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # every value's fate (OUTCOME)
    value_problems: tuple[str, ...] = ()   # imported values that cannot be merged (unknown measure, no number)
    rule_problems: tuple[str, ...] = ()    # rules that settle nothing (no such conflict, no such candidate)
    unsettled: tuple[str, ...] = ()        # one per conflict no rule settles

    @property
    def heading(self) -> str:
        """The problems' heading, each kind counted apart: 2处冲突未裁定；裁定文件有1处问题；导入值有1处问题."""
        return heading(len(self.unsettled), len(self.rule_problems), len(self.value_problems))

    @property
    def summary(self) -> list[str]:
        """What the import did, in Chinese: the table's values (parts adding up to them), then the
        *_prev values derived from them."""
        o = self.outcome
        own = o[~o["derived"]]["fate"].value_counts() if len(o) else pd.Series(dtype=int)
        lines = [f"表中{self.imported}个数值：" + _parts(own, outside=True)]
        der = o[o["derived"]] if len(o) else o
        if len(der):
            names = load_measures()
            which = "、".join(names[m].name_zh for m in dict.fromkeys(der["measure"]))
            lines.append(f"另由上一年的数值推得次年的“上年”数据项{len(der)}个（{which}，来源相同，不计入上面的"
                         f"{self.imported}个）：" + _parts(der["fate"].value_counts(), outside=False))
        if len(self.agreed):
            lines.append("与已有真实数据一致的，保留已有的数值和来源；只有原值为合成数据时才改用导入的来源")
        return lines + list(self.notes)


def heading(unsettled: int = 0, rules: int = 0, values: int = 0, base: int = 0, tables: int = 0,
            outputs: int = 0) -> str:
    """未写出对标面板：N处冲突未裁定；裁定文件有M处问题[；导入值有K处问题][；对标面板有B处问题][；年鉴表格和映射文件有
    T处问题][；输出文件有O处问题] (the parts that are not 0: a caller lists every stage's problems under one heading)."""
    parts = [f"{unsettled}处冲突未裁定" if unsettled else "", f"裁定文件有{rules}处问题" if rules else "",
             f"导入值有{values}处问题" if values else "", f"对标面板有{base}处问题" if base else "",
             f"年鉴表格和映射文件有{tables}处问题" if tables else "", f"输出文件有{outputs}处问题" if outputs else ""]
    return "未写出对标面板：" + ("；".join(p for p in parts if p) or "没有问题")


def _parts(n: pd.Series, outside: bool) -> str:
    """写入X个（替换合成数据a个、新增b个）、与已有真实数据一致c个、冲突d个（已裁定e个）[、…] from fate counts."""
    def k(*fates: str) -> int:
        return int(sum(n.get(f, 0) for f in fates))

    text = (f"写入{k('replaced', 'added')}个（替换合成数据{k('replaced')}个、新增{k('added')}个）、"
            f"与已有真实数据一致{k('agreed')}个、冲突{k('conflict', 'settled')}个（已裁定{k('settled')}个）")
    if not outside:
        return text
    if k("prev_only"):
        text += f"、仅用作次年的上年值{k('prev_only')}个"
    why = "、".join(f"{FATES[f]}{k(f)}个" for f in ("year_out", "county_out", "place_out") if k(f)
                   or f != "place_out")
    text += f"、未写入{k('year_out', 'county_out', 'place_out')}个（{why}）"
    return text + (f"、有问题{k('problem')}个" if k("problem") else "")


def _real(source: object) -> bool:
    return not is_synthetic(source)


def _where(r: pd.Series | dict) -> str:
    """A candidate's place (:func:`place`), or the base's source."""
    if r["origin"] == BASE:
        return f"{BASE}：{r['source']}"
    return place(r.get("file", ""), r.get("sheet", ""), r.get("cell", ""), r.get("source", ""))


def _prepared(values: pd.DataFrame, base: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str], pd.DataFrame]:
    """(the imported rows inside the base's county-years plus the *_prev rows any of them gives there;
    the problems (unknown measures, empty values); the notes on values outside the base; the values
    not merged with their ``fate``)."""
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
    bad = ~v["measure"].isin(names) | v["value"].isna()
    fates = [v[bad].assign(fate="problem")]
    v = v[~bad]
    spots = base[["county", "year"]].drop_duplicates()
    inside = v.merge(spots, on=["county", "year"], how="left", indicator=True)["_merge"].eq("both").to_numpy()
    d = v[v["measure"].isin(PREV_OF)].assign(measure=lambda f: f["measure"].map(PREV_OF),
                                             year=lambda f: f["year"] + PREV_LAG, derived=True)
    d = d.merge(spots, on=["county", "year"])
    out = v[~inside]
    years = sorted(int(y) for y in base["year"].unique())
    out = out.assign(fate=np.where(out["order"].isin(d["order"]), "prev_only",
                                   np.where(~out["year"].isin(years), "year_out",
                                            np.where(~out["county"].isin(base["county"]), "county_out", "place_out"))))
    fates.append(out)
    return pd.concat([v[inside], d], ignore_index=True), problems, _outside_notes(out, years), \
        pd.concat(fates, ignore_index=True)


def _outside_notes(out: pd.DataFrame, years: list[int]) -> list[str]:
    """One note per year, county or county-year outside the base: the values used for the next year's
    *_prev (which) and the values not imported."""
    names = load_measures()
    span = f"{years[0]}—{years[-1]}年" if years else "无"
    notes = []
    year_out = ~out["year"].isin(years)
    groups = [(f"{y}年不在对标面板的年份中（{span}）", g) for y, g in out[year_out].groupby("year")]
    groups += [(f"县（市、区）“{c}”不在对标面板中", g) for c, g in out[~year_out & (out["fate"] == "county_out")]
               .groupby("county")]
    rest = out[~year_out & (out["fate"] != "county_out")]
    groups += [(f"对标面板中没有{c} {y}年的数据", g) for (c, y), g in rest.groupby(["county", "year"])]
    for head, g in groups:
        used = g[g["fate"] == "prev_only"]
        parts = []
        if len(used):
            which = "、".join(names[PREV_OF[m]].name_zh for m in dict.fromkeys(used["measure"]))
            nxt = "、".join(f"{y + PREV_LAG}年" for y in sorted(used["year"].unique()))
            parts.append(f"{len(used)}个数值用作{nxt}的“上年”数据项（{which}）")
        if len(g) - len(used):
            parts.append(f"未导入{len(g) - len(used)}个数值")
        notes.append(f"{head}，{'，'.join(parts)}")
    return notes


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
    v, problems, notes, dropped = _prepared(values, base)
    cand, b = _candidates(base, v)
    conflict = _conflicting(cand)
    in_conflict = _key_index(cand).isin(conflict)
    rules = _expanded(resolutions)
    choice, rule_problems, unmatched = _choose(cand[in_conflict], rules)
    cand["chosen"] = False
    cand.loc[choice, "chosen"] = True
    settled = pd.MultiIndex.from_frame(cand.loc[choice, KEYS]) if len(choice) else conflict[:0]
    # no conflict: the base's real value when there is one (order 0), else the first import
    first = ~in_conflict & ~cand.duplicated(KEYS)
    win = cand[first | cand["chosen"]].copy()
    conf = cand[in_conflict].assign(rule_line=lambda f: _rule_lines(f, rules)).drop(columns="order")
    unsettled = _conflict_problems(conf[~_key_index(conf).isin(settled)], names=load_measures())
    conf = conf.assign(place=places(conf).where(conf["origin"] != BASE, BASE))[
        KEYS + ["value", "source", "place", "tolerance", "origin", "derived", "chosen", "rule_line"]]
    agreed = _agreed(cand[~in_conflict], win)
    key = _key_index(cand)
    fate = np.select([in_conflict & key.isin(settled), in_conflict, (first | cand["chosen"]) & key.isin(_key_index(b)),
                      first | cand["chosen"]], ["settled", "conflict", "replaced", "added"], "agreed")
    mine = cand.assign(fate=fate)[cand["origin"] != BASE]
    outcome = pd.concat([dropped, mine], ignore_index=True).sort_values(["derived", "order"], kind="stable",
                                                                        ignore_index=True)
    outcome = outcome.assign(note=outcome["fate"].map(FATES), place=places(outcome))[OUTCOME]
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
    replaced = rep.rename(columns={"value": "new", "real": "was_real"}).assign(place=places(rep))[
        KEYS + ["old", "new", "source", "place", "old_source", "was_real", "derived"]]
    added = new.assign(place=places(new))[KEYS + ["value", "source", "place", "derived"]].reset_index(drop=True)
    derived = int(win["derived"].sum())
    return Merged(panel, len(values), replaced.reset_index(drop=True), added, agreed, conf.reset_index(drop=True),
                  tuple(problems + rule_problems + unsettled), tuple(notes), derived, len(settled), tuple(unmatched),
                  outcome, tuple(problems), tuple(rule_problems), tuple(unsettled))


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
    """The candidates that agreed with the kept one (one row each: the kept value and source, and theirs
    with its place)."""
    others = cand[cand.duplicated(KEYS)]
    kept = win[KEYS + ["value", "source"]]
    out = others[KEYS + ["value", "source", "derived"]].assign(other_place=places(others)).rename(
        columns={"value": "other_value", "source": "other_source"})
    cols = KEYS + ["value", "source", "other_value", "other_source", "other_place", "derived"]
    return kept.merge(out, on=KEYS)[cols].reset_index(drop=True)


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
                   f"{county},{year},{mid},<采用的文件名或来源>（取对标面板原值写“{BASE}”；或在 value 列写采用的数值："
                   f"value 须是上列来源之一的数值）")
    return out


def _name(mid: str) -> str:
    names = load_measures()
    return names[mid].name_zh if mid in names else mid


def _rule_lines(conf: pd.DataFrame, rules: pd.DataFrame) -> pd.Series:
    if not len(rules):
        return pd.Series(pd.NA, index=conf.index, dtype=object)
    first = rules.drop_duplicates(KEYS).set_index(KEYS)["line"]
    return pd.Series(_key_index(conf).map(lambda k: first.get(k, pd.NA)), index=conf.index, dtype=object)


def _expanded(rules: pd.DataFrame | None) -> pd.DataFrame:
    """The rules plus, for a rule on measure m of year Y, the same rule on m_prev of Y+1 (``derived``);
    ``file`` is the resolutions file's name ('' when the rules were built in code)."""
    if rules is None or not len(rules):
        return pd.DataFrame(columns=[*RULE_COLUMNS, "derived"])
    r = rules.reindex(columns=RULE_COLUMNS)
    r = r.assign(year=r["year"].astype(int), derived=False, source=r["source"].fillna("").astype(str),
                 file=r["file"].astype(object).fillna("").astype(str),
                 value=pd.to_numeric(r["value"], errors="coerce"),
                 line=r["line"].fillna(pd.Series(np.arange(len(r)) + 2, index=r.index)).astype(int))
    d = r[r["measure"].isin(PREV_OF)].assign(measure=lambda f: f["measure"].map(PREV_OF),
                                             year=lambda f: f["year"] + PREV_LAG, derived=True)
    return pd.concat([r, d[~_key_index(d).isin(_key_index(r))]], ignore_index=True)


def _choose(conf: pd.DataFrame, rules: pd.DataFrame) -> tuple[pd.Index, list[str], list[int]]:
    """(index of the chosen candidate of each settled conflict, problems with rules, lines matching nothing)."""
    problems: list[str] = []
    if not len(rules):
        return conf.index[:0], problems, []
    keys = _key_index(conf)
    hit = _key_index(rules).isin(keys)
    # a rule on m of year Y matches when it or its m_prev of Y+1 does (Y may be outside the base)
    unmatched = rules[~rules["derived"] & ~rules["line"].isin(rules.loc[hit, "line"])]
    problems += [f"{rule_place(r['file'], r['line'])}：{r['county']} {r['year']}年“{_name(r['measure'])}”没有需要裁定的冲突"
                 "（请核对县名、年份和数据项）" for _, r in unmatched.iterrows()]
    twice = rules[rules.duplicated(KEYS, keep=False) & ~rules["derived"]]
    for _, g in twice.groupby(KEYS):
        problems.append(f"{rule_place(g['file'].iloc[0], '、'.join(map(str, g['line'])))}：同一县、年份和数据项裁定了多次")
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
        here = rule_place(g["file_rule"].iloc[0], line)
        ok = g[g["ok"]]
        what = f"来源“{g['source_rule'].iloc[0]}”" if str(g["source_rule"].iloc[0]).strip() else \
            f"数值{g['value_rule'].iloc[0]}"
        if ok.empty:
            if not derived:
                choices = "、".join(f"{fmt_num(r['value'])}（{_where(r)}）" for _, r in g.iterrows())
                must = "value 须是该冲突中某一来源的数值" if what.startswith("数值") else "source 须是该冲突中的某一来源"
                problems.append(f"{here}：{what}不是该冲突中的任一来源或数值（{must}；可选：{choices}）")
        elif (ok["value"] - ok["value"].iloc[0]).abs().max() > ok["tolerance"].max() + EPS:
            problems.append(f"{here}：{what}同时对应几个不同的数值，请写出完整的来源")
        else:
            chosen.append(int(ok["cand"].iloc[0]))
    return pd.Index(chosen), problems, [int(x) for x in unmatched["line"]]


def write_panel(merged: Merged, out: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The merged panel as CSV in the shipped panel's format (``peerdata.to_csv_bytes``); never over an
    input (the base, the tables, the resolutions); refused while a conflict is unsettled."""
    for p in inputs:
        register_input(p)
    if merged.problems:
        raise InputError(list(merged.problems), merged.heading)
    check_outputs(Output(out, "对标面板", (".csv",)))
    data = to_csv_bytes(merged.panel)
    return write_atomic(out, lambda tmp: tmp.write_bytes(data), "对标面板")
