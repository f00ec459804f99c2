"""What a cell may hold when the program writes it for a spreadsheet: the one policy for every format.

User text (names, remarks, evidence, peer counties) may start like a formula (``=HYPERLINK(…)``,
``@SUM(1)``, ``+cmd|…``, ``-2+3+cmd``, also after spaces or in full width ``＝＋－＠``) or hold control
characters that an xlsx file cannot store. :func:`cell_value` makes any value safe: formula-like text
gets a leading ``'``, invisible characters become visible escapes (``\\x07``); numbers — and text that
is a plain decimal number such as ``-3.2`` or ``1e-5`` — are never touched, whatever the column dtype.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
from pandas.api import types as ptypes

from ..names import clean_text

EXCEL_CELL_LIMIT = 32_767          # characters in one Excel cell
SHEET_NAME_LIMIT = 31

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FORMULA_CHARS = frozenset("=+-@\u2212")        # after NFKC: ＝＋－＠ ﹦﹢﹣﹫ → = + - @; U+2212 minus sign
_LINE_CHARS = frozenset("\t\r\n")
# Neither XML (xlsx) nor UTF-8 can hold these: lone surrogates (undecodable file names) and non-characters.
_UNWRITABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def is_plain_number(text: str) -> bool:
    """True for a decimal number written plainly ("-3.2", "+5", "1e-5"): a spreadsheet reads a number."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def formula_like(text: str) -> bool:
    """Would a spreadsheet read `text` as a formula (or a line break/tab start a field that is one)?"""
    if not text or text[0] in _LINE_CHARS:
        return bool(text)
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            if ch in _LINE_CHARS:
                return True
            continue
        return unicodedata.normalize("NFKC", ch)[:1] in _FORMULA_CHARS
    return False


def visible_text(text: str) -> str:
    """Control characters, lone surrogates and non-characters shown as escapes (``\\x07``, ``\\udcff``)."""
    text = clean_text(text)
    return _UNWRITABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def safe_text(text: str) -> str:
    """Text as it may be written to a spreadsheet cell: visible, and never a formula."""
    text = visible_text(text)
    if formula_like(text) and not is_plain_number(text):
        return "'" + text
    return text


def unquote(text: str) -> str:
    """The inverse of :func:`safe_text`'s quote, for the program reading back what it wrote ('=x → =x)."""
    return text[1:] if text.startswith("'") and formula_like(text[1:]) and not is_plain_number(text[1:]) else text


def cell_value(v: object) -> object:
    """Any value made safe for a cell: text through :func:`safe_text`, everything else unchanged."""
    return safe_text(v) if isinstance(v, str) else v


def truncate(text: str, limit: int = EXCEL_CELL_LIMIT) -> str:
    """`text` if it fits; otherwise its beginning and a visible note ``…［已截断，原文共N字］``."""
    if len(text) <= limit:
        return text
    mark = f"…［已截断，原文共{len(text)}字］"
    return text[: limit - len(mark)] + mark


def _label(v: object) -> object:
    return tuple(cell_value(x) for x in v) if isinstance(v, tuple) else cell_value(v)


def _untouched(dtype: object) -> bool:
    """Columns that cannot hold text: numbers, booleans, dates and durations."""
    return (ptypes.is_numeric_dtype(dtype) or ptypes.is_bool_dtype(dtype)
            or ptypes.is_datetime64_any_dtype(dtype) or ptypes.is_timedelta64_dtype(dtype)) \
        and not isinstance(dtype, pd.CategoricalDtype)


def safe_labels(index: pd.Index) -> pd.Index:
    """Index or column labels (and their names) made safe; a MultiIndex level by level."""
    out = index.map(_label)
    out.names = [cell_value(n) for n in index.names]
    return out


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose every text cell, label and label name is safe (object, str, string, category alike)."""
    out = df.copy()
    out.columns = range(out.shape[1])       # positional while replacing: labels may repeat
    for k in range(out.shape[1]):
        col = out[k]
        if not _untouched(col.dtype):
            out[k] = col.astype(object).map(cell_value)
    out.columns = safe_labels(df.columns)
    out.index = safe_labels(df.index)
    return out
