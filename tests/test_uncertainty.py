"""Combined uncertainty: nominal reproduced exactly, the readings grid (× zero base) reproduced, input noise
against the engine on a perturbed panel, Sobol groups, parameters refused in Chinese, the xlsx read back."""

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from cli_helpers import cli, refused

from qstrong.analysis.sensitivity import interpretations, ranks
from qstrong.analysis.uncertainty import combined, group_sobol
from qstrong.analysis.uncertainty_model import ZERO_BASE, Model, growth_indicators, reading_configs
from qstrong.benchmark import benchmark
from qstrong.errors import InputError
from qstrong.panel import Panel
from qstrong.scoring import score_panel

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
COUNTY = "临淄区"


def _frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str)


def _set(df: pd.DataFrame, county: str, measure: str, value: str, year: str = "2022") -> None:
    hit = (df["county"] == county) & (df["measure"] == measure) & (df["year"] == year)
    assert hit.sum() == 1
    df.loc[hit, "value"] = value


@pytest.fixture(scope="module")
def bench():
    """The sample's eight counties; a peer's indicator-19 growth starts from zero (the zero-base policy
    matters) and the county holds the top goalpost of indicator 33."""
    df = _frame()
    _set(df, "博山区", "q19.smes_helped_prev", "0")
    _set(df, COUNTY, "q33.prefab_bases", "40")
    return benchmark(Panel.from_frame(df), COUNTY, 2022)


def test_no_noise_one_reading_reproduces_the_nominal_exactly(bench):
    c = combined(bench, draws=40, spread=0.0, readings=False, progress=False)
    nominal = bench.scores.totals
    t = c.table
    for col in ("nominal", "total_p05", "total_median", "total_p95"):
        assert np.array_equal(t[col].to_numpy(), nominal.to_numpy()), col
    want = bench.ranks().to_numpy()
    for col in ("nominal_rank", "rank_p05", "rank_median", "rank_p95"):
        assert np.array_equal(t[col].to_numpy(), want), col
    assert (c.county_totals == bench.total).all() and (c.county_ranks == bench.rank()).all()
    assert c.readings and len(c.readings) == 1 and c.measures == []
    assert c.rank_counts[bench.rank()] == 40 and c.rank_counts.sum() == 40


def test_only_readings_reproduce_the_grid_times_the_zero_base(bench):
    c = combined(bench, draws=5000, spread=0.0, readings=True, progress=False)
    growth = growth_indicators(bench.config, bench.scores.catalog)
    assert set(growth) >= {19, 20}
    grid = pd.concat([interpretations(bench.panel, COUNTY, 2022, bench.config.with_efficacy(growth, zero_base=z))
                      for z in ZERO_BASE.values()])
    want = set(zip(grid["total"], grid["rank"], strict=True))
    got = set(zip(c.county_totals.tolist(), c.county_ranks.tolist(), strict=True))
    assert got == want
    assert len(c.readings) == len(grid) == 3 * len(interpretations(bench.panel, COUNTY, 2022, bench.config))
    assert set(np.unique(c.reading_draws)) == set(range(len(c.readings)))      # every reading drawn
    # the zero-base policy moves the peer's total: null leaves its indicator 19 unscored
    peer = [interpretations(bench.panel, "博山区", 2022, bench.config.with_efficacy(growth, zero_base=z))["total"].iloc[0]
            for z in ("top", "null")]
    assert peer[0] > peer[1]


