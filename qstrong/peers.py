"""Peer groups: which counties a county is benchmarked against (one option everywhere: --peers).

    shandong (default)  every county in the panel
    prefecture          the same prefecture-level city (地级市)
    type                the same type: 区 / 县级市 / 县
    strong2022          the ten counties named 山东省质量强县 in 2022
    a,b,c               a custom list of county names (or @file.txt, one name a line)
The evaluated county is always in its own peer group.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from io import StringIO
from pathlib import Path

import pandas as pd

from .panel import Panel, PanelError, Problem

GROUPS = {"shandong": "全省", "prefecture": "同一地级市", "type": "同类型", "strong2022": "2022年首批质量强县"}


def _read(name: str) -> pd.DataFrame:
    text = resources.files("qstrong").joinpath(f"data/shandong/{name}").read_text(encoding="utf-8-sig")
    return pd.read_csv(StringIO(text), dtype=str)


@cache
def counties() -> pd.DataFrame:
    """The 136 county-level divisions (code, name, prefecture, type); `key` is the name used in panels
    (a name shared by two divisions — 市中区 — carries its prefecture: 市中区（济南市）)."""
    df = _read("counties.csv")
    dup = df["name"].duplicated(keep=False)
    df["key"] = df["name"].where(~dup, df["name"] + "（" + df["prefecture"] + "）")
    return df


@cache
def strong_counties(year: int = 2022) -> tuple[str, ...]:
    df = _read("quality_strong_counties.csv")
    codes = set(df.loc[df["year"] == str(year), "code"])
    c = counties()
    return tuple(c.loc[c["code"].isin(codes), "key"])


def describe(spec: str) -> str:
    return GROUPS.get(spec, "自定义对标组")


def peer_names(spec: str | list[str] | None, county: str, available: list[str]) -> list[str]:
    """County names of the peer group `spec` for `county`, among `available`, county included."""
    spec = spec or "shandong"
    c = counties().set_index("key")
    if isinstance(spec, list):
        names = spec
    elif spec == "shandong":
        names = available
    elif spec in ("prefecture", "type"):
        if county not in c.index:
            raise PanelError([Problem(f"“{county}”不在山东省136个县（市、区）名单中，无法按{GROUPS[spec]}选取对标组")])
        col = "prefecture" if spec == "prefecture" else "type"
        names = list(c.index[c[col] == c.at[county, col]])
    elif spec == "strong2022":
        names = list(strong_counties(2022))
    elif spec.startswith("@"):
        names = [ln.strip() for ln in Path(spec[1:]).read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
    else:
        names = [n.strip() for n in spec.replace("，", ",").split(",") if n.strip()]
    unknown = [n for n in names if n not in available and n != county]
    if isinstance(spec, list) or spec not in GROUPS:
        if unknown:
            raise PanelError([Problem(f"对标组中的“{n}”不在面板中") for n in unknown])
    keep = set(names) | {county}
    return [n for n in available if n in keep]


def select(panel: Panel, county: str, spec: str | list[str] | None) -> Panel:
    """The panel restricted to `county`'s peer group."""
    names = peer_names(spec, county, panel.counties)
    data = panel.data[panel.data["county"].isin(names)]
    return Panel(data.reset_index(drop=True), panel.catalog, source=panel.source)
