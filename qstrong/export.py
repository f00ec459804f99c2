"""Writing tables for Excel users: formula-injection-safe CSV (UTF-8 with BOM) and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(v: object) -> object:
    """Neutralise a text cell that a spreadsheet would read as a formula (prefix a quote)."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(safe_cell)
    out.index = out.index.map(safe_cell)
    return out


def frame_to_csv(df: pd.DataFrame, path: str | Path | None = None) -> str:
    """CSV text (and file, when `path` is given) that opens cleanly in Chinese Excel."""
    text = safe_frame(df).to_csv()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8-sig")
    return text


def to_json(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


def frames_to_xlsx(frames: dict[str, pd.DataFrame], path: str | Path, index: bool = True) -> Path:
    """One sheet per frame (sheet names are the keys), formula-safe cells."""
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in frames.items():
            safe_frame(df).to_excel(xw, sheet_name=name[:31], index=index)
    return Path(path)
