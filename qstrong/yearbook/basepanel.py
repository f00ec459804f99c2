"""The base peer panel an import goes into (``--base``): read with every problem returned, in Chinese,
each naming the file (对标面板“x.csv”第N行, :func:`.places.base_place`), so a caller lists them with the
problems of its other inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..paths import register_input
from ..peerdata import peer_panel_path
from .places import base_place

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
SHAPE = "对标面板应为CSV文件，表头含 county,year,measure,value（可加 source 等），如 qstrong peers import 写出的；" \
        "--base shandong 为随程序提供的面板"


def load_base(spec: str | Path = "shandong") -> tuple[pd.DataFrame | None, Path, list[str]]:
    """(the long peer panel as text columns with year as int, or None; its path; every problem): ``shandong``
    is the shipped one. Values stay as written, so unchanged rows are written back byte for byte."""
    from ..panel import REQUIRED
    from ..panelcsv import read_rows

    path = peer_panel_path(spec)
    here = base_place(path.name)
    if path.is_dir():
        return None, path, [f"{here}是文件夹，不是CSV文件（路径：{path}）"]
    if not path.exists():
        return None, path, [f"{here}不存在（路径：{path}）"]
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return None, path, [f"{here}不是CSV文件（扩展名“{path.suffix}”）：{SHAPE}"]
    register_input(path)
    df, rows, _ = read_rows(path, REQUIRED)
    if df is not None and (missing := [c for c in REQUIRED if c not in df]):
        header = "、".join(str(c) for c in df.columns if c != "line") or "无"
        return None, path, [f"{here}不是对标面板：缺少列 {'、'.join(missing)}（表头：{header}）；{SHAPE}"]
    problems = [f"{base_place(path.name, line)}：{msg}" if line else f"{here}：{msg}" for line, msg in rows]
    if df is None:
        return None, path, problems
    year = pd.to_numeric(df["year"], errors="coerce")
    bad = year.isna() | (year % 1 != 0)
    problems += [f"{base_place(path.name, line)}：年份“{y}”不是整数年份" for line, y in zip(df.loc[bad, "line"],
                                                                                df.loc[bad, "year"], strict=True)]
    if problems:
        return None, path, problems
    return df.drop(columns="line").assign(year=year.astype(int)), path, []


def read_base(spec: str | Path = "shandong") -> tuple[pd.DataFrame, Path]:
    """:func:`load_base`, raising :class:`InputError` with every problem."""
    df, path, problems = load_base(spec)
    if df is None:
        raise InputError(problems, f"对标面板“{path.name}”无法读取（{{n}}处问题）")
    return df, path
