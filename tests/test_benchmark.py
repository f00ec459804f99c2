"""One benchmark, named everywhere; one rank: the same inputs and benchmark give the same total and
排名 in score, gaps, whatif (baseline), sensitivity (nominal), path (start) and every report page."""

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from qstrong.analysis.gaps import gaps
from qstrong.analysis.path import cheapest_path
from qstrong.analysis.scenarios import compare
from qstrong.analysis.sensitivity import sensitivity
from qstrong.benchmark import benchmark
from qstrong.cli import main
from qstrong.panel import Panel
from qstrong.reports.build import build_report
from qstrong.reports.inputs import load_inputs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
SUBMISSIONS = ROOT / "data" / "sample" / "submissions"
RANK = r"(第\d+名/共\d+个)"
SHANDONG = ["--peer-panel", "shandong", "--peers", "shandong"]


def run(capsys, *argv) -> str:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def page_text(path: Path) -> str:
    t = re.sub(r"<style.*?</style>|<img[^>]*>", "", path.read_text("utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", t)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's steps on one benchmark: intake → panel CSV; the report from the same submissions,
    with the sample panel for the earlier years (its other seven counties not added)."""
    root = tmp_path_factory.mktemp("bench")
    panel = root / "intake_panel.csv"
    assert main(["intake", str(SUBMISSIONS), "--year", "2022", "--out", str(panel)]) == 0
    index = build_report("临淄区", panel=str(SAMPLE), intake=str(SUBMISSIONS), peer_panel="shandong",
                         peers="shandong", year=2022, draws=20, out=root / "report", progress=False)
    return panel, index.parent, root


def test_one_total_and_rank_everywhere(demo, capsys):
    panel, report, root = demo
    args = [str(panel), "--county", "临淄区", *SHANDONG]
    score = json.loads(run(capsys, "score", *args, "--format", "json"))
    total, rank = f"{score['total']:.2f}", score["rank_text"]
    line = score["benchmark"]["description"]
    # 136 counties less the 4 whose veto is triggered in 2022 (直接取消资格: no goalpost, no rank)
    assert line.startswith("对标：全省132个县（市、区） · 2022年 · 默认解读 · 真实数据占比")
    assert re.fullmatch(RANK, rank) and rank.endswith("/共132个") and score["benchmark"]["counties"] == 132
    found = {
        "gaps": re.search(r"总分 ([\d.]+) / 100，排名 " + RANK, run(capsys, "gaps", *args)),
        "whatif": re.search(r"^基线\s+([\d.]+)\s.*?" + RANK, run(capsys, "whatif", *args, "--scenario", "plan2025"),
                            re.M),
        "sensitivity": re.search(r"基准得分 ([\d.]+)，排名 " + RANK,
                                 run(capsys, "sensitivity", *args, "--draws", "20", "--sobol", "none")),
        "path": re.search(r"当前 ([\d.]+) 分 → .*当前排名 " + RANK, run(capsys, "path", *args, "--target", "85")),
    }
    for stem in ("01_差距分析", "02_情景与2025预测", "03_敏感性分析", "04_部门任务清单"):
        text = page_text(report / f"{stem}.html")
        assert line in text, stem                             # the benchmark's line on every page
        found[stem] = re.search(r"总分 ([\d.]+)(?: / 100)?，排名 " + RANK, text)
    assert line in page_text(report / "index.html")
    assert {k: m and m.groups() for k, m in found.items()} == {k: (total, rank) for k in found}


def test_api_takes_the_benchmark_and_scores_once():
    bench = benchmark(SAMPLE, "临淄区", peer_panel="shandong")
    rep, cmp = gaps(bench), compare(bench, scenarios=["plan2025"])
    sa = sensitivity(bench, draws=10, sobol=None, progress=False)
    plan = cheapest_path(bench, target=85)
    assert all(r.benchmark is bench for r in (rep, cmp, sa, plan))
    assert rep.card is not None and rep.total == cmp.summary.loc["基线", "total"] == sa.nominal["临淄区"] \
        == plan.current == bench.total
    assert cmp.table().loc["基线", "rank"] == rep.rank_text == bench.rank_text()
    # the old positional form builds the same benchmark inside
    assert gaps(SAMPLE, "临淄区").benchmark.n == 8


def test_outputs_carry_the_line(demo, capsys):
    panel, _, root = demo
    args = [str(panel), "--county", "临淄区", *SHANDONG]
    line = json.loads(run(capsys, "score", *args, "--format", "json"))["benchmark"]["description"]
    run(capsys, "gaps", *args, "--out", str(root / "gaps.xlsx"))
    wb = load_workbook(root / "gaps.xlsx")
    about = dict(wb["说明"].iter_rows(min_row=2, values_only=True))
    assert wb.sheetnames[0] == "说明" and about["对标基准"] == line
    run(capsys, "path", *args, "--target", "85", "--out", str(root / "plan.csv"))
    plan = pd.read_csv(root / "plan.csv", encoding="utf-8-sig")
    assert len(plan) and set(plan["对标基准"]) == {line}
    assert run(capsys, "score", *args).startswith(line)


def tiny() -> Panel:
    """甲 and 乙 have indicator 1's document (2 points), 丙 not: totals 2, 2, 0."""
    rows = [("甲县", "是"), ("乙县", "是"), ("丙县", "否")]
    return Panel.from_frame(pd.DataFrame([(c, 2022, "q01.spirit_in_official_docs", v) for c, v in rows],
                                         columns=["county", "year", "measure", "value"]))


def test_rank_ties_share_the_best_rank():
    p = tiny()
    assert [benchmark(p, c).rank_text() for c in ("甲县", "乙县", "丙县")] == \
        ["第1名/共3个", "第1名/共3个", "第3名/共3个"]
    assert benchmark(p, "乙县").total == 2.0 and benchmark(p, "丙县").total == 0.0


def test_panel_counties_join_only_when_chosen():
    own, peers = tiny(), tiny().data.replace({"甲县": "丁县", "乙县": "戊县", "丙县": "己县"})
    peer_panel = Panel.from_frame(peers[["county", "year", "measure", "value"]])
    left = benchmark(own, "甲县", peer_panel=peer_panel)
    assert sorted(left.counties) == sorted(["甲县", "丁县", "戊县", "己县"])
    # tiny() reports no veto item: the peers are kept, and that is said after the choice about the panel
    unknown = "有一票否决项未填报，无法判断是否触发，仍参与对标"
    assert len(left.notes) == 2 and "其他2个县（乙县、丙县）的数据未用于对标" in left.notes[0]
    assert left.notes[1] == f"对标组中3个县（市、区）2022年{unknown}：丁县、戊县、己县"
    added = benchmark(own, "甲县", peer_panel=peer_panel, panel_counties_as_peers=True)
    assert added.n == 6 and added.notes[0] == "面板中的其他2个县已按选择加入对标" and len(added.notes) == 2
    # no peer panel: the panel is the peers
    assert benchmark(own, "甲县").notes == (f"对标组中2个县（市、区）2022年{unknown}：乙县、丙县",)
    # a report's inputs: the sample panel's seven other counties are said, not silently added
    inp = load_inputs("临淄区", panel=str(SAMPLE), peer_panel="shandong")
    assert "其他7个县" in inp.benchmark.notes[0] and "未用于对标" in inp.benchmark.notes[0]
    shipped = benchmark(SAMPLE, "临淄区", peer_panel="shandong").scores.totals
    assert inp.benchmark.scores.totals.drop("临淄区").equals(shipped.drop("临淄区"))


def test_describe_names_the_group():
    shandong = benchmark(SAMPLE, "临淄区", peer_panel="shandong")
    share = r"(\d+%|不足1%|超过99%)"
    assert re.fullmatch(rf"对标：全省132个县（市、区） · 2022年 · 默认解读 · 真实数据占比{share}（合成{share}；功效系数法数据项真实{share}）",
                        shandong.describe())
    zibo = benchmark(SAMPLE, "临淄区", peers="prefecture", peer_panel="shandong")    # Zibo: 5 districts, 3 counties
    assert zibo.describe().startswith("对标：同一地级市8个县（市、区） · 2022年 · 默认解读")
    custom = benchmark(tiny(), "甲县", peers="乙县")
    assert custom.describe() == "对标：自定义对标组2个县（市、区） · 2022年 · 默认解读"
    assert custom.to_dict()["description"] == custom.describe()


def test_real_share_counts_the_peers_real_values_of_the_year():
    """Peers 乙 and 丙 give 2 values each in 2022: 3 real (统计年鉴, a source without a synthetic mark),
    1 synthetic; 甲's own synthetic value and 乙's 2021 value are not the benchmark's peers' values of 2022."""
    rows = [("甲县", 2022, "q01.spirit_in_official_docs", "是", "synthetic"),
            ("乙县", 2022, "q01.spirit_in_official_docs", "是", "统计年鉴"),
            ("乙县", 2022, "q02.development_model", "是", "real:a.xlsx#表1!C5"),
            ("丙县", 2022, "q01.spirit_in_official_docs", "否", "合成数据"),
            ("丙县", 2022, "q02.development_model", "是", "统计年鉴"),
            ("乙县", 2021, "q01.spirit_in_official_docs", "是", "synthetic")]
    bench = benchmark(pd.DataFrame(rows, columns=["county", "year", "measure", "value", "source"]), "甲县", 2022)
    assert bench.real_share == 0.75 and bench.synthetic_share == 0.25
    assert bench.describe().endswith(" · 真实数据占比75%（合成25%）")
    assert bench.to_dict()["real_share"] == 0.75
    bare = benchmark(tiny(), "甲县")                   # no source column: no share is claimed
    assert bare.real_share is None and "占比" not in bare.describe()


def test_share_percent_never_hides_a_few_values():
    from qstrong.benchmark import share_percent

    assert [share_percent(x) for x in (0.0, 0.001, 0.03, 0.5, 0.996, 1.0)] == \
        ["0%", "不足1%", "3%", "50%", "超过99%", "100%"]


def test_the_panel_as_its_own_peer_panel_and_a_county_alone_are_said_plainly(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(SAMPLE.read_text(encoding="utf-8-sig"), encoding="utf-8")
    same = benchmark(str(p), "临淄区", peer_panel=str(p))
    assert same.notes == () and same.n == 8                         # nothing left out: no contradictory note
    alone = benchmark(tiny().data[tiny().data["county"] == "甲县"], "甲县")
    assert alone.n == 1 and "只有本县" in alone.notes[0]


def test_saved_charts_carry_the_benchmark_line(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from qstrong.analysis.gaps import gaps
    from qstrong.charts import gap_charts, save

    rep = gaps(benchmark(str(SAMPLE), "临淄区"))
    figs = gap_charts(rep)
    paths = save(figs, tmp_path / "charts", rep.benchmark.describe())
    assert len(paths) == len(figs) and all(p.stat().st_size > 0 for p in paths)
    for fig in figs.values():
        assert rep.benchmark.describe() in [t.get_text() for t in fig.texts]


def test_an_unreported_veto_item_is_unknown_not_untriggered():
    """“未触发（未填报：veto.statistical_fraud）” said a veto item without data was not triggered, by its id."""
    import pandas as pd

    from qstrong import Panel, score_panel
    from qstrong.display import scorecard_text

    d = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "sample" / "zibo_panel.csv", encoding="utf-8-sig")
    gone = (d["county"] == "临淄区") & (d["year"] == 2022) & (d["measure"] == "veto.statistical_fraud")
    assert gone.sum() == 1
    card = score_panel(Panel.from_frame(d[~gone]), 2022).county("临淄区")
    line = next(ln for ln in scorecard_text(card).splitlines() if ln.startswith("一票否决"))
    assert line == "一票否决：无法判断——未填报：近三年发生统计数据不实问题"
