"""One figure's input row in the explorer: an input of the figure's kind (yes/no → toggle, level →
dropdown, count → integer box, rate → slider writing into a box, other numbers → box), its unit, a reset
button and a status (the county's own value, or why a value was refused). Rows are built by ``app.py``."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w

from ..measures import Measure
from .model import ExploreModel


def css_class(measure: str) -> str:
    return "qs-m-" + measure.replace(".", "-")


class MeasureRow:
    """One figure: its name and unit, an input of its kind starting at the county's value, a reset
    button and a status (the county's own value, or a problem)."""

    def __init__(self, m: Measure, model: ExploreModel, on_change: Callable[[str, object], None],
                 on_reset: Callable[[str], None]):
        self.m = m
        base, now = model.baseline(m.id), model.value(m.id)
        self.input, self.extra = self._input(m, base, now)
        self.input.add_class(css_class(m.id))
        self.input.observe(lambda ch: on_change(m.id, ch["new"]), names="value")
        unit = "" if m.unit in ("", "%") else m.unit
        label = w.HTML(f"<span title='{escape(m.describe_allowed())}'>{escape(m.name_zh)}</span>",
                       layout=w.Layout(width="300px"))
        self.reset_button = w.Button(description="还原", tooltip=f"还原为本县原数据：{model.shown(m.id, base)}",
                                     layout=w.Layout(width="52px"), disabled=True)
        self.reset_button.on_click(lambda _: on_reset(m.id))
        self.status = w.HTML(self._status(model.shown(m.id, base)), layout=w.Layout(width="190px"))
        parts = [label, *self.extra, self.input, w.HTML(escape(unit or ("%" if m.unit == "%" else "")),
                                                        layout=w.Layout(width="48px")),
                 self.reset_button, self.status]
        self.box = w.HBox(parts, layout=w.Layout(align_items="center"))
        self.mark(m.id in model.changes(), model.shown(m.id, base))

    @staticmethod
    def _status(shown: str, problem: str = "") -> str:
        if problem:
            return f"<span class='qs-down'>{escape(problem)}</span>"
        return f"<span class='qs-muted'>原数据：{escape(shown)}</span>"

    def _input(self, m: Measure, base: float | None, now: float | None) -> tuple[w.Widget, list[w.Widget]]:
        missing = [("未填报", "")] if base is None or now is None else []
        if m.kind == "bool":
            value = "" if now is None else "1" if now > 0.5 else "0"
            return w.ToggleButtons(options=[("是", "1"), ("否", "0"), *missing], value=value,
                                   style={"button_width": "52px"}), []
        if m.kind == "level":
            value = "" if now is None else m.levels[int(now)]
            return w.Dropdown(options=[*zip(m.level_labels, m.levels, strict=True), *missing], value=value,
                              layout=w.Layout(width="190px")), []
        start = (m.low or 0.0) if now is None else now
        # Unbounded boxes: a value out of range is refused by the model and said beside the input, never
        # clamped in the page without a word. A rate's slider only writes into its box (one direction).
        if m.kind == "count":
            return w.IntText(value=int(start), layout=w.Layout(width="110px")), []
        box = w.FloatText(value=start, layout=w.Layout(width="110px"))
        if m.high is None or m.low is None:
            return box, []
        slider = w.FloatSlider(value=min(max(start, m.low), m.high), min=m.low, max=m.high, step=0.1, readout=False,
                               continuous_update=False, layout=w.Layout(width="150px"))
        w.jsdlink((slider, "value"), (box, "value"))
        return box, [slider]

    def show(self, x: float | None) -> None:
        """Put the engine value `x` into the input (no event handled: the caller guards)."""
        m = self.m
        if m.kind == "bool":
            self.input.value = "" if x is None else "1" if x > 0.5 else "0"
        elif m.kind == "level":
            self.input.value = "" if x is None else m.levels[int(x)]
        elif x is not None:
            self.input.value = int(x) if m.kind == "count" else float(x)
        for e in self.extra:
            if x is not None:
                e.value = min(max(float(x), e.min), e.max)

    def mark(self, changed: bool, shown_base: str, problem: str = "") -> None:
        self.reset_button.disabled = not changed
        self.status.value = self._status(shown_base, problem)
        (self.box.add_class if changed else self.box.remove_class)("qs-changed")
