"""Peers' missing values: an optional, flagged imputation for the benchmark (``impute_peers``).

Under ``median`` a peer (never the evaluated county) that lacks a value of a numeric measure the
reading scores (count, percent, number; not bool, level or the veto items) in the benchmark year gets
the median of the same prefecture's peers in the benchmark group that year (the ``prefecture`` column,
else the shipped county list), else of the same type (区/县/县级市), else it stays missing. Growth
indicators read the earlier year through the benchmark year's ``*_prev`` measures, imputed alike.
The median rests on reported values only, never on the evaluated county's (its own figures, a scenario
say, never move its peers'). An imputed value that would break a catalog constraint with the peer's
other values (合格批次 ≤ 抽检批次) is left missing. Whole panels at once: groupby/transform per year.

Every imputed row carries ``imputed = True`` and ``source = "插补：同市中位数（淄博市，4个县）"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import Catalog
from .panel import OPS, Panel

MODES = {"none": "同行缺失值不插补（默认）",
         "median": "对标县缺失的数值按同市（无同市数值时按同类型）对标县的中位数插补"}
NUMERIC = ("count", "percent", "number")
MARK = "插补："                                    # the source text of every imputed value starts so
FLAG = "imputed"                                   # the panel column marking imputed rows (True)
COLUMNS = ["county", "year", "measure", "name", "value", "basis", "basis_name", "n"]
BASES = {"prefecture": "同市", "type": "同类型"}
NEVER = "是/否、等级类数据项和一票否决项不插补"
NO_BASIS = "同市、同类型对标县均无该年数值"
NOBODY = "对标县均未填报该数据项"


@dataclass(frozen=True)
class Imputation:
    """The panel with imputed rows, every imputed value (:data:`COLUMNS`) and those left missing."""

    panel: Panel
    imputed: pd.DataFrame       # county, year, measure, name, value, basis (prefecture/type), basis_name, n
    missing: pd.DataFrame       # county, year, measure, name, reason: gaps no basis could fill

    def notes(self, most: int = 10) -> list[str]:
        """What was imputed (the first `most` and how many more) and what stays missing, in Chinese."""
        head = (f"同行缺失值按中位数插补：{MODES['median']}（不用被评价县的数值）；被评价县的缺失值不插补，"
                f"{NEVER}；标杆和排名包含插补值")
        out = [f"{head}；共插补{len(self.imputed)}个" + (f"：{_listed(self.imputed, most)}" if len(self.imputed)
                                                     else "")]
        nobody = self.missing["reason"] == NOBODY
        some = self.missing[~nobody]
        if len(some):
            out.append(f"同行缺失值有{len(some)}个无法插补，仍为缺失：{_listed(some, most)}")
        if nobody.any():
            names = list(dict.fromkeys(self.missing.loc[nobody, "name"]))
            more = f"等{len(names)}个" if len(names) > most else ""
            out.append(f"同行缺失值：{len(names)}个数据项对标县均未填报（共{int(nobody.sum())}个缺失值），无法插补："
                       f"{'、'.join(names[:most])}{more}")
        return out


def _listed(df: pd.DataFrame, most: int) -> str:
    rows = df.head(most)
    if "value" in rows:
        from .measures import fmt_num

        texts = [f"{c}{y}年“{n}”={fmt_num(v)}（{BASES[b]}中位数：{bn}{k}个县）" for c, y, n, v, b, bn, k in
                 zip(rows["county"], rows["year"], rows["name"], rows["value"], rows["basis"], rows["basis_name"],
                     rows["n"], strict=True)]
    else:
        texts = [f"{c}{y}年“{n}”（{r}）" for c, y, n, r in
                 zip(rows["county"], rows["year"], rows["name"], rows["reason"], strict=True)]
    return "、".join(texts) + (f"等{len(df)}个" if len(df) > most else "")


def source_text(basis: str, name: str, n: int) -> str:
    """The source of one imputed value: 插补：同市中位数（淄博市，4个县）."""
    return f"{MARK}{BASES[basis]}中位数（{name}，{n}个县）"


def is_imputed(data: pd.DataFrame) -> pd.Series:
    """Per row of long panel data: is it an imputed value (all False without the flag column)."""
    if FLAG not in data.columns:
        return pd.Series(False, index=data.index)
    return data[FLAG].eq(True)


def without_imputed(panel: Panel) -> Panel:
    """`panel` with the imputed rows of an earlier imputation removed (the gaps as reported)."""
    flag = is_imputed(panel.data)
    if not flag.any():
        return panel
    return Panel(panel.data[~flag].reset_index(drop=True), panel.catalog, panel.source)


def imputable(catalog: Catalog, variants: dict[int, str] | None = None) -> list[str]:
    """The measures imputed: numeric ones the reading scores (indicators' items under `variants`), the
    veto items excepted."""
    variants = variants or {}
    used = dict.fromkeys(m for ind in catalog.indicators for it in ind.items_for(variants.get(ind.id))
                         for m in it.measures())
    veto = set(catalog.veto.measures)
    return [m for m in used if m in catalog.measures and catalog.measures[m].kind in NUMERIC and m not in veto]


def _attribute(panel: Panel, column: str, counties: pd.Index) -> pd.Series:
    """Each county's prefecture or type: the panel's own column when it has one, else the shipped list."""
    from .peers import counties as shipped

    out = pd.Series(np.nan, index=counties, dtype=object)
    if column in panel.data.columns:
        d = panel.data[["county", column]].dropna()
        d = d[d[column].astype(str).str.strip() != ""]
        out = d.groupby("county", sort=False)[column].first().astype(str).reindex(counties).astype(object)
    known = shipped().set_index("key")[column]
    return out.where(out.notna(), known.reindex(counties).to_numpy())


def _year(panel: Panel, county: str, year: int, measures: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(imputed, missing) for one year, every peer and measure at once."""
    w = panel.wide(year)[measures]
    peer = pd.Series(w.index != county, index=w.index)
    basis = w.where(peer, np.nan, axis=0)                       # the evaluated county's values never count
    need = w.isna().to_numpy() & peer.to_numpy()[:, None]
    value = np.full(w.shape, np.nan)
    kind = np.full(w.shape, "", dtype=object)
    name = np.full(w.shape, "", dtype=object)
    count = np.zeros(w.shape, dtype=int)
    for col in ("prefecture", "type"):
        key = _attribute(panel, col, w.index)
        med = basis.groupby(key.to_numpy(), dropna=True).transform("median").reindex(w.index).to_numpy()
        n = basis.notna().groupby(key.to_numpy(), dropna=True).transform("sum").reindex(w.index).to_numpy()
        take = need & ~np.isnan(med) & (kind == "")
        value[take], kind[take], count[take] = med[take], col, n[take]
        name[take] = np.broadcast_to(key.to_numpy()[:, None], w.shape)[take]
    nobody = ~basis.notna().any(axis=0).to_numpy()[None, :]
    reason = np.where(need & (kind == ""), np.where(nobody, NOBODY, NO_BASIS), "")
    reason = _constrained(panel.catalog, w, value, kind, reason.astype(object))
    filled = kind != ""
    rows, cols = np.nonzero(filled)
    names = {m: panel.catalog.measures[m].name_zh for m in measures}
    imputed = pd.DataFrame({"county": w.index[rows], "year": year, "measure": w.columns[cols],
                            "name": [names[m] for m in w.columns[cols]], "value": value[rows, cols],
                            "basis": kind[rows, cols], "basis_name": name[rows, cols],
                            "n": count[rows, cols].astype(int)}, columns=COLUMNS)
    rows, cols = np.nonzero(reason != "")
    missing = pd.DataFrame({"county": w.index[rows], "year": year, "measure": w.columns[cols],
                            "name": [names[m] for m in w.columns[cols]], "reason": reason[rows, cols]},
                           columns=["county", "year", "measure", "name", "reason"])
    return imputed, missing


def _constrained(catalog: Catalog, w: pd.DataFrame, value: np.ndarray, kind: np.ndarray,
                 reason: np.ndarray) -> np.ndarray:
    """Imputed values that would break a catalog constraint with the county's other values are undone
    (`value`/`kind` cleared in place); the reason is returned."""
    cols = list(w.columns)
    for c in catalog.constraints:
        if c.left not in cols and c.right not in cols:
            continue
        sides = []
        for m in (c.left, c.right):
            if m in cols:
                j = cols.index(m)
                sides.append((j, np.where(np.isnan(w[m].to_numpy()), value[:, j], w[m].to_numpy())))
            else:
                sides.append((None, np.full(len(w), np.nan)))
        (jl, left), (jr, right) = sides
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(left) & ~np.isnan(right) & ~OPS[c.op](left, right)
        for j in (jl, jr):
            if j is None:
                continue
            undo = bad & (kind[:, j] != "")
            value[undo, j], kind[undo, j] = np.nan, ""
            reason[undo, j] = f"插补值不符合“{c.message}”"
    return reason


def impute_peers(panel: Panel, county: str, year: int, variants: dict[int, str] | None = None) -> Imputation:
    """The peers' gaps in `year` filled (median of the same prefecture, else type) in a new Panel; an
    earlier imputation's rows are dropped first, so imputing twice gives the same panel."""
    panel = without_imputed(panel)
    measures = imputable(panel.catalog, variants)
    empty = pd.DataFrame(columns=COLUMNS)
    if year not in panel.years or not measures:
        return Imputation(panel, empty, pd.DataFrame(columns=["county", "year", "measure", "name", "reason"]))
    imputed, missing = _year(panel, county, year, measures)
    if imputed.empty:
        return Imputation(panel, empty, missing)
    d = panel.data
    keys = pd.MultiIndex.from_frame(imputed[["county", "year", "measure"]])
    gap = pd.MultiIndex.from_frame(d[["county", "year", "measure"]]).isin(keys)     # NaN rows replaced
    rows = pd.DataFrame({"county": imputed["county"], "year": imputed["year"].astype(d["year"].dtype),
                         "measure": imputed["measure"], "value": imputed["value"].astype(float),
                         "raw": imputed["value"].map(lambda v: str(float(v))), "line": 0,
                         "source": [source_text(b, n, k) for b, n, k in
                                    zip(imputed["basis"], imputed["basis_name"], imputed["n"], strict=True)],
                         FLAG: True})
    extra = [c for c in ("code", "prefecture", "type") if c in d.columns]
    if extra:
        attrs = d.groupby("county", sort=False)[extra].first()
        rows = rows.join(attrs, on="county")
    data = pd.concat([d[~gap], rows], ignore_index=True)
    data[FLAG] = data[FLAG].eq(True)
    return Imputation(Panel(data, panel.catalog, panel.source), imputed.reset_index(drop=True), missing)
