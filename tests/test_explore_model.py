"""The explorer's model against the engine run afresh on a panel changed by hand (no browser).

Expectations come from another path: the panel's long data edited with pandas and scored from scratch
with ``score_panel`` (and, for the saved scenario, the ``qstrong whatif`` command)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstrong.benchmark import benchmark, ranks
from qstrong.cli import main
from qstrong.errors import InputError
from qstrong.explorer import ExploreModel, session
from qstrong.panel import Panel
from qstrong.scoring import score_panel

COUNTY = "临淄区"


@pytest.fixture(scope="module")
def bench():
    return benchmark("data/sample/zibo_panel.csv", COUNTY, 2022, "shandong", peer_panel="shandong")


def edited(bench, values: dict[str, float | None]):
    """The benchmark's panel with the county's figures replaced by hand, scored from scratch."""
    d = bench.panel.data.copy()
    for m, x in values.items():
        rows = (d["county"] == COUNTY) & (d["year"] == bench.year) & (d["measure"] == m)
        if x is None:
            d = d[~rows]
        elif rows.any():
            d.loc[rows, "value"] = x
        else:
            d = pd.concat([d, pd.DataFrame([{"county": COUNTY, "year": bench.year, "measure": m, "value": x,
                                             "raw": str(x), "line": 0}])], ignore_index=True)
    return score_panel(Panel(d.reset_index(drop=True), bench.panel.catalog), bench.year, bench.config)


def agrees(model: ExploreModel, ps) -> None:
    """Totals of every county, the rank and the changed indicators' explanations as the engine says."""
    np.testing.assert_allclose(model.totals().to_numpy(), ps.totals.reindex(model.totals().index).to_numpy(),
                               rtol=0, atol=1e-9)
    assert model.state.rank == int(ranks(ps.totals)[COUNTY])
    card = ps.county(COUNTY)
    assert model.state.total == pytest.approx(card.total, abs=1e-9)
    assert model.state.complete == card.complete
    lines = {s.indicator: s for s in card.indicators}
    for _, r in model.state.changed.iterrows():
        assert r["explanation"] == lines[r["indicator"]].explanation
        assert (r["score"] is None and lines[r["indicator"]].score is None) or \
            r["score"] == pytest.approx(lines[r["indicator"]].score, abs=1e-12)


CHANGES = [  # one of each kind, with the raw text a person would type or pick
    ("q01.spirit_in_official_docs", "否", 0.0),          # bool
    ("q05.event_level", "省级", 1.0),                     # level, by its Chinese label
    ("q06.meeting_top_attendee", "party_secretary", 0.0),  # level, by its id
    ("q40.invention_patents", 1500, 1500.0),              # count (efficacy: moves the peers' scores too)
    ("q17.verification_rate", "95", 95.0),                # percent below the gate
    ("q34.online_rate", 100, 100.0),                      # percent
    ("q41.tech_trade", 12.5, 12.5),                       # number
    ("veto.statistical_fraud", "是", 1.0),                # veto item
]


@pytest.mark.parametrize(("measure", "raw", "value"), CHANGES)
def test_each_kind_of_change_scores_as_the_engine(bench, measure, raw, value):
    model = ExploreModel(bench)
    calls = model.engine_calls
    model.set(measure, raw)
    assert model.value(measure) == value
    assert model.engine_calls == calls + (model.baseline(measure) != value)
    agrees(model, edited(bench, {measure: value}))
    if measure.startswith("veto."):
        assert model.state.veto == "triggered"


def test_changes_accumulate_and_reset_restores_the_baseline(bench):
    model = ExploreModel(bench)
    base = model.state
    base_scores = model.scores.copy()
    for m, raw, _ in CHANGES:
        model.set(m, raw)
    agrees(model, edited(bench, {m: v for m, _, v in CHANGES}))
    assert set(model.changes()) <= {m for m, _, _ in CHANGES}
    model.reset("q40.invention_patents")
    assert model.value("q40.invention_patents") == model.baseline("q40.invention_patents")
    agrees(model, edited(bench, {m: v for m, _, v in CHANGES if m != "q40.invention_patents"}))
    model.reset()
    assert model.changes() == {}
    assert model.state.total == base.total and model.state.rank == base.rank
    pd.testing.assert_frame_equal(model.scores, base_scores)
    assert model.state.changed.empty


def test_an_unchanged_value_costs_no_engine_call(bench):
    model = ExploreModel(bench)
    m = "q40.invention_patents"
    model.set(m, model.baseline(m))
    model.set("q01.spirit_in_official_docs", "是" if model.baseline("q01.spirit_in_official_docs") else "否")
    assert model.engine_calls == 0


def test_clearing_a_figure_makes_its_indicator_unscored(bench):
    model = ExploreModel(bench)
    model.set("q40.invention_patents", "")
    assert 40 in model.state.missing_indicators and not model.state.complete
    agrees(model, edited(bench, {"q40.invention_patents": None}))


