"""No explanation contradicts itself: the numbers it prints agree with the verdict it states, under every
reading, for every county of the shipped panel; at the boundaries by hand (89.99999 against a gate of 90,
99.99999 against a threshold of 100, a d clipped by top-k goalposts)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from qstrong.analysis.sensitivity import interpretation_configs
from qstrong.panel import Panel
from qstrong.peerdata import peer_panel_path
from qstrong.scoring import score_panel

NUM = r"(−?\d+(?:\.\d+)?)"
# “…率(%)=89.99999；低于90，d=0”: the value shown is below the gate; “=90；未超过90（…），d=0”: not above it
GATED = re.compile(rf"={NUM}%?；低于{NUM}，d=0")
NOT_ABOVE = re.compile(rf"={NUM}%?；未超过{NUM}（")
# “…覆盖率99.99999%（需≥100%，不满足）”, “…企业数9.99999家（需≥随机抽查的规上企业数10家，不满足）”
THRESHOLD = re.compile(rf"{NUM}[^（，；\d]*（需(≥|≤|>|<|=)[^\d−，；（）]*{NUM}[^，；（）]*，(不满足|满足)）")
# “d=60+40×(…)=87.5” — a stated d outside 0…100 must say it was clipped, and which way
STATED_D = re.compile(rf"÷\((?:[^()；]|\([^()]*\))*\)={NUM}(，(超出标杆上限|低于标杆下限)，按{NUM}计)?")
# “x_h=100、x_s=90…d=60+40×(100.00001−90)…”: the value shown against the goalposts shown
GOALPOSTS = re.compile(rf"x_h={NUM}、x_s={NUM}[^；]*?×\({NUM}−[^；]*?=[^；，]*(，超出标杆上限|，低于标杆下限)?")
# “…2.99999项，属“1项及以上、不足3项”档” / “属“1-2项”档” / “属“3项及以上”档” / “属“1项”档”
TIER = re.compile(rf"{NUM}[^，；\d]*，属“{NUM}(?:-{NUM})?[^“”\d]*?(?:及以上(?:、不足{NUM})?)?[^“”\d]*”档")
# “…×2=2.00001，封顶2”, “小计5.5，封顶3”, “合计9.5，封顶3分”: what is capped exceeds the cap
CAPPED = re.compile(rf"={NUM}，封顶{NUM}|[小合]计{NUM}，封顶{NUM}")
MEASURE_ID = re.compile(r"\b(q\d\d|veto)\.[a-z_]")
#: the only Latin letters an explanation may hold: the method's symbols and names the seed itself uses
LATIN_OK = {"d", "x_h", "x_s", "A", "GDP", "PM"}
_OPS = {"≥": float.__ge__, "≤": float.__le__, ">": float.__gt__, "<": float.__lt__, "=": float.__eq__}


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def contradictions(text: str) -> list[str]:
    out = []
    for value, gate in GATED.findall(text):
        if not number(value) < number(gate):
            out.append(f"gate: {value} 低于 {gate}")
    for value, gate in NOT_ABOVE.findall(text):
        if not number(value) <= number(gate):
            out.append(f"gate: {value} 未超过 {gate}")
    for value, op, need, verdict in THRESHOLD.findall(text):
        if _OPS[op](number(value), number(need)) != (verdict == "满足"):
            out.append(f"threshold: {value} vs {op}{need} {verdict}")
    for stated, clipped, way, to in STATED_D.findall(text):
        if not clipped and not 0 <= number(stated) <= 100:
            out.append(f"d={stated} without a word on clipping")
        if clipped and not 0 <= number(to) <= 100:
            out.append(f"clipped to {to}")
        if way == "超出标杆上限" and not number(stated) > number(to) or \
                way == "低于标杆下限" and not number(stated) < number(to):
            out.append(f"d={stated} {way}，按{to}计")
    for high, low, x, way in GOALPOSTS.findall(text):
        if (number(x) > number(high)) != (way == "，超出标杆上限") or \
                (number(x) < number(low)) != (way == "，低于标杆下限"):
            out.append(f"value {x} against x_h={high}, x_s={low}{way or '（未说明截断）'}")
    for m in TIER.finditer(text):
        value, lo, hi, below = m.groups()
        x = number(value)
        upper_ok = x < number(below) if below else x <= number(hi) if hi else "及以上" in m.group(0) or x == number(lo)
        if not (x >= number(lo) and upper_ok):
            out.append(f"tier: {value} in {m.group(0)}")
    for a, cap, b, cap2 in CAPPED.findall(text):
        if not number(a or b) > number(cap or cap2):
            out.append(f"capped: {a or b} 封顶 {cap or cap2}")
    if MEASURE_ID.search(text):
        out.append("a measure id in Chinese text")
    if re.search(r"(?<![\w.])-\d", text):
        out.append("a hyphen as minus sign")
    latin = set(re.findall(r"[A-Za-z_]+", text)) - LATIN_OK
    if latin:
        out.append(f"Latin words: {sorted(latin)}")
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


def test_a_case_condition_a_tier_and_a_cap_keep_their_side():
    ps = score_panel(_panel({"甲县": {"q34.smart_site_system": "是", "q34.online_rate": 99.99999,
                                     "q23.policy": "是", "q23.sampled": 10, "q23.sampled_compliant": 9}},
                            ))
    card = {s.indicator: s.explanation for s in ps.county("甲县").indicators}
    assert "上线率99.99999%（需≥100%，不满足），得0分" in card[34], card[34]
    assert "9家（需≥随机抽查的规上企业数10家，不满足）" in card[23], card[23]
    # below the panel checks (a count is whole): what the rule objects print for 1.99999 units
    from qstrong.rules.simple import PerUnit, Tiers

    env = {"q14.national_led": np.array([1.99999]), "q04.national_commendations": np.array([2.000001])}
    tiers = Tiers("q14.national_led", [[2, 1], [1, 0.5]])
    assert "1.99999项，属“1项及以上、不足2项”档，得0.5分" in tiers.explain(tiers.evaluate(env, None), env, 0)
    per = PerUnit("q04.national_commendations", per=2, cap=4)
    assert "2.000001次×2=4.000002，封顶4" in per.explain(per.evaluate(env, None), env, 0)
    for text in card[34], card[23]:
        assert contradictions(text) == [], text


def test_a_clipped_d_is_said():
    from qstrong.config import ScoringConfig
    from qstrong.efficacy import Goalposts

    cfg = ScoringConfig.default().with_efficacy(40, goalposts=Goalposts(policy="topk", k=2))
    values = {f"县{k}": {"q40.invention_patents": v, "population": 10} for k, v in enumerate([100, 50, 40, 30, 5])}
    ps = score_panel(_panel(values), 2022, cfg)
    best = {s.indicator: s.explanation for s in ps.county("县0").indicators}[40]
    assert "超出标杆上限，按100计" in best, best
    worst = {s.indicator: s.explanation for s in ps.county("县4").indicators}[40]
    assert "低于标杆下限，按60计" in worst, worst
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


def _boundaries(items) -> list[tuple[str, float | str]]:
    """(measure, value) pairs where a rule item changes its verdict, read from the items themselves:
    thresholds, tier floors, per-unit caps (cap ÷ points per unit), case conditions (a number or another
    measure), efficacy gates and fixed goalposts of a component that is one measure."""
    from qstrong.rules.composite import Cases, Group
    from qstrong.rules.efficacy import Efficacy
    from qstrong.rules.simple import Flag, PerUnit, Threshold, Tiers

    out: list[tuple[str, float | str]] = []
    for it in items:
        if isinstance(it, Group):
            out += _boundaries(it.items)
        elif isinstance(it, Tiers):
            out += [(it.measure, lo) for lo, _ in it.tiers]
        elif isinstance(it, Threshold) and not isinstance(it, Flag):
            out.append((it.measure, float(it.min)))
        elif isinstance(it, PerUnit) and it.cap is not None:
            out.append((it.measure, it.cap / it.per))
        elif isinstance(it, Cases):
            for _, conds, _ in it._cases:
                for left, op, right in (c.parts() for c in conds):
                    if op is not None:
                        out.append((left, right if right in shipped_measures() else float(right)))
        elif isinstance(it, Efficacy):
            gp = it.defaults.get("goalposts")
            bounds = [it.defaults.get("gate")] + ([gp.low, gp.high] if gp is not None and gp.policy == "fixed" else [])
            out += [(c.value.measures[0], float(t)) for c in it.components for t in bounds
                    if t is not None and c.value is not None and c.value.source.strip() == c.value.measures[0]]
    return out


def shipped_measures():
    from qstrong.measures import load_measures
    return load_measures()


def _stress_panel(shipped: Panel) -> Panel:
    """30 shipped counties of 2022; nine of them with every boundary measure at a boundary − 1e-5, on it,
    + 1e-5 (first, second, third boundary of the measure); two with growths from a zero base (0 → x, 0 → 0),
    one with a GDP and population of 0, one that left every boundary measure unreported.
    Built without the panel checks: a count of 2.99999 is not a valid report, but must still read right."""
    from qstrong.catalog import load_catalog

    cat = load_catalog()
    bounds: dict[str, list] = {}
    for ind in cat.indicators:
        for variant in (None, *ind.variants):
            for m, t in _boundaries(ind.items_for(variant)):
                bounds.setdefault(m, [])
                if t not in bounds[m]:
                    bounds[m].append(t)
    assert {"q34.online_rate", "q26.disposal_rate", "q14.national_led", "q04.national_commendations",
            "q23.sampled_compliant", "q15.provincial_tc_secretariats"} <= set(bounds)
    data = shipped.data[shipped.data["year"] == 2022]
    counties = list(dict.fromkeys(data["county"]))[:30]
    data = data[data["county"].isin(counties)].copy()
    wide = data.pivot(index="county", columns="measure", values="value")
    for j, county in enumerate(counties[:9]):
        offset, which = (-1e-5, 0.0, 1e-5)[j % 3], j // 3
        for m, ts in bounds.items():
            t = ts[which % len(ts)]
            wide.loc[county, m] = (wide.loc[county, t] if isinstance(t, str) else t) + offset
    growths = [c for ind in cat.indicators for it in ind.items for c in getattr(it, "components", []) if c.is_change]
    for county, cur in ((counties[9], None), (counties[10], 0.0)):
        for c in growths:
            wide.loc[county, list(c.previous.measures)] = 0.0
            if cur is not None:
                wide.loc[county, list(c.current.measures)] = cur
    wide.loc[counties[11], ["gdp", "population"]] = 0.0                          # a divisor of 0
    wide.loc[counties[12], list(bounds)] = np.nan                                 # not reported
    long = wide.stack().rename("value").reset_index()
    long["year"] = 2022
    return Panel(long[["county", "year", "measure", "value"]], cat, source="stress")


def test_no_explanation_contradicts_itself_at_the_boundaries(shipped):
    from qstrong.config import ScoringConfig
    from qstrong.efficacy import Goalposts

    panel, base = _stress_panel(shipped), ScoringConfig.default()
    configs = {"默认": base, "zero_base null": base.with_efficacy("*", zero_base="null"),
               "zero_base pp": base.with_efficacy("*", zero_base="pp"),
               "gate_inclusive false": base.with_efficacy("*", gate_inclusive=False),
               "15 group_cap": base.with_variant(15, "group_cap"), "38 parts": base.with_variant(38, "parts"),
               "top-3": base.with_efficacy("*", goalposts=Goalposts(policy="topk", k=3)),
               "quantile": base.with_efficacy("*", goalposts=Goalposts(policy="quantile", low=0.1, high=0.9)),
               "change pp": base.with_efficacy("*", change="pp")}
    bad, texts = [], []
    for name, cfg in configs.items():
        ps = score_panel(panel, 2022, cfg)
        for c in ps.counties:
            for line in ps.county(c).indicators:
                texts.append(line.explanation)
                bad += [(name, c, line.indicator, p, line.explanation) for p in contradictions(line.explanation)]
    assert bad == [], bad[:5]
    joined = "\n".join(texts)
    # the boundaries were reached and read: each wording the parser checks occurs
    for pattern in (GATED, NOT_ABOVE, THRESHOLD, STATED_D, GOALPOSTS, TIER, CAPPED):
        assert pattern.search(joined), pattern.pattern
    for seen in ("99.99999%（需≥100%，不满足）", "上线率99.99999%", "=89.99999；低于90，d=0", "不足3项”档",
                 "超出标杆上限", "低于标杆下限", "上年为0", "除数为0", "缺少数据"):
        assert seen in joined, seen
    assert not re.search(r"\bnan\b|None|inf\b", joined)
