"""How much of a peer panel is real: per efficacy component's measure and year, the counties with a real value.

The measures are those the catalog's efficacy-coefficient items use (every reading's), so the report
follows the rules: nothing is listed by hand. A value is real when it is present and its source is
neither synthetic/invented (``benchmark.is_synthetic``) nor imputed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from ..benchmark import is_synthetic, share_percent
from ..catalog import Catalog, load_catalog
from ..display import clip, pad, width
from ..impute import is_imputed
from ..measures import load_measures
from ..rules.efficacy import Efficacy

if TYPE_CHECKING:
    from ..benchmark import Benchmark

NAME_WIDTH = 32                       # a measure's name in the CLI table (display columns)
COLUMNS = ["indicator", "measure", "name", "year", "panel_counties", "real_counties", "real_share"]


def components(catalog: Catalog | None = None) -> pd.DataFrame:
    """(indicator, measure, name) of every measure an efficacy item uses, in catalog order."""
    cat = catalog or load_catalog()
    names = load_measures()
    rows = []
    for ind in cat.indicators:
        items = list(ind.items) + [it for _, (_, its) in ind.variants.items() for it in its]
        for it in items:
            if isinstance(it, Efficacy):
                rows += [(ind.id, m, names[m].name_zh if m in names else m) for m in it.measures()]
    return pd.DataFrame(rows, columns=["indicator", "measure", "name"]).drop_duplicates(["indicator", "measure"],
                                                                                        ignore_index=True)


def coverage(panel: pd.DataFrame, counties: Iterable[str] | None = None, catalog: Catalog | None = None,
             years: Iterable[int] | None = None) -> pd.DataFrame:
    """Per efficacy component's measure and year (:data:`COLUMNS`): the panel's counties that year (only
    `counties` when given: a peer group), those with a real value of the measure, and their share (0–1)."""
    comp = components(catalog)
    if counties is not None:
        panel = panel[panel["county"].isin(list(counties))]
    if years is not None:
        panel = panel[panel["year"].isin([int(y) for y in years])]
    years = sorted(int(y) for y in panel["year"].unique())
    counties = panel.groupby("year")["county"].nunique().rename("panel_counties")
    d = panel[panel["measure"].isin(comp["measure"])]
    value = d["value"]
    present = value.notna() & (value.astype(str).str.strip() != "")
    source = d["source"] if "source" in d else pd.Series("", index=d.index)
    real = present & ~source.map(is_synthetic).astype(bool) & ~is_imputed(d)
    got = d[real].groupby(["measure", "year"])["county"].nunique().rename("real_counties").reset_index()
    grid = comp.merge(pd.DataFrame({"year": years}, dtype=int), how="cross")
    out = grid.merge(counties.reset_index(), on="year", how="left").merge(got, on=["measure", "year"], how="left")
    out = out.fillna({"panel_counties": 0, "real_counties": 0}).astype({"panel_counties": int, "real_counties": int})
    out["real_share"] = (out["real_counties"] / out["panel_counties"].where(out["panel_counties"] > 0)).fillna(0.0)
    return out[COLUMNS]


def coverage_of(bench: Benchmark) -> pd.DataFrame:
    """:func:`coverage` of a benchmark: its counties (the evaluated county and its peers) in its year, per
    efficacy measure of its catalog; ``panel_counties`` is then the benchmark's county count."""
    return coverage(bench.panel.data, bench.counties, bench.panel.catalog, [bench.year])


def coverage_text(df: pd.DataFrame, counted: str = "面板中的县数") -> str:
    """A compact Chinese table: one line per indicator and measure, 有真实数值的县数/县数 per year
    (`counted` names the denominator: 对标县数 for :func:`coverage_of`)."""
    if df.empty:
        return "没有功效系数法指标的数据项可统计"
    years = sorted(df["year"].unique())
    df = df.assign(name=df["name"].map(lambda n: clip(str(n), NAME_WIDTH)))
    wide = df.assign(cell=df["real_counties"].astype(str) + "/" + df["panel_counties"].astype(str)).pivot_table(
        index=["indicator", "measure", "name"], columns="year", values="cell", aggfunc="first", sort=False)
    name_w = max(width("数据项"), *(width(n) for n in wide.index.get_level_values("name")))
    cell_w = max(9, *(width(str(c)) for c in wide.to_numpy().ravel()))
    lines = [f"功效系数法指标各数据项的真实数据覆盖（有真实数值的县数/{counted}）",
             pad("指标", 6) + pad("数据项", name_w + 2) + "".join(pad(f"{y}年", cell_w, right=True) for y in years)]
    for (ind, _, name), row in wide.iterrows():
        lines.append(pad(str(ind), 6) + pad(name, name_w + 2)
                     + "".join(pad(str(row.get(y, "")), cell_w, right=True) for y in years))
    total = df.drop_duplicates(["measure", "year"]).groupby("year")[["real_counties", "panel_counties"]].sum()
    lines.append("合计（各数据项的数值个数，同一数据项只计一次）：" + "；".join(
        f"{y}年{share_percent(r.real_counties / r.panel_counties) if r.panel_counties else '0%'}"
        f"（{r.real_counties}/{r.panel_counties}）" for y, r in total.iterrows()))
    return "\n".join(lines)
