"""What people type → a measure's value (unit handling that must never change magnitude)."""

import pytest

from qstrong.intake.normalise import normalise
from qstrong.measures import load_measures

M = load_measures()


@pytest.mark.parametrize("measure, typed, value", [
    ("q41.tech_trade", "44.01亿", "44.01"),            # short form of the field's own unit 亿元
    ("q41.tech_trade", "44.01亿元", "44.01"),
    ("q10.quality_funding", "1317.9万", "1317.9"),     # 万元
    ("population", "64.9万", "64.9"),                  # 万人
    ("q04.national_commendations", "3次", "3"),        # a count's own unit (次)
])
def test_own_unit_is_dropped_and_recorded(measure, typed, value):
    r = normalise(M[measure], typed)
    assert (r.value, r.error) == (value, "") and "去掉单位" in r.note


@pytest.mark.parametrize("measure, typed", [
    ("q10.quality_funding", "5亿元"),    # another unit than the field's 万元: never rescaled silently
    ("q41.tech_trade", "4401万元"),
    ("q33.prefab_bases", "2万"),
    ("gdp", "859.9元"),
    ("q04.national_commendations", "3个"),   # a count unit, but not this count's (次)
])
def test_foreign_unit_is_an_error(measure, typed):
    r = normalise(M[measure], typed)
    assert r.value is None and ("不是数字" in r.error or "带单位" in r.error) and M[measure].unit in r.error
