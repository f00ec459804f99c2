"""The explorer's widgets (ipywidgets): one input per figure of the county, the live total, rank,
lost-points chart and changed indicators, the weights, the benchmark choices, the target's path and
saving as a scenario. Every number comes from :class:`ExploreModel`/:class:`Session`; this module only
draws and wires.

Stable CSS classes for tests and styling: ``qs-total``, ``qs-rank``, ``qs-m-<measure id, . → ->``
(each figure's input), ``qs-group-<k>`` (the k-th section of the inputs, 1-based), ``qs-w-<indicator>``
(weight sliders), ``qs-lost``/``qs-changed`` (results), ``qs-bench`` (the benchmark line).
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from ..departments import assignment
from ..errors import InputError
from . import views
from .inputs import MeasureRow
from .model import COMMON_GROUP, VETO_GROUP, ExploreModel
from .session import Session, peer_groups, readings

WEIGHT_MAX = 10.0     # points one indicator may be given in the weights tab (the largest level 2 has 10)


def _html(css: str, **layout: str) -> w.HTML:
    """An HTML widget with a stable CSS class (the test hooks and styling above)."""
    out = w.HTML(layout=w.Layout(**layout))
    out.add_class(css)
    return out


class Explorer:
    """The explorer application: ``display(explorer)`` (or leave it last in a cell) shows it."""

    def __init__(self, session: Session):
        self.session = session
        self._quiet = False
        self.rows: dict[str, MeasureRow] = {}
        self._build()
        self._refresh()

    # ── public ──
    @property
    def model(self) -> ExploreModel:
        return self.session.model

    def set(self, measure: str, value: object) -> None:
        """Change a figure from Python: the model re-scores and the page shows it; a value the model
        refuses raises InputError (in the page it is said beside the input instead)."""
        self.model.set(measure, value)
        self._show_values([measure])
        self._refresh()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ── building ──
    def _build(self) -> None:
        model = self.model
        self.bench_line = _html("qs-bench", width="100%")
        self.total = _html("qs-total", margin="0 40px 0 0")
        self.rank = _html("qs-rank")
        self.veto = _html("qs-veto")
        self.complete = _html("qs-complete")
        self.lost = _html("qs-lost")
        self.changed = _html("qs-changed-indicators")
        self.message = w.HTML()
        head = w.HTML(f"{views.CSS}<h2 style='margin:4px 0'>{escape(model.bench.county)} · 质量强县评价交互探索</h2>")
        status = w.HBox([self.total, self.rank], layout=w.Layout(align_items="baseline"))
        self.weight_sliders: dict[int, w.FloatSlider] = {}
        self.weight_sum = w.HTML()
        self.weights_box = w.VBox([])
        self.tabs = tabs = w.Tab(children=[self._inputs_tab(), self.weights_box, self._bench_tab(),
                                           self._target_tab(), self._save_tab()],
                                 titles=("调整数据", "指标权重", "对标与解读", "目标与路径", "保存情景"))
        tabs.observe(lambda ch: ch["new"] == 1 and self._build_weights(), names="selected_index")
        results = w.VBox([self.lost, self.changed], layout=w.Layout(width="40%", padding="0 0 0 12px"))
        body = w.HBox([w.VBox([tabs], layout=w.Layout(width="60%")), results])
        self.widget = w.VBox([head, self.bench_line, status, self.veto, self.complete, self.message, body])
        self.widget.add_class("qs-app")

    def _inputs_tab(self) -> w.Widget:
        self.by_level2 = self._accordion(self._groups_by_level2())
        self.by_department = self._accordion(self._groups_by_department())
        self.view = w.ToggleButtons(options=[("按二级指标", "level2"), ("按填报部门", "department")],
                                    value="level2", style={"button_width": "110px"})
        holder = w.VBox([self.by_level2])
        self.view.observe(lambda ch: setattr(holder, "children",
                                             [self.by_level2 if ch["new"] == "level2" else self.by_department]),
                          names="value")
        reset_all = w.Button(description="全部还原", tooltip="所有数据还原为本县原数据", icon="undo")
        reset_all.on_click(lambda _: self._reset_all())
        note = w.HTML("<span class='qs-muted'>修改任一数据，总分、排名、失分图和变化的指标立即更新；"
                      "“原数据”是本县在对标面板中的值。</span>")
        return w.VBox([w.HBox([self.view, reset_all]), note, holder])

    def _accordion(self, groups: list[tuple[str, list[str]]]) -> w.Accordion:
        boxes = []
        for k in range(1, len(groups) + 1):
            box = w.VBox([])
            box.add_class(f"qs-group-{k}")
            boxes.append(box)
        acc = w.Accordion(children=boxes, titles=tuple(t for t, _ in groups), selected_index=None)

        def fill(change: dict) -> None:      # a section's inputs are built when it is first opened
            k = change["new"]
            if k is not None and not boxes[k].children:
                boxes[k].children = [self.row(m).box for m in groups[k][1]]
        acc.observe(fill, names="selected_index")
        return acc

    def row(self, measure: str) -> MeasureRow:
        """The input row of `measure` (built on first use: a page of ~600 widgets loads slowly)."""
        if measure not in self.rows:
            self.rows[measure] = MeasureRow(self.model.measures[measure], self.model, self._change, self._reset_one)
        return self.rows[measure]

    def _groups_by_level2(self) -> list[tuple[str, list[str]]]:
        cat = self.model.catalog
        groups: dict[str, list[str]] = {}
        for ind in cat.indicators:
            for m in ind.measures():
                if cat.measures[m].indicator not in ("common", "veto"):
                    groups.setdefault(ind.level2, [])
                    if m not in groups[ind.level2]:
                        groups[ind.level2].append(m)
        out = []
        for name, ids in groups.items():
            inds = sorted({int(cat.measures[m].indicator) for m in ids})
            out.append((f"{name}（{cat.level2[name][1]:g}分）· 指标{inds[0]}–{inds[-1]}"
                        if len(inds) > 1 else f"{name}（{cat.level2[name][1]:g}分）· 指标{inds[0]}", ids))
        common = [m for m, x in cat.measures.items() if x.indicator == "common"]
        veto = [m for m, x in cat.measures.items() if x.indicator == "veto"]
        return [*out, (COMMON_GROUP, common), (VETO_GROUP, veto)]

    def _groups_by_department(self) -> list[tuple[str, list[str]]]:
        placed: set[str] = set()
        out = []
        for dep, ids in assignment(self.model.catalog).by_department.items():
            mine = [m for m in ids if m not in placed]
            placed.update(mine)
            if mine:
                out.append((f"{dep}（{len(mine)}项）", mine))
        return out

    def _build_weights(self) -> None:
        """The weights tab, built when first opened (43 sliders)."""
        if self.weights_box.children:
            return
        cat = self.model.catalog
        sections = []
        for name, (_, pts) in cat.level2.items():
            sliders = []
            for ind in (i for i in cat.indicators if i.level2 == name):
                s = w.FloatSlider(value=float(self.model.weights[ind.id - 1]), min=0.0, max=WEIGHT_MAX, step=0.1,
                                  description=f"指标{ind.id}", readout_format=".1f", continuous_update=False,
                                  style={"description_width": "56px"}, layout=w.Layout(width="340px"),
                                  tooltip=ind.criterion)
                s.add_class(f"qs-w-{ind.id}")
                s.observe(lambda ch, j=ind.id: self._weight(j, ch["new"]), names="value")
                self.weight_sliders[ind.id] = s
                sliders.append(w.HBox([s, w.HTML(f"<span class='qs-muted'>{escape(ind.criterion[:22])}"
                                                 f"（评价办法{ind.points:g}分）</span>")]))
            sections.append(w.VBox([w.HTML(f"<b>{escape(name)}</b>（{pts:g}分）"), *sliders]))
        reset = w.Button(description="还原为评价办法分值", icon="undo", layout=w.Layout(width="180px"))
        reset.on_click(lambda _: self._reset_weights())
        note = w.HTML(f"<span class='qs-muted'>权重即各指标的分值（每项0～{WEIGHT_MAX:g}分）。总分 = Σ 指标得分 × 新分值 ÷ "
                      "评价办法分值，满分为权重合计；排名按新总分重新计算；“原”总分和排名仍是评价办法分值下本县原数据的。"
                      "情景文件和最省力路径按评价办法的分值计算。</span>")
        self.weights_box.children = [w.HBox([reset, self.weight_sum], layout=w.Layout(align_items="center")),
                                     note, *sections]

    def _bench_tab(self) -> w.Widget:
        s = self.session
        groups = peer_groups(s.universe, s.group)
        self.group = w.Dropdown(options=[(v, k) for k, v in groups.items()], value=s.group,
                                description="对标组", layout=w.Layout(width="420px"))
        self.reading = w.Dropdown(options=list(readings(s.universe)), value=s.reading, description="解读",
                                  layout=w.Layout(width="100%"))
        for d in (self.group, self.reading):
            d.observe(lambda _: self._choose(), names="value")
        self.bench_notes = w.HTML()
        note = w.HTML("<span class='qs-muted'>对标组决定功效系数法指标的标杆（最高/最低值）和排名的范围；"
                      "解读是评价办法中可有不同理解之处的选择（与敏感性分析的解读组合相同，按与默认解读不同之处命名）。"
                      "切换时已修改的数据和权重保留。</span>")
        return w.VBox([self.group, self.reading, note, self.bench_notes])

    def _target_tab(self) -> w.Widget:
        self.target = w.Text(value="85", description="目标总分", layout=w.Layout(width="220px"))
        self.target.add_class("qs-target")
        go = w.Button(description="计算最省力路径", button_style="primary", layout=w.Layout(width="160px"))
        go.add_class("qs-path-go")
        self.adopt = w.Button(description="采纳这些措施", disabled=True, layout=w.Layout(width="140px"),
                              tooltip="把路径中的目标值填入左侧数据")
        self.path_out = _html("qs-path")
        self._plan = None
        go.on_click(lambda _: self._path())
        self.adopt.on_click(lambda _: self._adopt())
        note = w.HTML("<span class='qs-muted'>从当前数据出发，按工作量表选出达到目标所需工作量最少的措施。</span>")
        return w.VBox([w.HBox([self.target, go, self.adopt]), note, self.path_out])

    def _save_tab(self) -> w.Widget:
        self.save_name = w.Text(placeholder="情景名称（可不填，默认按时间命名）", layout=w.Layout(width="360px"))
        save = w.Button(description="保存为情景", button_style="primary", icon="save")
        save.add_class("qs-save")
        self.save_out = _html("qs-save-out")
        save.on_click(lambda _: self._save())
        note = w.HTML(f"<span class='qs-muted'>把修改过的数据写成情景文件（YAML），保存在 {escape(str(self.session.save_dir))}；"
                      "用 qstrong whatif --scenario 读回，得到同样的总分。</span>")
        return w.VBox([w.HBox([self.save_name, save]), note, self.save_out])

    # ── reacting ──
    def _change(self, measure: str, raw: object) -> None:
        if self._quiet:
            return
        row = self.row(measure)
        base = self.model.shown(measure, self.model.baseline(measure))
        try:
            self.model.set(measure, raw)
        except InputError as exc:               # said beside the input, which shows again what is scored
            self._show_values([measure])
            said = "；".join(str(p).removeprefix(f"{row.m.name_zh}：") for p in exc.problems)  # the row names it
            row.mark(measure in self.model.changes(), base, f"未采用：{said}（仍按{self.model.shown(measure)}计分）")
            return
        self._show_values([measure])             # the rate's slider follows its box, the box its slider
        self._refresh()

    def _reset_one(self, measure: str) -> None:
        self.model.reset(measure)
        self._show_values([measure])
        self._refresh()

    def _reset_all(self) -> None:
        changed = list(self.model.changes())
        self.model.reset()
        self._show_values(changed)
        self._refresh()

    def _show_values(self, measures: list[str]) -> None:
        self._quiet = True
        try:
            for m in measures:
                if m not in self.rows:           # not built yet: it will start at the current value
                    continue
                row = self.rows[m]
                row.show(self.model.value(m))
                row.mark(m in self.model.changes(), self.model.shown(m, self.model.baseline(m)))
        finally:
            self._quiet = False

    def _weight(self, indicator: int, value: float) -> None:
        if self._quiet:
            return
        self.model.set_weight(indicator, value)
        self._refresh()

    def _reset_weights(self) -> None:
        self.model.set_weights(None)
        self._quiet = True
        try:
            for j, s in self.weight_sliders.items():
                s.value = float(self.model.points[j - 1])
        finally:
            self._quiet = False
        self._refresh()

    def _choose(self) -> None:
        if self._quiet:
            return
        try:
            self.session.choose(self.group.value, self.reading.value)
        except InputError as exc:
            self.message.value = views.lines_html([exc.report()], error=True)
            return
        self.message.value = ""
        self._refresh()

    def _path(self) -> None:
        try:
            self._plan = self.session.path(self.target.value)
        except InputError as exc:
            self.path_out.value = views.lines_html([exc.report()], error=True)
            return
        self.path_out.value = views.path_html(self._plan)
        self.adopt.disabled = not self._plan.chosen

    def _adopt(self) -> None:
        if self._plan is None:
            return
        values = dict(self._plan.changes)
        self.model.set_many(values)
        self._show_values(list(values))
        self._refresh()
        self.adopt.disabled = True

    def _save(self) -> None:
        try:
            _, lines = self.session.save(self.save_name.value.strip() or None)
        except InputError as exc:
            self.save_out.value = views.lines_html([exc.report()], error=True)
            return
        self.save_out.value = views.lines_html(lines)

    def _refresh(self) -> None:
        """Every result widget from the model's state (a handful of HTML strings)."""
        model, st = self.model, self.model.state
        bench = model.bench
        self.bench_line.value = (f"<b>{escape(bench.describe())}</b>"
                                 + (f"<br><span class='qs-down'>{escape(bench.notice)}</span>" if bench.notice else ""))
        self.bench_notes.value = "".join(f"<p class='qs-muted'>提醒：{escape(n)}</p>" for n in bench.notes)
        warnings = model.panel_scores().goalpost_warnings(model.i)      # degenerate goalposts, said aloud
        self.complete.value = views.completeness_html(st) + "".join(
            f"<br><span class='qs-down'>提醒：{escape(w)}</span>" for w in warnings)
        self.total.value = views.total_html(st, model.baseline_total)
        self.rank.value = views.rank_html(st, model.baseline_rank)
        self.veto.value = views.veto_html(st)
        self.lost.value = views.lost_html(st.lost)
        self.changed.value = views.changed_html(st.changed, model.catalog)
        self.weight_sum.value = views.weights_html(model.weights.sum(), model.points.sum())