def test_bad_values_are_refused_in_chinese_and_change_nothing(bench):
    model = ExploreModel(bench)
    before = model.state
    for m, raw in [("q40.invention_patents", -1), ("q40.invention_patents", 2.5), ("q17.verification_rate", 101),
                   ("q05.event_level", "世界级"), ("q01.spirit_in_official_docs", "也许"), ("no.such", 1)]:
        with pytest.raises(InputError) as exc:
            model.set(m, raw)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.report())
    assert model.state is before and model.changes() == {}


def test_set_many_is_one_rescoring_equal_to_one_by_one(bench):
    a, b = ExploreModel(bench), ExploreModel(bench)
    values = {m: raw for m, raw, _ in CHANGES}
    a.set_many(values)
    for m, raw in values.items():
        b.set(m, raw)
    assert a.engine_calls == 1
    np.testing.assert_array_equal(a.totals().to_numpy(), b.totals().to_numpy())
    with pytest.raises(InputError) as exc:
        a.set_many({"q40.invention_patents": -3, "q17.verification_rate": 400})
    assert len(exc.value.problems) == 2


def test_weights_reweight_every_county_and_reset_to_the_seed(bench):
    model = ExploreModel(bench)
    base = model.state.total
    model.set_weight(40, 6.0)                  # seed: 4 points
    scores = bench.scores.scores
    w = pd.Series(model.points, index=scores.columns)
    w[40] = 6.0
    expected = (scores * (w / model.points)).sum(axis=1, skipna=True)
    np.testing.assert_allclose(model.totals().to_numpy(), expected.to_numpy(), atol=1e-12)
    assert model.state.rank == int(ranks(expected)[COUNTY]) and model.state.weights_changed
    model.set_weights(None)
    assert list(model.weights) == [ind.points for ind in bench.panel.catalog.indicators]
    assert model.state.total == base and not model.state.weights_changed
    with pytest.raises(InputError):
        model.set_weight(3, -1)


def test_lost_points_by_level2_add_up(bench):
    model = ExploreModel(bench)
    model.set("q01.spirit_in_official_docs", "否")
    lost = model.state.lost
    assert lost["lost"].sum() == pytest.approx(100 - model.state.total, abs=1e-9)
    assert lost.loc["质量理念", "lost"] - lost.loc["质量理念", "baseline_lost"] == pytest.approx(2.0)
    assert lost["points"].sum() == pytest.approx(100)


def test_saved_scenario_reads_back_through_whatif_to_the_same_total(bench, tmp_path, capsys):
    s = session("data/sample/zibo_panel.csv", COUNTY, peer_panel="shandong", year=2022, save_dir=tmp_path)
    for m, raw, _ in CHANGES[:-1]:
        s.model.set(m, raw)
    path, lines = s.save()
    assert any("qstrong whatif data/sample/zibo_panel.csv --peer-panel shandong --county 临淄区" in x for x in lines)
    assert path.parent == tmp_path and any(line.startswith("已核对") for line in lines)
    out = tmp_path / "w.csv"
    code = main(["whatif", "data/sample/zibo_panel.csv", "--county", COUNTY, "--year", "2022",
                 "--peer-panel", "shandong", "--scenario", str(path), "--out", str(out)])
    capsys.readouterr()
    assert code == 0
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert df[path.stem].sum() == pytest.approx(s.model.state.total, abs=1e-6)
    again, _ = s.save()                        # never overwrites: a second name
    assert again != path and path.exists()


def test_nothing_to_save_is_said(bench, tmp_path):
    s = session("data/sample/zibo_panel.csv", COUNTY, peer_panel="shandong", year=2022, save_dir=tmp_path)
    with pytest.raises(InputError, match="没有修改"):
        s.save()


def test_switching_group_and_reading_keeps_the_changes(bench, tmp_path):
    s = session("data/sample/zibo_panel.csv", COUNTY, peer_panel="shandong", year=2022, save_dir=tmp_path)
    s.model.set("q40.invention_patents", 1500)
    s.choose(group="prefecture")
    fresh = benchmark("data/sample/zibo_panel.csv", COUNTY, 2022, "prefecture", peer_panel="shandong")
    assert s.model.bench.counties == fresh.counties
    agrees(s.model, edited(fresh, {"q40.invention_patents": 1500.0}))
    from qstrong.explorer.session import readings

    label = list(readings(s.universe))[7]
    s.choose(reading=label)
    assert s.model.value("q40.invention_patents") == 1500.0
    assert label in s.model.bench.describe()
    again = fresh.with_config(readings(s.universe)[label])
    agrees(s.model, edited(again, {"q40.invention_patents": 1500.0}))


