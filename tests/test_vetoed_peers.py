"""Vetoed peers (一票否决，“直接取消资格”): left out of the benchmark by default (no goalpost, no rank),
kept under ``vetoed_peers: keep``; the evaluated county is never left out; a peer whose veto items are
unreported is kept and said. Expectations worked out by hand on a four-county panel, and on the shipped
panel against a peer group that names the non-vetoed counties (another path to the same benchmark)."""

import json

import pandas as pd
import pytest

from qstrong.benchmark import ALONE, benchmark
from qstrong.cli import main
from qstrong.config import ScoringConfig
from qstrong.errors import InputError
from qstrong.panel import Panel
from qstrong.peerdata import peer_panel_path

VETO = ["veto.major_safety_accident", "veto.major_food_incident", "veto.major_drug_incident",
        "veto.major_quality_incident", "veto.major_environmental_incident", "veto.statistical_fraud"]
KEEP = {"vetoed_peers": "keep"}


def four(own_fraud: str = "否") -> Panel:
    """Indicator 39 (2 points, d = 60 + 40·(x − x_s)/(x_h − x_s)) over four counties:
    甲 30 (evaluated), 乙 50 with 统计数据不实 = 是 (vetoed), 丙 20, 丁 40 with no veto item reported."""
    share = {"甲县": 30, "乙县": 50, "丙县": 20, "丁县": 40}
    rows = [(c, 2022, "q39.hightech_share", v) for c, v in share.items()]
    rows += [(c, 2022, m, "否") for c in ("甲县", "丙县") for m in VETO[:-1]]
    rows += [("甲县", 2022, VETO[-1], own_fraud), ("丙县", 2022, VETO[-1], "否"), ("乙县", 2022, VETO[-1], "是")]
    return Panel.from_frame(pd.DataFrame(rows, columns=["county", "year", "measure", "value"]))


def test_a_vetoed_peer_sets_no_goalpost_and_takes_no_rank():
    b = benchmark(four(), "甲县")
    # 乙 (50) out: x_h = 40 (丁), x_s = 20 (丙); 甲: d = 60 + 40·10/20 = 80 → 2·0.80 = 1.6
    assert b.config.vetoed_peers == "exclude" and b.vetoed_peers == ("乙县",)
    assert b.counties == ["甲县", "丙县", "丁县"] and b.n == 3
    assert b.total == pytest.approx(1.6)
    # 丁 2.0, 甲 1.6, 丙 60+0 → 1.2: 甲 second of three, and the line counts the same three
    assert b.rank_text() == "第2名/共3个"
    assert b.describe() == "对标：面板中全部3个县（市、区） · 2022年 · 默认解读"
    assert b.notes[0] == ("对标组中1个县（市、区）2022年触发一票否决，按“直接取消资格”不参与对标"
                          "（不设标杆、不排名）：乙县")
    assert b.reading == "默认解读"


def test_keep_is_todays_benchmark():
    b = benchmark(four(), "甲县", config=KEEP)
    # x_h = 50 (乙), x_s = 20: 甲 d = 60 + 40·10/30 = 73.33… → 1.4667; 乙 2.0, 丁 1.7333, 丙 1.2
    assert b.n == 4 and b.total == pytest.approx(2 * (60 + 40 * 10 / 30) / 100)
    assert b.rank_text() == "第3名/共4个"
    assert "按所选解读仍参与对标（设标杆、排名）：乙县" in b.notes[0]
    assert b.reading == "自定义解读（一票否决的同行照常参与对标）"
    assert b.scores.vetoed["乙县"] and not b.scores.vetoed["甲县"]


def test_switching_the_reading_brings_the_peers_back_and_out_again():
    b = benchmark(four(), "甲县")
    k = b.with_config(KEEP)
    assert k.n == 4 and k.with_config(None).n == 3
    # a scenario (the county's own figures changed) keeps the left-out peers reachable
    moved = b.with_panel(b.panel)
    assert moved.n == 3 and moved.notes == b.notes and moved.with_config(KEEP).n == 4
    # a peer group drawn again still sees 乙 — and leaves it out again
    again = b.regrouped("甲县,乙县,丙县")
    assert again.counties == ["甲县", "丙县"] and again.vetoed_peers == ("乙县",)
    assert again.regrouped("甲县,乙县,丙县", KEEP).n == 3
    assert len([n for n in b.with_config(KEEP).with_config(None).notes if "一票否决" in n]) == 2


