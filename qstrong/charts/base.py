"""Chart basics: the explicitly registered CJK font, figure shapes, label wrapping, the synthetic-data
notice, and saving (checked and written like every output)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Tried in order after $QSTRONG_CJK_FONT: Debian/Ubuntu, Windows, macOS.
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
)
HINTS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehan", "msyh", "simhei", "simsun", "pingfang", "heiti")

LOST, SCORE, POINTS, HIGHLIGHT, PEER = "#c0392b", "#2e86c1", "#d6eaf8", "#c0392b", "#7f8c8d"


class FontMissing(RuntimeError):
    """No CJK font is installed: charts would show boxes instead of Chinese."""


@cache
def cjk_font() -> str:
    """Register a CJK font with matplotlib (font_manager.addfont) and make it the default; its name."""
    env = os.environ.get("QSTRONG_CJK_FONT")
    paths = [env] if env else []
    paths += [p for p in CANDIDATES if Path(p).is_file()]
    if len(paths) == (1 if env else 0):
        paths += [p for p in font_manager.findSystemFonts()
                  if any(h in Path(p).name.lower().replace("-", "").replace("_", "") for h in HINTS)]
    for path in paths:
        if path and Path(path).is_file():
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
            plt.rcParams["font.family"] = "sans-serif"
            plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
            plt.rcParams["axes.unicode_minus"] = False
            return name
    raise FontMissing("未找到中文字体，图表中的汉字无法显示。Debian/Ubuntu 请安装 fonts-wqy-microhei"
                      "（sudo apt-get install fonts-wqy-microhei），或设置环境变量 QSTRONG_CJK_FONT 指向字体文件。")


def _figure(w: float, h: float) -> tuple[Figure, plt.Axes]:
    cjk_font()
    fig = Figure(figsize=(w, h), dpi=110, layout="constrained")
    return fig, fig.subplots()


def _grid(n: int, cols: int, w: float, row_h: float, extra: float) -> tuple[Figure, np.ndarray]:
    """A grid for `n` small charts, `cols` a row; the unused axes hidden."""
    cjk_font()
    fig = Figure(figsize=(w, row_h * max(-(-n // cols), 1) + extra), dpi=110, layout="constrained")
    axes = fig.subplots(max(-(-n // cols), 1), cols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def _for_labels(w: float, labels: list[str], per_line: float, per_row: float) -> tuple[Figure, plt.Axes]:
    """A figure tall enough for wrapped y labels (`per_line` inch a text line, `per_row` a row)."""
    return _figure(w, per_line * sum(t.count("\n") + 1 for t in labels) + per_row * len(labels) + 1.4)


def wrap(text: str, width: int = 24) -> str:
    """A label broken every `width` characters (Chinese has no spaces to break at), never cut short; a
    tail of one or two characters (a full stop) stays on the line before."""
    text = str(text)
    lines = [text[k:k + width] for k in range(0, len(text), width)] or [text]
    if len(lines) > 1 and len(lines[-1]) <= 2:
        lines[-2:] = [lines[-2] + lines[-1]]
    return "\n".join(lines)


def _notice(fig: Figure, synthetic: int) -> None:
    if synthetic:
        fig.text(0.99, 0.003, "示例数据：对标值含合成/虚构数据", ha="right", va="bottom", fontsize=8, color=LOST)



def save(figures: dict[str, Figure], out: str | Path, caption: str = "") -> list[Path]:
    """PNG files in `out` (created if missing): checked and written like every output (``writers``);
    `caption` (the benchmark line) is printed at the bottom of every figure, so a chart sent alone still
    says which benchmark produced it."""
    from ..errors import InputError
    from ..paths import check_output
    from ..writers import os_problem, write_atomic

    out = check_output(out, "图表输出目录", directory=True)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([os_problem(exc, out, "图表输出目录")], "无法写出结果") from None
    if caption:
        for fig in figures.values():
            fig.text(0.005, 0.003, caption, fontsize=7, color="#555555", ha="left", va="bottom")
    return [write_atomic(out / f"{stem}.png", lambda tmp, fig=fig: fig.savefig(tmp, format="png"), "图表文件")
            for stem, fig in figures.items()]
