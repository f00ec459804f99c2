"""The leader's front page (index.html opens with it): its figures are the analyses' figures (qstrong
score's total and rank, cheapest_path's first five actions, the unreported measures), it reaches
nothing outside the report, escapes what departments wrote, and prints on one A4 page in headless
Chromium with the network cut off."""

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.path import EFFORT_UNIT, cheapest_path
from qstrong.analysis.projection import project
from qstrong.analysis.scenarios import compare, load_scenario
from qstrong.analysis.summary import FIRST_ACTIONS, Completeness, leader_summary, plan_views
from qstrong.cli import main
from qstrong.reports.browser import FLAGS, chromium
from qstrong.reports.build import NOTEBOOKS, external_references, index_page
from qstrong.reports.front import front_section
from qstrong.reports.inputs import load_inputs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
SUBMISSIONS = ROOT / "data" / "sample" / "submissions"
COUNTY = "临淄区"
TARGET = 90.0          # far enough for more than five actions
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _page(inp, summary) -> str:
    return index_page(COUNTY, inp, summary, {"target": summary.target}, list(NOTEBOOKS), 1.0)


def _front(page: str) -> str:
    return page[page.index('<section class="front">'):page.index("</section>")]


@pytest.fixture(scope="module")
def panel_front():
    inp = load_inputs(COUNTY, str(SAMPLE), None, "shandong", None, "shandong")
    s = leader_summary(inp.benchmark, inp.intake, target=TARGET, draws=500)
    return inp, s, _page(inp, s)


@pytest.fixture(scope="module")
def intake_front(tmp_path_factory):
    """An intake where one department sent nothing: its measures are unreported."""
    sub = tmp_path_factory.mktemp("front") / "submissions"
    shutil.copytree(SUBMISSIONS, sub)
    (sub / "区科技局.xlsx").unlink()
    inp = load_inputs(COUNTY, None, str(sub), "shandong", None, "shandong")
    s = leader_summary(inp.benchmark, inp.intake, target=TARGET, draws=500)
    return inp, s, _page(inp, s)


def test_total_and_rank_are_qstrong_scores(panel_front, tmp_path):
    _, s, page = panel_front
    out = tmp_path / "score.json"
    assert main(["score", str(SAMPLE), "--county", COUNTY, "--peer-panel", "shandong", "--out", str(out)]) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert s.total == pytest.approx(d["total"], abs=1e-9) and s.rank == d["rank"] and s.rank_text == d["rank_text"]
    front = _front(page)
    assert f"{d['total']:.2f}</span> 分" in front and d["rank_text"] in front
    lo, hi = s.rank_band
    assert 1 <= lo <= hi <= s.n and f"第{lo}～{hi}名" in front


def most_gain_first(plan: pd.DataFrame, n: int) -> pd.DataFrame:
    """The plan's rows by points gained (desc), effort (asc), indicator — sorted in Python, not pandas."""
    rows = sorted(plan.to_dict("records"), key=lambda r: (-r["gain"], r["effort"], r["indicator"]))
    return pd.DataFrame(rows[:n])


def test_five_actions_are_the_five_of_the_cheapest_path_that_gain_most(panel_front):
    inp, s, page = panel_front
    plan = cheapest_path(inp.benchmark, target=TARGET).to_frame()
    assert len(plan) > FIRST_ACTIONS and len(s.actions) == FIRST_ACTIONS
    first = most_gain_first(plan, FIRST_ACTIONS)
    assert list(first["indicator"]) != list(plan.head(FIRST_ACTIONS)["indicator"])   # the case matters
    assert [(a.indicator, a.action, a.departments) for a in s.actions] == \
        list(zip(first["indicator"], first["action"], first["departments"], strict=True))
    assert [a.gain for a in s.actions] == pytest.approx(list(first["gain"]))
    assert [a.effort for a in s.actions] == pytest.approx(list(first["effort"]))
    front = _front(page)
    assert front.count("<tr><td>") == FIRST_ACTIONS
    assert all(a.action.replace('"', "&quot;") in front for a in s.actions)
    assert "工作量表" in front and "可编辑" in front and "点" in front   # the effort's unit and source
    assert "按增分从高到低" in front                                      # the order is said


def test_completeness_counts_the_unreported_measures_of_an_intake(intake_front):
    inp, s, page = intake_front
    ps = inp.benchmark.scores
    i = ps.counties.index(COUNTY)
    empty = {m for m in ps.catalog.measures if np.isnan(ps.env[m][i])}
    c = s.completeness
    assert c.count == len(empty) > 0 and set(c.unreported) == empty
    assert list(c.by_department) == ["区科技局"]
    assert f"未填报数据项 {len(empty)} 项" in _front(page) and f"区科技局 {len(empty)}项" in _front(page)