def test_the_evaluated_county_is_never_left_out():
    b = benchmark(four(own_fraud="是"), "甲县")
    assert "甲县" in b.counties and b.n == 3 and b.vetoed_peers == ("乙县",)
    card = b.scores.county("甲县")
    assert card.vetoed and len(card.veto_reasons) == 1 and "统计" in card.veto_reasons[0]
    assert b.total == pytest.approx(1.6)


def test_a_peer_with_unreported_veto_items_is_kept_and_said():
    b = benchmark(four(), "甲县")
    assert "丁县" in b.counties and b.veto_unknown == ("丁县",)
    assert b.notes[1] == "对标组中1个县（市、区）2022年有一票否决项未填报，无法判断是否触发，仍参与对标：丁县"
    assert b.to_dict()["notes"] == list(b.notes)


def test_all_peers_vetoed_leaves_the_county_alone():
    b = benchmark(four(), "甲县", peers="甲县,乙县")
    assert b.counties == ["甲县"] and b.notes[-1] == ALONE
    assert ALONE not in b.with_config(KEEP).notes and b.with_config(KEEP).n == 2


@pytest.mark.parametrize("value, shown", [("drop", "“drop”"), (1, "1"), (None, "null"), (["keep"], "")])
def test_config_validation_says_the_path_and_the_options(value, shown):
    with pytest.raises(InputError) as e:
        ScoringConfig.from_dict({"vetoed_peers": value, "efficacy": {"10": {"base": "x"}}})
    text = str(e.value)
    assert "vetoed_peers：应为 exclude 或 keep（exclude：触发一票否决的对标县不参与对标" in text
    assert "efficacy.10.base" in text                     # listed with the config's other problems
    assert shown in text.split("vetoed_peers：")[1]
    with pytest.raises(InputError, match="vetoed_peers：应为 exclude 或 keep"):
        ScoringConfig.default().with_vetoed_peers(value)


def test_config_round_trip_and_unknown_key_lists_it():
    cfg = ScoringConfig.from_dict(KEEP)
    assert cfg.vetoed_peers == "keep" and cfg.to_dict()["vetoed_peers"] == "keep"
    assert ScoringConfig.from_dict(cfg.to_dict()) == cfg
    assert ScoringConfig.default().to_dict()["vetoed_peers"] == "exclude"
    with pytest.raises(InputError, match="可选：efficacy、variants、vetoed_peers"):
        ScoringConfig.from_dict({"vetoed": "keep"})


def raw_vetoed(year: int = 2022) -> list[str]:
    """The shipped panel's counties with a veto item true in `year`, read with pandas alone."""
    d = pd.read_csv(peer_panel_path("shandong"), dtype=str)
    v = d[(d["year"] == str(year)) & d["measure"].str.startswith("veto.")]
    return sorted(set(v.loc[pd.to_numeric(v["value"]) > 0.5, "county"]))