def test_input_noise_moves_peers_as_the_engine_says(bench):
    ps = bench.scores
    cfgs = reading_configs(bench.config, ps.catalog)
    model = Model(ps, COUNTY, [c for _, c in cfgs], input_error=0.3)
    assert "q33.prefab_bases" in model.measures
    rng = np.random.default_rng(3)
    r = np.array([0, 5, 100, 287])
    w = np.broadcast_to(model.points, (4, 43)) * rng.uniform(0.8, 1.2, (4, 43))
    w = w / w.sum(axis=1, keepdims=True) * 100
    mult = rng.uniform(0.7, 1.3, (4, len(model.measures)))
    mult[:, model.measures.index("q33.prefab_bases")] = [0.5, 1.3, 0.2, 1.1]   # below and above the peers' best
    got = model.totals(r, w, mult)
    data = bench.panel.data
    for k in range(4):
        df = data.copy()
        own = (df["county"] == COUNTY) & (df["year"] == 2022)
        factor = df.loc[own, "measure"].map(dict(zip(model.measures, mult[k], strict=True))).fillna(1.0)
        df.loc[own, "value"] = [_kept(ps.catalog.measures[m], v)
                                for m, v in zip(df.loc[own, "measure"], df.loc[own, "value"] * factor, strict=True)]
        s = score_panel(Panel(df, ps.catalog), 2022, cfgs[r[k]][1]).scores
        expect = (s.fillna(0) * (w[k] / model.points)).sum(axis=1).to_numpy()
        np.testing.assert_allclose(got[k], expect, rtol=0, atol=1e-9)
    # the county set the top goalpost of 33: a peer's total moves with the county's figure
    peers = [j for j, name in enumerate(ps.counties) if name != COUNTY]
    still = model.totals(r, w, np.ones_like(mult))
    assert np.abs(got[:, peers] - still[:, peers]).max() > 0.01
    np.testing.assert_allclose(still, model.totals(r, w), rtol=0, atol=1e-12)


def _kept(m, x: float) -> float:
    """A perturbed value made admissible by the scenarios' rule (a count first rounded to a whole)."""
    from qstrong.analysis.scenarios import _admissible

    return _admissible(m, round(x) if m.kind == "count" else x)


def test_combined_with_input_noise_reports_the_three_groups(bench):
    c = combined(bench, draws=300, input_error=0.1, sobol_n=64, progress=False)
    assert list(c.sobol.index) == ["解读", "权重", "本县数据"] == list(c.sobol_total.index)
    assert c.table.shape == (bench.n, 10)
    assert (c.table["total_p05"] <= c.table["total_p95"]).all()
    row = c.table.loc[COUNTY]
    assert row["rank_p05"] <= row["rank_median"] <= row["rank_p95"]
    text = c.summary()
    assert f"排名在第{int(row['rank_p05'])}～{int(row['rank_p95'])}名之间" in text or "排名稳定在" in text
    assert "影响最大" in text and "总效应指数" in text
    assert "综合不确定性" in str(c) and "-" not in text.replace("～", "")
    d = json.loads(json.dumps(c.to_dict(), ensure_ascii=False, allow_nan=False))
    assert d["county"]["rank_median"] == int(row["rank_median"]) and isinstance(d["county"]["nominal_rank"], int)
    assert sum(d["rank_counts"].values()) == 300
    assert set(d["sobol"]) == {"readings", "weights", "inputs"} == set(d["sobol_total"])


def _weights_only(model, coef):
    def f(r, w, mult):
        y = w @ coef
        return y, y
    return f


def test_sobol_groups_a_model_of_the_weights_only(bench):
    model = Model(bench.scores, COUNTY, [c for _, c in reading_configs(bench.config, bench.scores.catalog)], 0.2)
    coef = np.random.default_rng(0).uniform(0, 1, 43)
    s, _ = group_sobol(model, 0, readings=True, spread=0.25, method="uniform", n=512, seed=1,
                       county_model=_weights_only(model, coef))
    assert list(s.index) == ["解读", "权重", "本县数据"]
    assert s.loc["权重", "ST"] == pytest.approx(1, abs=0.05) and s.loc["权重", "S1"] == pytest.approx(1, abs=0.1)
    assert abs(s.loc["解读", "ST"]) < 0.02 and abs(s.loc["本县数据", "ST"]) < 0.02

    def reading_only(r, w, mult):
        return r.astype(float), r.astype(float)

    s, _ = group_sobol(model, 0, readings=True, spread=0.25, method="dirichlet", n=256, seed=1,
                       county_model=reading_only)
    assert s.loc["解读", "ST"] == pytest.approx(1, abs=0.05) and abs(s.loc["权重", "ST"]) < 0.02


