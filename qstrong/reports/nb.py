"""Small helpers the report notebooks call (display only: all computing is in qstrong's API)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ..charts import cjk_font
from ..vocabulary import (
    COLUMNS,
    FRACTION_COLUMNS,
    KINDS,
    MEASURE_COLUMNS,
    METHODS,
    PERCENT_COLUMNS,
    for_people,
    plain,
)

__all__ = ["COLUMNS", "KINDS", "MEASURE_COLUMNS", "METHODS", "PERCENT_COLUMNS", "md", "notice", "plain", "show", "table"]


def show(fig) -> None:
    """Display a matplotlib Figure as an embedded PNG."""
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    display(Image(data=buf.getvalue()))


def table(df: pd.DataFrame, caption: str = "", precision: int = 2, index: bool = True):
    """A Chinese table (:func:`qstrong.vocabulary.for_people`): columns named in Chinese, numbers to `precision` decimals, every text
    escaped; a named index becomes the first columns, so no header row is left empty."""
    named = index and any(n is not None for n in df.index.names)
    shown = for_people(df, index=named)
    if index and not named:
        shown.index = df.index          # an unnamed index is shown as row labels
    df, index = shown, index and not named
    styler = df.style.format(_number(precision), escape="html", na_rep="—")
    shares = [c for c in df.columns if c in {COLUMNS.get(f, f) for f in FRACTION_COLUMNS}]
    if shares:                      # 0–1 shares as percentages, as the xlsx writer and the text show them
        styler = styler.format(_share, subset=shares, na_rep="—")
    if not index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler


def _number(precision: int):
    """Cell formatter: numbers to `precision` decimals with “−” (U+2212) for negatives; text as it is."""
    def fmt(v):
        if isinstance(v, bool) or not isinstance(v, int | float | np.number):
            return v
        text = f"{v:.{precision}f}" if isinstance(v, float | np.floating) else str(v)
        return (text.lstrip("-") if float(text) == 0 else text).replace("-", "−")   # no “−0.00”
    return fmt


def _share(v):
    """A 0–1 share as a percentage with one decimal (text as it is)."""
    return f"{v:.1%}" if isinstance(v, float | np.floating) and not isinstance(v, bool) else v


def md(text: str) -> None:
    """Display Markdown text (headings, notes) — department-supplied text must go through `table`."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def notice(bench) -> None:
    """The benchmark's data notice (:attr:`Benchmark.notice`, the one every output carries), if any."""
    head, _, rest = bench.notice.partition("：")
    if rest:
        md(f"> **{head}**：{rest}")


cjk_font()  # registered once per kernel