def test_shipped_panel_matches_the_group_without_the_vetoed(tmp_path, capsys):
    vetoed = raw_vetoed()
    assert len(vetoed) == 4
    shipped = Panel.from_csv(peer_panel_path("shandong"))
    b = benchmark(shipped, "临淄区", peer_panel="shandong")
    assert sorted(b.vetoed_peers) == vetoed and b.n == 136 - 4
    assert b.describe().startswith("对标：全省132个县（市、区）")
    # the same benchmark reached another way: a custom group naming every non-vetoed county, vetoed kept
    others = [c for c in shipped.counties if c not in vetoed]
    same = benchmark(shipped, "临淄区", peers=others, config=KEEP, peer_panel="shandong")
    assert same.n == b.n and same.total == pytest.approx(b.total) and same.rank() == b.rank()
    # the CLI with a config file: keep gives today's 136
    cfg = tmp_path / "keep.json"
    cfg.write_text(json.dumps(KEEP), encoding="utf-8")
    path = str(peer_panel_path("shandong"))
    capsys.readouterr()
    assert main(["score", path, "--county", "临淄区", "--peer-panel", "shandong", "--format", "json"]) == 0
    out = capsys.readouterr()
    score = json.loads(out.out)
    assert score["benchmark"]["counties"] == 132 and score["rank_text"] == b.rank_text()
    assert "触发一票否决，按“直接取消资格”不参与对标" in out.err and "、".join(b.vetoed_peers) in out.err
    assert main(["score", path, "--county", "临淄区", "--peer-panel", "shandong", "--format", "json",
                 "--config", str(cfg)]) == 0
    kept = json.loads(capsys.readouterr().out)
    assert kept["benchmark"]["counties"] == 136 and kept["benchmark"]["reading"] == "自定义解读（一票否决的同行照常参与对标）"
    assert score["benchmark"]["vetoed_peers"] == "exclude" and sorted(score["benchmark"]["vetoed"]) == vetoed
    assert kept["benchmark"]["vetoed_peers"] == "keep" and sorted(kept["benchmark"]["vetoed"]) == vetoed


def test_explorer_readings_and_groups_keep_the_setting():
    from qstrong.explorer.session import CUSTOM_READING, DEFAULT_READING, Session, readings

    kept = Session.start(benchmark(four(), "甲县", config=KEEP))
    assert kept.reading == CUSTOM_READING and DEFAULT_READING not in readings(kept.universe)
    other = [r for r in readings(kept.universe) if r != CUSTOM_READING][0]
    assert kept.choose(reading=other).bench.n == 4 and kept.bench.config.vetoed_peers == "keep"
    assert kept.choose(group="甲县,乙县,丙县").bench.n == 3                  # 乙 kept, 丁 not named
    out = Session.start(benchmark(four(), "甲县"))
    assert out.choose(reading=other).bench.n == 3 and out.bench.vetoed_peers == ("乙县",)
    assert out.choose(group="甲县,乙县,丙县").bench.counties == ["甲县", "丙县"]


def test_analyses_rank_among_the_counties_left():
    from qstrong.analysis.gaps import gaps
    from qstrong.analysis.sensitivity import sensitivity

    b = benchmark(four(), "甲县")
    rep = gaps(b)
    assert rep.rank_text == "第2名/共3个" and "乙县" not in rep.peers and rep.total == pytest.approx(1.6)
    sens = sensitivity(b, draws=10, progress=False)
    table = sens.interpretations
    assert sens.counties == b.counties and set(table["n"]) == {3} and list(sens.weights.index) == b.counties
    assert table.loc[0, "total"] == pytest.approx(1.6) and table.loc[0, "rank"] == 2
    kept = sensitivity(b, draws=10, progress=False, config=KEEP)
    assert set(kept.interpretations["n"]) == {4} and kept.interpretations.loc[0, "rank"] == 3


def test_a_scenario_that_vetoes_a_peer_takes_it_out_of_that_scenario():
    from qstrong.analysis.scenarios import compare

    b = benchmark(four(), "甲县")
    veto_din = {"name": "丁县否决", "changes": [{"measure": VETO[0], "set": "是", "who": "peers"}]}
    cmp = compare(b, scenarios=[veto_din])
    # 丙 (20) and 丁 (40) both vetoed by the scenario → 甲 alone: d = 100 (said as degenerate elsewhere)
    row = cmp.summary.loc["丁县否决"]
    assert row["n"] == 1 and row["rank"] == 1 and row["total"] == pytest.approx(2.0)
    assert cmp.summary.loc["基线", "n"] == 3
    kept = compare(benchmark(four(), "甲县", config=KEEP), scenarios=[veto_din]).summary.loc["丁县否决"]
    assert kept["n"] == 4 and kept["total"] == pytest.approx(2 * (60 + 40 * 10 / 30) / 100)
