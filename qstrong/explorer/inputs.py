"""One figure's input row in the explorer: an input of the figure's kind (yes/no → toggle, level →
dropdown, count and other numbers → a text box read by the intake's parser, rate → slider writing into
its box), its unit, a reset button and a status (the county's own value, or why a value was not taken).
Rows are built by ``app.py``."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w

from ..measures import Measure, fmt_num
from .model import ExploreModel


def css_class(measure: str) -> str:
    return "qs-m-" + measure.replace(".", "-")


class MeasureRow:
    """One figure: its name, an input of its kind starting at the county's current value, the unit, a
    reset button and a status (the county's own value, or why a value was not taken).

    Numbers are typed into text boxes read by the same parser as the departments' workbooks (an empty
    box is 未填报): nothing is clamped, rounded or dropped in the page — a value the model refuses is said
    beside the box and the box shows again the value that is scored. A rate's slider writes into its box."""

    def __init__(self, m: Measure, model: ExploreModel, on_change: Callable[[str, object], None],
                 on_reset: Callable[[str], None]):
        self.m = m
        self._showing = False
        base, now = model.baseline(m.id), model.value(m.id)
        self.input, self.extra = self._input(m, base, now)
        self.input.add_class(css_class(m.id))
        self.input.observe(lambda ch: on_change(m.id, ch["new"]), names="value")
        for slider in self.extra:
            slider.observe(lambda ch: self._slid(ch["new"]), names="value")
        unit = m.unit if m.unit else ""
        label = w.HTML(f"<span title='{escape(m.describe_allowed())}'>{escape(m.name_zh)}</span>",
                       layout=w.Layout(width="250px", flex="0 0 250px"))
        control = w.HBox([*self.extra, self.input], layout=w.Layout(width="290px", flex="0 0 290px",
                                                                      justify_content="flex-end"))
        self.reset_button = w.Button(description="还原", tooltip=f"还原为本县原数据：{model.shown(m.id, base)}",
                                     layout=w.Layout(width="52px", flex="0 0 52px"), disabled=True)
        self.reset_button.on_click(lambda _: on_reset(m.id))
        self.status = w.HTML(self._status(model.shown(m.id, base)), layout=w.Layout(flex="1 1 auto", min_width="180px"))
        parts = [label, control, w.HTML(escape(unit), layout=w.Layout(width="52px", flex="0 0 52px")),
                 self.reset_button, self.status]
        self.box = w.HBox(parts, layout=w.Layout(align_items="center"))
        self.mark(m.id in model.changes(), model.shown(m.id, base))

    @staticmethod
    def _status(shown: str, problem: str = "") -> str:
        if problem:
            return f"<span class='qs-down'>{escape(problem)}</span>"
        return f"<span class='qs-muted'>原数据：{escape(shown)}</span>"

    @staticmethod
    def _text(x: float | None) -> str:
        return "" if x is None else fmt_num(x, 10)

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
        box = w.Text(value=self._text(now), placeholder="未填报", continuous_update=False,
                     layout=w.Layout(width="110px"))
        if m.high is None or m.low is None:
            return box, []
        start = m.low if now is None else min(max(now, m.low), m.high)
        slider = w.FloatSlider(value=start, min=m.low, max=m.high, step=0.1, readout=False,
                               continuous_update=False, layout=w.Layout(width="150px"))
        return box, [slider]

    def _slid(self, value: float) -> None:
        """The slider moved by hand: its value (to 0.1, as its steps) typed into the box."""
        if not self._showing:
            self.input.value = fmt_num(round(float(value), 1), 1)

    def show(self, x: float | None) -> None:
        """Put the engine value `x` into the input and slider (as they were: no event acted upon)."""
        m = self.m
        self._showing = True
        try:
            if m.kind == "bool":
                self.input.value = "" if x is None else "1" if x > 0.5 else "0"
            elif m.kind == "level":
                self.input.value = "" if x is None else m.levels[int(x)]
            else:
                self.input.value = self._text(x)
            for e in self.extra:
                if x is not None:
                    e.value = min(max(float(x), e.min), e.max)
        finally:
            self._showing = False

    def mark(self, changed: bool, shown_base: str, problem: str = "") -> None:
        self.reset_button.disabled = not changed
        self.status.value = self._status(shown_base, problem)
        (self.box.add_class if changed else self.box.remove_class)("qs-changed")