def test_a_group_that_cannot_vary_is_left_out(bench):
    c = combined(bench, draws=30, readings=False, sobol_n=32, progress=False)
    assert list(c.sobol.index) == ["权重"]
    assert c.sobol.loc["权重", ["S1", "ST"]].tolist() == [1.0, 1.0]
    c = combined(bench, draws=30, spread=0.0, readings=False, sobol_n=32, progress=False)
    assert c.sobol.empty and "没有可变动的因素" in c.sobol.attrs["note"]
    assert "没有可变动的因素" in c.summary()


def test_bad_parameters_are_listed_in_chinese(bench):
    with pytest.raises(InputError) as e:
        combined(bench, draws=0, spread=1.5, input_error=1.0, sobol_n=100, method="gauss", progress=False)
    text = str(e.value)
    for option in ("--draws", "--spread", "--input-error（本县数据相对误差）", "--sobol-n", "权重抽样方法"):
        assert option in text, option
    assert "有5处问题" in text


def test_cli_refuses_a_bad_input_error(capsys):
    err = refused(capsys, "sensitivity", str(SAMPLE), "--county", COUNTY, "--input-error", "1.2", "--draws", "-1")
    assert "--input-error（本县数据相对误差）：“1.2”超出范围：应为不小于0且小于1的数" in err and "--draws" in err


def test_cli_xlsx_has_the_combined_sheets(capsys, tmp_path):
    out = tmp_path / "s.xlsx"
    code, text, err = cli(capsys, "sensitivity", str(SAMPLE), "--county", COUNTY, "--draws", "200", "--sobol", "none",
                          "--input-error", "0.05", "--out", str(out))
    assert code == 0, err
    assert "综合不确定性（解读、权重与本县数据同时不确定" in text
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "说明"
    for name in ("综合不确定性", "本县排名分布", "Sobol分组指数（排名）", "Sobol分组指数（总分）", "解读组合"):
        assert name in wb.sheetnames, name
    ws = wb["Sobol分组指数（排名）"]
    assert [c.value for c in ws[1]][:2] == ["不确定性来源", "一阶指数"]
    assert [ws.cell(k, 1).value for k in range(2, 5)] == ["解读", "权重", "本县数据"]
    dist = wb["本县排名分布"]
    assert sum(dist.cell(k, 2).value for k in range(2, dist.max_row + 1)) == 200
    main = wb["综合不确定性"]
    assert [c.value for c in main[1]][:3] == ["县（市、区）", "基准总分", "基准排名"]
    code, text, err = cli(capsys, "sensitivity", str(SAMPLE), "--county", COUNTY, "--draws", "20", "--sobol", "none",
                          "--no-combined")
    assert code == 0 and "综合不确定性" not in text


def test_ranks_of_the_table_are_the_engines(bench):
    c = combined(bench, draws=20, spread=0.0, readings=False, progress=False)
    assert np.array_equal(c.table["nominal_rank"].to_numpy(), ranks(bench.scores.totals.to_numpy()))


def test_chart_and_sensitivity_carry_the_combined_analysis(bench):
    import warnings

    from qstrong.analysis.sensitivity import sensitivity
    from qstrong.charts import sensitivity_charts

    with warnings.catch_warnings():
        warnings.simplefilter("error")             # a missing glyph would warn
        sa = sensitivity(bench, draws=200, sobol=None, input_error=0.05, combined=True, progress=False)
        figs = sensitivity_charts(sa)
        figs["combined"].canvas.draw()
    assert sa.combined is not None and sa.combined.measures
    titles = [ax.get_title() for ax in figs["combined"].axes]
    assert f"{COUNTY} 综合不确定性下的排名分布（200次抽样）" in titles
    assert "四、综合不确定性（解读、权重与本县数据同时不确定" in str(sa)
    assert sensitivity(bench, draws=20, sobol=None, combined=False, progress=False).combined is None


