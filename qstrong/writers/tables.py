"""Tables for Excel users: CSV (UTF-8 with BOM) and JSON; the xlsx writer is :mod:`.xlsx`.

Every cell goes through :mod:`qstrong.writers.cells`; every file through
:func:`qstrong.writers.files.write_atomic`. A CSV for people has its columns named through
:mod:`qstrong.vocabulary`; a panel CSV (the data contract the program reads back) only its four
panel columns (:func:`qstrong.vocabulary.headers`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .. import vocabulary as V
from .cells import safe_frame, visible_text
from .files import write_text
from .xlsx import frames_to_xlsx, sheet_title

__all__ = ["frame_to_csv", "frames_to_xlsx", "sheet_title", "to_json"]


CSV_DECIMALS = 10


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    """Floats to CSV_DECIMALS, also those in text columns (a column mixing 99.7% and 1401.2852621358077)."""
    df = df.round(CSV_DECIMALS)
    for i in range(df.shape[1]):
        if df.iloc[:, i].dtype.kind == "O":
            df.isetitem(i, df.iloc[:, i].map(lambda v: round(v, CSV_DECIMALS) if isinstance(v, float) else v))
    return df


def frame_to_csv(df: pd.DataFrame, path: str | Path | None = None, what: str = "输出文件",
                 index: bool = True, panel: bool = False) -> str:
    """CSV text (and file, when `path` is given) that opens cleanly in Chinese Excel: an API frame as
    people read it (:func:`qstrong.vocabulary.for_people`, floats to 10 decimals), or with `panel` a panel
    file the program reads back (cells as they are, :func:`qstrong.vocabulary.headers`).

    Lines end in CRLF (RFC 4180, as Excel writes CSV): a field holding a line break or a bare CR is then
    always quoted, so no text can split a row.
    """
    if panel:
        df = V.headers(df.reset_index() if index and any(n is not None for n in df.index.names) else df)
        index = index and not isinstance(df.index, pd.RangeIndex)
    else:
        # binary float noise (0.45199999999999996) rounded away; 10 decimals keep every real figure
        df, index = _rounded(V.for_people(df, index)), False
    text = safe_frame(df).to_csv(index=index, lineterminator="\r\n")
    if path is not None:
        write_text(path, text, what, encoding="utf-8-sig")
    return text


def _json_ready(obj: object) -> object:
    """NaN and ±Infinity (not JSON) as null; numpy scalars as Python numbers; text visible (``\\x85``);
    containers recursively."""
    if isinstance(obj, str):
        return visible_text(obj)
    if isinstance(obj, dict):
        return {visible_text(str(_json_ready(k))): _json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_json_ready(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


def to_json(obj: object) -> str:
    """Valid JSON (never NaN or Infinity), Chinese kept readable."""
    return json.dumps(_json_ready(obj), ensure_ascii=False, indent=2, allow_nan=False, default=str)


