"""The explorer's widgets driven as a person would (values typed or picked, buttons clicked), without a
browser: what the widgets show must be what the engine computes for the changed panel."""

from __future__ import annotations

import re

import pytest
from test_explore_model import COUNTY, edited

from qstrong import explore
from qstrong.explorer.inputs import css_class
from qstrong.explorer.views import changed_html, lost_html, signed

TOTAL = re.compile(r"总分 </span><span class=\"qs-big\">([0-9.]+)</span>")


@pytest.fixture()
def app(tmp_path):
    return explore("data/sample/zibo_panel.csv", COUNTY, peer_panel="shandong", year=2022, save_dir=tmp_path)


def shown_total(app) -> float:
    return float(TOTAL.search(app.total.value).group(1))


def open_all(app):
    """Open every section of both groupings, as a person clicking through them."""
    for acc in (app.by_level2, app.by_department):
        for k in range(len(acc.children)):
            acc.selected_index = k


def test_every_figure_has_one_input_with_its_stable_class(app):
    assert app.rows == {}                                     # built when their section opens
    open_all(app)
    classes = [c for row in app.rows.values() for c in row.input._dom_classes if c.startswith("qs-m-")]
    assert len(classes) == len(app.model.measures) == len(set(classes))
    assert css_class("q40.invention_patents") == "qs-m-q40-invention_patents"
    assert "qs-total" in app.total._dom_classes and "qs-rank" in app.rank._dom_classes
    kinds = {m.kind: type(app.rows[m.id].input).__name__ for m in app.model.measures.values()}
    assert kinds == {"bool": "ToggleButtons", "level": "Dropdown", "count": "Text",   # typed, read by the
                     "percent": "Text", "number": "Text"}                              # intake's parser
    # both groupings hold every figure once
    for acc in (app.by_level2, app.by_department):
        rows = [row for box in acc.children for row in box.children]
        assert len(rows) == len(app.model.measures) == len(set(map(id, rows)))
    assert app.by_level2.titles[0].startswith("质量理念")


def test_inputs_start_at_the_county_figures(app):
    open_all(app)
    m = app.model
    assert app.rows["q40.invention_patents"].input.value == "823" == f"{m.baseline('q40.invention_patents'):g}"
    lvl = m.measures["q05.event_level"]
    assert app.rows["q05.event_level"].input.value == lvl.levels[int(m.baseline("q05.event_level"))]
    assert f"{m.state.total:.2f}" in app.total.value and m.state.rank_text in app.rank.value


def test_typing_and_picking_moves_total_rank_and_chart_as_the_engine(app):
    open_all(app)
    rows = app.rows
    rows["q01.spirit_in_official_docs"].input.value = "0"          # yes/no toggle
    rows["q05.event_level"].input.value = "provincial"             # level dropdown
    rows["q40.invention_patents"].input.value = "1500"              # typed into its box
    rows["q17.verification_rate"].extra[0].value = 95.0             # a rate's slider, written into its box
    assert rows["q17.verification_rate"].input.value == "95"
    ps = edited(app.model.bench, {"q01.spirit_in_official_docs": 0.0, "q05.event_level": 1.0,
                                  "q40.invention_patents": 1500.0, "q17.verification_rate": 95.0})
    card = ps.county(COUNTY)
    assert shown_total(app) == round(card.total, 2)
    assert app.model.state.rank_text in app.rank.value
    assert "指标1" in app.changed.value and "指标17" in app.changed.value
    assert "质量理念" in app.lost.value
    assert not rows["q40.invention_patents"].reset_button.disabled
    assert "qs-changed" in rows["q40.invention_patents"].box._dom_classes


def test_reset_buttons(app):
    open_all(app)
    base = shown_total(app)
    row = app.rows["q01.spirit_in_official_docs"]
    row.input.value = "0"
    assert shown_total(app) != base
    row.reset_button.click()
    assert row.input.value == "1" and shown_total(app) == base and row.reset_button.disabled
    app.rows["q40.invention_patents"].input.value = "2000"
    app.rows["q05.event_level"].input.value = "none"
    app._reset_all()
    assert shown_total(app) == base and app.model.changes() == {}
    assert app.rows["q40.invention_patents"].input.value == "823"


def test_a_refused_value_is_said_beside_the_input_and_changes_nothing(app):
    open_all(app)
    base = app.total.value
    done = app.model.baseline("q23.sampled_compliant")
    row = app.rows["q23.sampled"]
    row.input.value = f"{done - 1:g}"
    assert "不能大于" in row.status.value and app.total.value == base
    assert row.input.value == f"{app.model.value('q23.sampled'):g}"     # the box shows what is scored
    rate = app.rows["q17.verification_rate"]
    before = rate.input.value
    for typed, said in [("150", "超出允许范围"), ("abc", "不是数字"), ("1e308", "超出允许范围"), ("２.５", "")]:
        rate.input.value = typed                              # never clamped, rounded or dropped unsaid
        if said:
            assert said in rate.status.value and "未采用" in rate.status.value and app.total.value == base
            assert rate.input.value == before and len(rate.status.value) < 300
    assert app.model.value("q17.verification_rate") == 2.5    # full-width digits read as the intake reads them
    count = app.rows["q40.invention_patents"]
    count.input.value = "2.5"                                 # a count is whole: said, not read as 25
    assert "不是整数" in count.status.value and count.input.value == "823"
    count.input.value = ""                                    # an empty box: not reported
    assert 40 in app.model.state.missing_indicators and count.input.value == ""


