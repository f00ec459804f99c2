"""The statistical audit: figures against independent NumPy/hand computations on small matrices, and
``qstrong audit`` on the sample benchmark, its xlsx read back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from qstrong.analysis.audit import cronbach, importance, indicator_stats, pca_shares
from qstrong.cli import main

M = pd.DataFrame({1: [0.0, 1, 2, 2, 2, 10], 2: [1.0, 1, 2, 2, 2, 2], 3: [2.0, 2, 2, 2, 2, 2],
                  4: [3.0, 1, 0, 2, 1, np.nan]})
SAMPLE = str(Path(__file__).resolve().parents[1] / "data" / "sample" / "zibo_panel.csv")
POINTS = pd.Series({1: 10.0, 2: 2.0, 3: 2.0, 4: 3.0})


def _g1_g2(x: np.ndarray) -> tuple[float, float]:
    """Excel's SKEW and KURT (e1071 type 2, COINr's skew/kurt) written out from the moments."""
    n, d = len(x), x - x.mean()
    m2, m3, m4 = (d ** 2).mean(), (d ** 3).mean(), (d ** 4).mean()
    g1, g2 = m3 / m2 ** 1.5, m4 / m2 ** 2 - 3
    return g1 * np.sqrt(n * (n - 1)) / (n - 2), (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)


def test_stats_by_hand():
    st = indicator_stats(M, POINTS)
    x = M[1].to_numpy()
    skew, kurt = _g1_g2(x)
    assert st.loc[1, "mean"] == pytest.approx(17 / 6)
    assert st.loc[1, "sd"] == pytest.approx(np.std(x, ddof=1))
    assert st.loc[1, "skew"] == pytest.approx(skew) and st.loc[1, "kurtosis"] == pytest.approx(kurt)
    assert skew > 2 and kurt > 3.5 and st.loc[1, "outlier"]          # one county far above: JRC flag
    assert not st.loc[4, "outlier"]
    assert st.loc[4, "available"] == pytest.approx(5 / 6)
    assert st.loc[1, "full_share"] == pytest.approx(1 / 6) and st.loc[1, "zero_share"] == pytest.approx(1 / 6)
    assert st.loc[2, "full_share"] == pytest.approx(4 / 6)
    assert st.loc[4, "full_share"] == pytest.approx(1 / 5) and st.loc[4, "zero_share"] == pytest.approx(1 / 5)
    assert list(st["distinct"]) == [4, 2, 1, 4]


def test_cronbach_textbook_values():
    base = np.array([1.0, 2, 3, 4, 5, 6])
    assert cronbach(pd.DataFrame({"a": base, "b": base, "c": base})) == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    assert abs(cronbach(pd.DataFrame(rng.normal(size=(20_000, 4))))) < 0.05
    x = M[[1, 2, 4]].dropna().to_numpy()                     # by the formula, complete rows
    k = 3
    expect = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach(M[[1, 2, 4]]) == pytest.approx(expect)
    assert np.isnan(cronbach(M[[1]]))


def test_pca_shares_against_svd():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 4))
    x[:, 1] += x[:, 0]
    z = (x - x.mean(0)) / x.std(0, ddof=1)
    sv = np.linalg.svd(z, compute_uv=False) ** 2
    got = pca_shares(pd.DataFrame(x), components=3)
    assert got == pytest.approx(sv[:3] / sv.sum())
    assert pca_shares(M[[3]]).size == 0                      # a constant column carries no variance


def test_importance():
    total = M.sum(axis=1)
    imp = importance(M, total)
    assert imp.sum() == pytest.approx(1.0)
    assert imp[3] == 0.0                                     # constant across counties
    r2 = {c: np.corrcoef(M[c].dropna(), total[M[c].notna()])[0, 1] ** 2 for c in (1, 2, 4)}
    s = sum(r2.values())
    for c in (1, 2, 4):
        assert imp[c] == pytest.approx(r2[c] / s)


@pytest.fixture(scope="module")
def sample_audit():
    from qstrong.analysis.audit import audit
    from qstrong.benchmark import benchmark
    from qstrong.panel import Panel

    return audit(benchmark(Panel.from_csv(SAMPLE), "临淄区", None, "shandong", None,
                           "shandong"))


def test_audit_of_the_sample(sample_audit):
    a = sample_audit
    scores = a.benchmark.scores.scores.astype(float)
    assert a.weights["importance"].sum() == pytest.approx(1.0)
    assert a.weights["weight"].sum() == pytest.approx(1.0)
    assert a.stats.shape[0] == 43
    i, j = 5, 9                                              # a Pearson and a Spearman entry, by NumPy
    ok = scores[[i, j]].dropna()
    assert a.pearson.loc[i, j] == pytest.approx(np.corrcoef(ok[i], ok[j])[0, 1])
    assert a.spearman.loc[i, j] == pytest.approx(np.corrcoef(ok[i].rank(), ok[j].rank())[0, 1])
    cat = a.benchmark.panel.catalog
    g = [k.id for k in cat.indicators if k.level1 == cat.indicators[0].level1]
    row = a.alpha[(a.alpha["level"] == "level1") & (a.alpha["group"] == cat.indicators[0].level1)]
    assert row["alpha"].iloc[0] == pytest.approx(cronbach(scores[g]))
    total = a.benchmark.scores.totals
    assert a.parents.loc[i, "pearson_total"] == pytest.approx(scores[i].corr(total))
    assert (a.collinear["r"] > 0.92).all() and (a.negative["r"] < 0).all()
    text = str(a)
    assert text.startswith(a.benchmark.describe())
    assert "对排名影响最大的指标" in text and "仅供参考" not in text


def test_cli_audit_writes_xlsx(tmp_path, capsys):
    out = tmp_path / "audit.xlsx"
    assert main(["audit", SAMPLE, "--county", "临淄区", "--peer-panel", "shandong",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].startswith("对标：") and "统计审计" in printed
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "说明"
    assert {"指标统计", "克朗巴哈α", "主成分分析", "重要性与权重"} <= set(wb.sheetnames)
    head = [c.value for c in wb["重要性与权重"][1]]
    assert head == ["指标", "分值", "名义权重", "重要性", "重要性/名义权重"]
    assert wb["指标统计"].max_row == 44


def test_cli_audit_json(capsys):
    assert main(["audit", SAMPLE, "--county", "临淄区", "--peer-panel", "shandong",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sum(r["importance"] for r in data["weights"]) == pytest.approx(1.0)
    assert len(data["stats"]) == 43 and data["benchmark"]["county"] == "临淄区"


def test_few_counties_are_said_unstable(capsys):
    six = "临淄区,张店区,淄川区,博山区,周村区,桓台县"             # ≥ MIN_N (5) but < FEW (10)
    assert main(["audit", SAMPLE, "--county", "临淄区", "--peers", six, "--peer-panel", "shandong"]) == 0
    out = capsys.readouterr().out
    assert "少于10个" in out and "对排名影响最大的指标" in out
    assert main(["audit", SAMPLE, "--county", "临淄区", "--peers", "临淄区,张店区", "--peer-panel", "shandong"]) == 0
    out = capsys.readouterr().out
    assert "至少需要5个" in out and "对排名影响最大的指标" not in out
