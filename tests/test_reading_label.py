"""Every output's benchmark line names the reading: 默认解读, or 自定义解读 with each change in words."""

from __future__ import annotations

from pathlib import Path

from qstrong.benchmark import benchmark
from qstrong.config import ScoringConfig

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "zibo_panel.csv"


def test_default_says_default():
    assert ScoringConfig.default().differences() == []
    assert benchmark(SAMPLE, "临淄区").reading == "默认解读"


def test_each_change_is_named():
    cfg = ScoringConfig.from_dict({"efficacy": {"*": {"base": 0, "span": 100}, "19": {"zero_base": "null"},
                                                "17": {"gate_inclusive": False},
                                                "39": {"goalposts": {"policy": "topk", "k": 3}}},
                                   "variants": {"38": "parts"}, "vetoed_peers": "keep"})
    got = cfg.differences()
    assert got == ["全部功效系数法指标基础分为0", "全部功效系数法指标分值跨度为100", "指标17恰为门槛值计为未达到（不得分）",
                   "指标19上年为0的增长率不计分（无法计算）", "指标39标杆取前/后3名均值",
                   "指标38：两部分分别计分再按0.4、0.6加权", "一票否决的同行照常参与对标"]
    b = benchmark(SAMPLE, "临淄区", config=cfg)
    assert b.reading == f"自定义解读（{'；'.join(got)}）" and b.reading in b.describe()
    assert b.to_dict()["config"] == cfg.to_dict()


def test_indicators_sharing_a_change_are_named_together():
    cfg = ScoringConfig.default().with_efficacy([19, 20], zero_base="pp")
    assert cfg.differences() == ["指标19、20上年为0的增长率按增加量计"]