def test_weights_and_their_reset(app):
    app.tabs.selected_index = 1
    base = app.model.state.total
    seed = app.model.catalog.indicator(40).points
    app.weight_sliders[40].value = seed + 3
    assert "按调整后的权重" in app.total.value and "103.0" in app.weight_sum.value and "满分为103.0" in app.weight_sum.value
    assert app.model.state.total != base
    # “原” stays the county's own total under the seed's points, so a weight change shows as a change
    assert f"原{base:.2f}" in app.total.value and f"{app.model.state.total - base:+.2f}".replace("-", "−") in app.total.value
    for s in app.weight_sliders.values():
        s.value = 0.0
    assert "权重合计为0" in app.weight_sum.value
    app._reset_weights()
    assert app.model.state.total == base and app.weight_sliders[40].value == seed
    assert "100.0" in app.weight_sum.value


def test_peer_group_and_reading(app):
    open_all(app)
    app.rows["q40.invention_patents"].input.value = "1500"
    app.group.value = "prefecture"
    assert "同一地级市" in app.bench_line.value and "共8个" in app.rank.value
    app.reading.value = app.reading.options[5]
    assert app.model.value("q40.invention_patents") == 1500
    assert f"{app.model.state.total:.2f}" in app.total.value


def test_target_path_and_adopting_it(app):
    app.target.value = "120"
    app._path()
    assert "目标总分" in app.path_out.value and app.adopt.disabled      # out of range: said, not clamped
    app.target.value = "85"
    app._path()
    assert "最省力" in app.path_out.value or "措施" in app.path_out.value
    assert not app.adopt.disabled
    app._adopt()
    assert shown_total(app) >= 85.0 - 1e-9


def test_save_as_scenario(app, tmp_path):
    open_all(app)
    app._save()
    assert "没有修改" in app.save_out.value
    app.rows["q40.invention_patents"].input.value = "1500"
    app.save_name.value = "../试一试"
    app._save()
    assert "已核对" in app.save_out.value
    saved = list(tmp_path.glob("*.yaml"))
    assert [p.name for p in saved] == [".._试一试.yaml"] or [p.name for p in saved] == ["_试一试.yaml"]


def test_a_section_opened_after_changes_starts_at_the_current_figures(app):
    app.set("q40.invention_patents", 1500)                   # from Python, before its section was opened
    app.set("q01.spirit_in_official_docs", "否")
    open_all(app)
    row = app.rows["q40.invention_patents"]
    assert row.input.value == "1500" and not row.reset_button.disabled and "qs-changed" in row.box._dom_classes
    assert app.rows["q01.spirit_in_official_docs"].input.value == "0"
    app.weight_sliders or app._build_weights()
    assert app.weight_sliders[1].value == app.model.weights[0]


def test_python_api_set_raises_what_the_page_would_say(app):
    import pytest as _pytest

    from qstrong.errors import InputError

    for bad in ("abc", -1, "5,000", float("nan")):
        with _pytest.raises(InputError):
            app.set("q40.invention_patents", bad)
    assert app.model.changes() == {}
    app.set("q40.invention_patents", "")                     # clearing is said as such: no data
    assert app.model.value("q40.invention_patents") is None


def test_views_escape_text_and_use_one_minus_sign():
    import pandas as pd

    from qstrong.catalog import load_catalog

    df = pd.DataFrame([{"indicator": 1, "points": 2.0, "baseline": 2.0, "score": 0.0,
                        "explanation": "<script>alert(1)</script>"}])
    html = changed_html(df, load_catalog())
    assert "<script>" not in html and "&lt;script&gt;" in html and "−2.00" in html
    assert signed(-0.001) == "0.00" and signed(-1.5) == "−1.50" and signed(2) == "+2.00"
    lost = pd.DataFrame({"points": [4.0], "baseline_lost": [0.0], "lost": [2.0]}, index=["质量理念<b>"])
    assert "质量理念&lt;b&gt;" in lost_html(lost)


def test_notebook_05_runs_in_a_kernel_and_shows_the_widget(tmp_path):
    """What JupyterLab does with notebooks/05: run in a real kernel, its output is a widget view (the
    jupyterlab-manager extension, installed with ipywidgets, renders it)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read("notebooks/05_交互探索.ipynb", as_version=4)
    work = tmp_path / "nb"
    work.mkdir()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1 and views[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]


def test_custom_peer_list_and_a_benchmark_passed_in(tmp_path):
    from qstrong.benchmark import benchmark

    app = explore("data/sample/zibo_panel.csv", COUNTY, peer_panel="shandong", year=2022,
                  peers="临淄区,张店区,周村区", save_dir=tmp_path)
    assert app.group.value == "临淄区,张店区,周村区" and "共3个" in app.rank.value
    app.group.value = "shandong"
    assert "共132个" in app.rank.value                               # 136 less the 4 peers vetoed in 2022
    bench = benchmark("data/sample/zibo_panel.csv", COUNTY, 2022, "prefecture", peer_panel="shandong")
    app = explore(bench, save_dir=tmp_path)
    assert [v for _, v in app.group.options] == ["prefecture"]       # its counties are all there is
    assert f"{bench.total:.2f}" in app.total.value and bench.rank_text() in app.rank.value
