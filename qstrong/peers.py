"""Peer groups: which counties a county is benchmarked against (one option everywhere: --peers).

    shandong (default)  every county in the panel
    prefecture          the same prefecture-level city (地级市)
    type                the same type: 区 / 县级市 / 县
    strong2022          the ten counties named 山东省质量强县 in 2022
    a,b,c               a custom list of county names (or @file.txt, one name a line; UTF-8)
The evaluated county is always in its own peer group, and it needs at least one other county.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from importlib import resources
from io import StringIO

import pandas as pd

from .names import normalise_name
from .panel import Panel, PanelError
from .textfiles import read_text

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


def _custom(spec: str) -> tuple[list[str], str]:
    """Names of a custom list (a,b,c) or an @file (one name a line, read by ``textfiles``), normalised."""
    if spec.startswith("@"):
        text = read_text(spec[1:], "对标组文件")
        raw, what = text.splitlines(), f"对标组文件“{spec[1:]}”"
    else:
        raw, what = re.split(r"[,，、;；]", spec), f"对标组“{spec}”"
    return [n for n in (normalise_name(r) for r in raw) if n], what


def peer_names(spec: str | list[str] | None, county: str, available: list[str]) -> list[str]:
    """County names of the peer group `spec` for `county`, among `available`, county included.

    A custom list or @file is normalised (``names.normalise_name``); a custom group that names no county,
    or only `county` itself, is refused (a PanelError naming --peers). A named group over a one-county
    panel is a plain self-assessment and stays allowed."""
    spec = "shandong" if spec is None else spec
    c = counties().set_index("key")
    what = f"对标组“{spec}”"
    if isinstance(spec, list | tuple):
        names, what = [normalise_name(n) for n in spec if normalise_name(n)], "对标组"
    elif not isinstance(spec, str):
        raise _PeerError([f"应为对标组名称（{'、'.join(GROUPS)}）、县名列表或 @文件，而不是{type(spec).__name__}"])
    elif spec == "shandong":
        names = available
    elif spec in ("prefecture", "type"):
        if county not in c.index:
            raise _PeerError([f"“{county}”不在山东省136个县（市、区）名单中，无法按{GROUPS[spec]}选取对标组"])
        col = "prefecture" if spec == "prefecture" else "type"
        names = list(c.index[c[col] == c.at[county, col]])
    elif spec == "strong2022":
        names = list(strong_counties(2022))
    else:
        names, what = _custom(spec)
        if not names:
            raise _PeerError([f"{what}中没有任何县名：请给出逗号分隔的县名、@文件，或 {'、'.join(GROUPS)} 之一"])
    custom = not isinstance(spec, str) or spec not in GROUPS
    unknown = [n for n in dict.fromkeys(names) if n not in available and n != county]
    if custom and unknown:
        raise _PeerError([f"{what}中的“{n}”不在面板中" + _suggest(n, available) for n in unknown])
    keep = set(names) | {county}
    group = [n for n in available if n in keep]
    if custom and not [n for n in group if n != county]:
        raise _PeerError([f"{what}除被评价的“{county}”外没有其他县（市、区）在面板中，无法对标：请至少给出一个其他县"])
    return group


class _PeerError(PanelError):
    """A peer group that cannot be used (a PanelError: the panel's counties decide it)."""

    title = "对标组（--peers）有{n}处问题"


def _suggest(name: str, known: list[str]) -> str:
    """A hint for an unknown name: the counties it could mean when it is a shared name written without its
    city (市中区 → 市中区（济南市）、市中区（枣庄市）), else the closest name."""
    same = [k for k in known if k.startswith(name + "（")]
    if same:
        return f"：有{len(same)}个同名县（市、区），请写明所属市：{'、'.join(f'“{k}”' for k in same)}"
    close = difflib.get_close_matches(name, [*known, *GROUPS], n=1, cutoff=0.6)
    return f"，是否应为“{close[0]}”？" if close else ""


def select(panel: Panel, county: str, spec: str | list[str] | None) -> Panel:
    """The panel restricted to `county`'s peer group."""
    names = peer_names(spec, county, panel.counties)
    data = panel.data[panel.data["county"].isin(names)]
    return Panel(data.reset_index(drop=True), panel.catalog, source=panel.source)