def test_completeness_counts_measures_missing_from_a_panel(tmp_path):
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    gone = ["q41.tech_trade", "q32.green_design_rate", "q07.mobilization_meeting"]
    own = (df["county"] == COUNTY) & (df["year"] == "2022")
    assert set(gone) <= set(df.loc[own, "measure"])
    df[~(own & df["measure"].isin(gone))].to_csv(tmp_path / "panel.csv", index=False)
    inp = load_inputs(COUNTY, str(tmp_path / "panel.csv"), None, "shandong", None, "shandong")
    s = leader_summary(inp.benchmark, None, target=85, draws=200)
    assert set(s.completeness.unreported) == set(gone) and s.completeness.count == 3
    assert "未填报数据项 3 项" in front_section(s)


def test_veto_and_change_from_last_year(panel_front):
    inp, s, page = panel_front
    assert s.veto == "not" and "未触发" in _front(page)
    ch = s.change
    prev = replace(inp.benchmark, year=2021)
    assert ch is not None and ch.year == 2021 and ch.before == pytest.approx(prev.total)
    assert f"{ch.delta:+.2f}".replace("-", "−") in _front(page)          # one minus sign
    moves = [abs(b - a) for _, _, a, b in ch.movers]
    assert moves == sorted(moves, reverse=True) and all(m > 0 for m in moves)


def test_no_external_references_and_the_chart_inline(panel_front, intake_front):
    for _, _, page in (panel_front, intake_front):
        assert external_references(page) == []
        assert _front(page).count('src="data:image/png;base64,') == 1
        assert "@page{size:A4" in page and "@media print" in page


def test_department_text_is_escaped(panel_front):
    inp, s, _ = panel_front
    evil = replace(s, benchmark=replace(inp.benchmark, county=EVIL, notes=(EVIL,)),
                   completeness=Completeness("部门填报", ("q41.tech_trade",), {EVIL: (EVIL,)}),
                   actions=tuple(replace(a, action=EVIL, departments=EVIL, meaning=EVIL) for a in s.actions))
    html = front_section(evil)
    assert "<script" not in html and "<img src=x" not in html
    assert html.count("&lt;script&gt;") >= 2 + 3 * FIRST_ACTIONS
    assert external_references(html) == []


def test_plan_as_scenario_and_as_projection_side_by_side(panel_front):
    bench = panel_front[0].benchmark
    sc = load_scenario("plan2025")
    pj = project(bench, to_year=2025, draws=20)
    v = plan_views(bench, sc, pj)
    today, ahead = compare(bench, scenarios=[sc]).summary, pj.with_scenario(sc)
    assert (v.base, v.today) == pytest.approx((bench.total, today.loc[sc.name, "total"]))
    assert (v.trend, v.projected) == pytest.approx((ahead["trend"], ahead["with_scenario"]))
    table = v.table()
    assert list(table.columns) == ["项目", "情景：2022年实际数据＋规划目标", "预测：趋势外推至2025年＋规划目标"]
    assert "-" not in v.sentence()                                  # one minus sign: −
    diff, trend, _, _, gap = (float(x.replace("−", "-")) for x in re.findall(r"[+−]?\d+\.\d\d", v.sentence()))
    assert diff == pytest.approx(v.projected - v.today, abs=0.006)
    assert diff == pytest.approx(trend + gap, abs=0.011)          # the sentence adds up
    assert v.sentence().count("。") == 1


def test_effort_figures_say_their_unit_and_the_editable_table(panel_front):
    assert "点" in EFFORT_UNIT and "可编辑的工作量表" in EFFORT_UNIT and "effort.csv" in EFFORT_UNIT
    plan = cheapest_path(panel_front[0].benchmark, target=TARGET)
    assert str(plan).endswith(EFFORT_UNIT) and EFFORT_UNIT in plan._repr_html_()
    for stem in ("02_情景与2025预测", "04_部门任务清单"):
        source = (ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8")
        assert "md(EFFORT_UNIT)" in source and "工作量：点" in source, stem


def _print_pdf(page: Path, pdf: Path) -> None:
    """Print like browser.check_page opens a page: headless Chromium, inside `unshare -n` when it works."""
    cmd = [chromium(), *FLAGS, f"--user-data-dir={pdf.parent / 'profile'}", "--no-pdf-header-footer",
           f"--print-to-pdf={pdf}", page.as_uri()]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        cmd = [unshare, "-n", *cmd]
    subprocess.run(cmd, capture_output=True, timeout=120, check=True)


@pytest.mark.skipif(chromium() is None, reason="Chromium not installed (.ci/run installs it)")
def test_front_page_prints_on_one_a4_page(panel_front, intake_front, tmp_path):
    for name, (_, _, page) in {"panel": panel_front, "intake": intake_front}.items():
        html = tmp_path / f"{name}.html"
        html.write_text(page, encoding="utf-8")
        pdf = tmp_path / f"{name}.pdf"
        _print_pdf(html, pdf)
        data = pdf.read_bytes()
        assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) == 1, name
        boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
        assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes), boxes