def test_path_starts_from_the_current_figures(bench, tmp_path):
    s = session("data/sample/zibo_panel.csv", COUNTY, peer_panel="shandong", year=2022, save_dir=tmp_path)
    s.model.set("q01.spirit_in_official_docs", "否")
    plan = s.path(85)
    assert plan.current == pytest.approx(s.model.state.total, abs=1e-9)
    assert any(o.indicator == 1 for o in plan.chosen)      # the figure just lost is the cheapest point back
    s.model.set_many(dict(plan.changes))
    assert s.model.state.total == pytest.approx(plan.total, abs=1e-9)


def test_constraints_between_figures_are_kept(bench):
    model = ExploreModel(bench)
    done = model.baseline("q23.sampled_compliant")
    with pytest.raises(InputError, match="不能大于"):
        model.set("q23.sampled", done - 1)
    assert model.changes() == {}
    model.set_many({"q23.sampled": done - 1, "q23.sampled_compliant": done - 1})   # together they agree
    assert model.value("q23.sampled") == done - 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["q40.invention_patents", "q36.service_enterprises", "q15.national_pilots",
                                           "q14.national_led"]), st.integers(0, 5000)), min_size=1, max_size=6))
def test_any_sequence_of_count_changes_matches_a_fresh_score(bench, changes):
    model = ExploreModel(bench)
    final: dict[str, float] = {}
    for m, x in changes:
        model.set(m, x)
        final[m] = float(x)
    agrees(model, edited(bench, final))


def test_config_as_a_file_and_what_a_benchmark_already_holds(bench, tmp_path):
    import json

    from qstrong.explorer import explore
    from qstrong.explorer.session import readings

    label = list(readings(bench))[3]
    cfg = tmp_path / "解读.json"
    cfg.write_text(json.dumps(readings(bench)[label].to_dict(), ensure_ascii=False), encoding="utf-8")
    s = session("data/sample/zibo_panel.csv", COUNTY, peer_panel="shandong", year=2022, config=str(cfg))
    assert s.bench.config.to_dict() == readings(bench)[label].to_dict()
    with pytest.raises(InputError, match="张店区"):
        session(bench, "张店区")
    with pytest.raises(InputError, match="peer_panel"):
        session(bench, peer_panel="x.csv")
    page = explore("no/such/panel.csv", COUNTY, on_error="show")       # the served page: said in Chinese
    assert "无法启动交互探索" in page.value and "Traceback" not in page.value
    with pytest.raises(InputError):
        explore("no/such/panel.csv", COUNTY)


def test_the_printed_command_pastes_into_a_shell(tmp_path):
    import shlex
    import shutil

    folder = tmp_path / "我的 数据"
    folder.mkdir()
    panel = folder / "面板 (1).csv"
    shutil.copy("data/sample/zibo_panel.csv", panel)
    s = session(str(panel), COUNTY, peer_panel="shandong", year=2022, save_dir=folder)
    s.model.set("q40.invention_patents", 1500)
    path, lines = s.save()
    command = next(x for x in lines if x.startswith("复现命令：")).removeprefix("复现命令：")
    argv = shlex.split(command)
    assert argv[:3] == ["qstrong", "whatif", str(panel)] and argv[-1] == str(path) and "临淄区" in command
    assert main(argv[1:]) == 0


def test_a_veto_item_moves_the_state_through_every_path(bench):
    """No indicator reads a veto item: its change must still reach the state (set, set_many, reset)."""
    model = ExploreModel(bench)
    model.set_many({"veto.statistical_fraud": "是"})
    assert model.state.veto == "triggered"
    model.reset("veto.statistical_fraud")
    assert model.state.veto == "not"
    model.set("veto.statistical_fraud", "是")
    model.reset()
    assert model.state.veto == "not" and model.changes() == {}


@pytest.mark.parametrize("policy", ["null", "top"])
def test_a_growth_from_zero_is_not_missing_data(policy):
    """Under zero_base null, 临淄区's 2021 helped SMEs set to 0 leaves 19 unscored but the card complete (the
    county's own results say so); the panel-wide ``PanelScores.uncomputable`` and a fresh scoring agree.
    Clearing the figure instead is missing data."""
    from qstrong.config import ScoringConfig

    cfg = ScoringConfig.from_dict({"efficacy": {"19": {"zero_base": policy}}})
    b = benchmark("data/sample/zibo_panel.csv", COUNTY, 2022, "shandong", cfg, peer_panel="shandong")
    model = ExploreModel(b)
    model.set("q19.smes_helped_prev", 0)
    fresh = edited(b, {"q19.smes_helped_prev": 0})
    assert np.isnan(fresh.scores.loc[COUNTY, 19]) == (policy == "null")
    assert model.state.complete and 19 not in model.state.missing_indicators
    assert bool(model.panel_scores().uncomputable.loc[COUNTY, 19]) == (policy == "null")
    agrees(model, fresh)
    model.set("q19.smes_helped_prev", "")
    assert 19 in model.state.missing_indicators and not model.state.complete
    agrees(model, edited(b, {"q19.smes_helped_prev": None}))