def test_one_varying_group_has_indices_one_by_definition(bench):
    """SALib ignores groups when all factors share one (its sample has N·(D+2) rows, its analysis wants
    N·3): weights only gave wrong indices silently, inputs only crashed. One group explains everything."""
    from qstrong.analysis.sobol import sobol_indices

    w = combined(bench, draws=50, readings=False, sobol_n=64, progress=False)
    x = combined(bench, draws=50, readings=False, spread=0.0, input_error=0.05, sobol_n=64, progress=False)
    for c, group in ((w, "权重"), (x, "本县数据")):
        for s in (c.sobol, c.sobol_total):
            assert list(s.index) == [group]
            assert s.loc[group, ["S1", "ST", "S1_conf", "ST_conf"]].tolist() == [1.0, 1.0, 0.0, 0.0]
            assert "按定义" in s.attrs["note"]
    calls = []
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "groups": ["g", "g", "g"], "bounds": [[0, 1]] * 3}
    s = sobol_indices(problem, lambda X: calls.append(X) or X.sum(axis=1), 64)
    assert s.loc["g", ["S1", "ST"]].tolist() == [1.0, 1.0] and calls == []


@pytest.mark.parametrize("readings", [False, True])
@pytest.mark.parametrize("spread", [0.0, 0.2])
@pytest.mark.parametrize("error", [0.0, 0.05])
def test_the_text_reads_right_for_every_combination_of_sources(bench, readings, spread, error):
    c = combined(bench, draws=40, readings=readings, spread=spread, input_error=error, sobol_n=16, progress=False)
    on = [g for g, o in (("解读", readings), ("权重", spread > 0), ("本县数据", error > 0)) if o]
    text, summary = str(c), c.summary()
    for bad in ("，，", "；；", "。。", "，；", "；，", "。；", "±0%", "nan", "None"):
        assert bad not in text, (bad, text)
    head = text.splitlines()[0]
    if not on:
        assert "解读、权重与本县数据均固定" in head and "均固定时" in summary
    elif len(on) == 1:
        assert f"（仅{on[0]}不确定；" in head and f"在仅{on[0]}不确定时" in summary and "同时" not in text
    else:
        assert "、".join(on[:-1]) + "与" + on[-1] + "同时不确定" in head and "仅" not in head
    assert ("权重固定为评价办法的分值" in text) == (spread == 0)
    assert summary.endswith("。") and summary.count("。") == 1


def test_perturbed_inputs_stay_admissible(bench, monkeypatch):
    """A rate at 100 × 1.3 would be 130 %: the draws keep it at most 100 (as scenarios keep a value)."""
    import qstrong.analysis.uncertainty_model as um
    from qstrong.analysis.sobol import perturbed

    rate = "q26.disposal_rate"
    m = bench.scores.catalog.measures[rate]
    assert m.kind == "percent" and m.high == 100
    np.testing.assert_array_equal(perturbed(m, 100.0, np.array([0.7, 1.0, 1.3])), [70.0, 100.0, 100.0])
    i = bench.counties.index(COUNTY)
    assert bench.scores.env[rate][i] == 100
    seen = []
    engine = um.evaluate_indicator

    def spy(ind, env, cfg):
        if rate in env and np.ndim(env[rate]) == 2:
            seen.append(np.asarray(env[rate])[:, i].copy())
        return engine(ind, env, cfg)

    monkeypatch.setattr(um, "evaluate_indicator", spy)
    c = combined(bench, draws=200, readings=False, spread=0.0, input_error=0.3, sobol_n=16, progress=False)
    assert rate in c.measures and seen
    drawn = np.concatenate(seen)
    assert drawn.max() == 100 and drawn.min() < 80 and (drawn < 100).mean() > 0.3
    assert "比率不超过100%" in str(c)
