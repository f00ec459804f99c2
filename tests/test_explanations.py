"""No explanation contradicts itself: the numbers it prints agree with the verdict it states, under every
reading, for every county of the shipped panel; at the boundaries by hand (89.99999 against a gate of 90,
99.99999 against a threshold of 100, a d clipped by top-k goalposts)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from qstrong.analysis.sensitivity import interpretation_configs
from qstrong.panel import Panel
from qstrong.peerdata import peer_panel_path
from qstrong.scoring import score_panel

NUM = r"(−?\d+(?:\.\d+)?)"
# “…率(%)=89.99999；低于90，d=0”: the value shown is below the gate
GATED = re.compile(rf"={NUM}%?；低于{NUM}，d=0")
# “…覆盖率99.99999%（需≥100%，不满足）”
THRESHOLD = re.compile(rf"{NUM}[^（，；]*（需≥{NUM}[^，]*，(不满足|满足)）")
# “d=60+40×(…)=87.5” — a stated d outside 0…100 must say it was clipped
STATED_D = re.compile(rf"÷\((?:[^()；]|\([^()]*\))*\)={NUM}(，超出标杆(?:上限|下限)，按{NUM}计)?")
MEASURE_ID = re.compile(r"\b(q\d\d|veto)\.[a-z_]")


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def contradictions(text: str) -> list[str]:
    out = []
    for value, gate in GATED.findall(text):
        if not number(value) < number(gate):
            out.append(f"gate: {value} 低于 {gate}")
    for value, need, verdict in THRESHOLD.findall(text):
        if (number(value) >= number(need)) != (verdict == "满足"):
            out.append(f"threshold: {value} vs {need} {verdict}")
    for stated, clipped, to in STATED_D.findall(text):
        if not clipped and not 0 <= number(stated) <= 100:
            out.append(f"d={stated} without a word on clipping")
        if clipped and not 0 <= number(to) <= 100:
            out.append(f"clipped to {to}")
    if MEASURE_ID.search(text):
        out.append("a measure id in Chinese text")
    if re.search(r"(?<![\w.])-\d", text):
        out.append("a hyphen as minus sign")
    return out


@pytest.fixture(scope="module")
def shipped() -> Panel:
    return Panel.from_csv(peer_panel_path("shandong"))


def test_no_explanation_contradicts_itself_under_any_reading(shipped):
    # every indicator under the 24 efficacy readings; under a catalog variant (15, 38) the indicators it
    # changes (the others' explanations are those of the same efficacy reading without it)
    seen, bad = 0, []
    for choice, cfg in interpretation_configs():
        ps = score_panel(shipped, 2022, cfg)
        for c in ps.counties:
            for line in ps.county(c).indicators:
                if cfg.variants and line.indicator not in cfg.variants:
                    continue
                seen += 1
                bad += [(choice, c, line.indicator, p, line.explanation) for p in contradictions(line.explanation)]
    assert seen == 24 * 136 * 43 + 24 * 136 * (1 + 1 + 2)     # (15), (38), (15 and 38)
    assert bad == [], bad[:5]


def _panel(values: dict[str, dict[str, object]], year: int = 2022) -> Panel:
    rows = [{"county": c, "year": year, "measure": m, "value": v} for c, ms in values.items() for m, v in ms.items()]
    return Panel.from_frame(pd.DataFrame(rows))


def test_a_value_just_below_a_gate_or_threshold_is_not_printed_as_reaching_it():
    ps = score_panel(_panel({"甲县": {"q26.disposal_rate": 89.99999, "q31.drug_inspection_coverage": 99.99999},
                             "乙县": {"q26.disposal_rate": 95, "q31.drug_inspection_coverage": 100}}))
    card = {s.indicator: s.explanation for s in ps.county("甲县").indicators}
    assert "=89.99999；低于90，d=0" in card[26], card[26]
    assert "99.99999%（需≥100%，不满足）" in card[31], card[31]
    assert contradictions(card[26]) == [] and contradictions(card[31]) == []


def test_a_clipped_d_is_said():
    from qstrong.config import ScoringConfig
    from qstrong.efficacy import Goalposts

    cfg = ScoringConfig.default().with_efficacy(40, goalposts=Goalposts(policy="topk", k=2))
    values = {f"县{k}": {"q40.invention_patents": v, "population": 10} for k, v in enumerate([100, 50, 40, 30, 5])}
    ps = score_panel(_panel(values), 2022, cfg)
    best = {s.indicator: s.explanation for s in ps.county("县0").indicators}[40]
    assert "超出标杆上限，按100计" in best, best
    worst = {s.indicator: s.explanation for s in ps.county("县4").indicators}[40]
    assert "超出标杆下限，按60计" in worst, worst
    assert contradictions(best) == [] and contradictions(worst) == []


def test_negative_numbers_use_one_minus_sign():
    ps = score_panel(_panel({"甲县": {"q37.energy_intensity_reduction": -3.5},
                             "乙县": {"q37.energy_intensity_reduction": 4.0}}))
    text = {s.indicator: s.explanation for s in ps.county("甲县").indicators}[37]
    assert "−3.5" in text and not re.search(r"(?<![\w.])-\d", text), text


def test_degenerate_goalposts_are_said_in_the_scorecard():
    from qstrong.benchmark import benchmark
    from qstrong.display import scorecard_text

    alone = score_panel(_panel({"甲县": {"q40.invention_patents": 10, "population": 10}}))
    card = alone.county("甲县")
    assert any("指标40" in w and "只依据1个" in w for w in card.warnings)
    assert any("指标40" in w and "全部相同" in w and "满分" in w for w in card.warnings)
    assert "提醒：" in scorecard_text(card)
    equal = score_panel(_panel({f"县{k}": {"q40.invention_patents": 10, "population": 10} for k in range(6)}))
    w = equal.county("县0").warnings
    assert not any("只依据" in x for x in w) and any("全部相同" in x for x in w)     # 6 counties, all equal
    full = benchmark("data/sample/zibo_panel.csv", "临淄区", 2022, "shandong", peer_panel="shandong")
    assert full.scores.county("临淄区").warnings == []                              # 132 counties (4 vetoed peers left out): nothing to say
    gated = [x for x in alone.county("甲县").warnings if "指标17" in x or "指标26" in x]
    assert gated == []                               # fixed 90～100 goalposts do not rest on the counties
