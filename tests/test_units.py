"""Yearbook units: parsing headers and unit lines, conversion factors worked out by hand, refusals."""

from __future__ import annotations

import pytest

from qstrong.measures import load_measures
from qstrong.yearbook.units import UnitError, convert, factor, parse_unit, problem, split_unit


@pytest.mark.parametrize("text, unit", [
    ("亿元", "亿元"), ("（万元）", "万元"), ("(万人)", "万人"), ("单位：万元", "万元"), ("单位:亿元", "亿元"),
    ("单位： 万 人", "万人"), ("％", "%"), ("‰", "‰"), ("百分点", "百分点"), ("公斤", "千克"), ("项", "项"),
    ("μg/m3", "μg/m³"), ("微克/立方米", "μg/m³"), ("万吨", "万吨"), ("天", "天"),
])
def test_parse_unit(text, unit):
    assert parse_unit(text) == unit


@pytest.mark.parametrize("text", ["", "万美元", "亿", "单位：", "地区生产总值", None])
def test_parse_unit_unknown(text):
    assert parse_unit(text) is None


def test_split_unit():
    assert split_unit("地区生产总值（亿元）") == ("地区生产总值", "亿元", "")
    assert split_unit("年末常住人口(万人)") == ("年末常住人口", "万人", "")
    assert split_unit("比上年增长%") == ("比上年增长", "%", "")
    assert split_unit("一般公共预算收入") == ("一般公共预算收入", "", "")
    assert split_unit("进出口总额（单位：万元）") == ("进出口总额", "万元", "")
    label, unit, note = split_unit("出口额（万美元）")
    assert (label, unit) == ("出口额（万美元）", "") and "万美元" in note and "不是已知单位" in note
    assert split_unit("规模以上工业企业数（不含农户）") == ("规模以上工业企业数（不含农户）", "", "")


def test_convert_by_hand():
    # 1 亿元 = 10000 万元: 12.5 亿元 = 125000 万元; 1.1 亿元 = 11000 万元 exactly (not 11000.000000000002)
    assert convert(12.5, "亿元", "万元") == (125000.0, 10000.0)
    assert convert(1.1, "亿元", "万元") == (11000.0, 10000.0)
    assert convert(1234.5, "万元", "亿元") == (0.12345, 0.0001)
    assert convert(3, "万元", "元") == (30000.0, 10000.0)
    # 1 万人 = 10000 人
    assert convert(12.34, "万人", "人") == (123400.0, 10000.0)
    assert convert(56789, "人", "万人") == (5.6789, 0.0001)
    # 1 % = 10 ‰
    assert convert(7.5, "%", "‰") == (75.0, 10.0)
    assert convert(3.2, "‰", "%") == (0.32, 0.1)
    assert convert(42, "项", "项") == (42.0, 1.0)
    assert convert(2, "万吨", "吨") == (20000.0, 10000.0)


def test_factor_is_exact():
    assert factor("亿元", "元") == 100_000_000
    assert factor("亩", "公顷") * 15 == 1


@pytest.mark.parametrize("src, dst, words", [
    ("亿元", "万人", ("不能换算", "金额", "人数")),
    ("%", "百分点", ("不能换算",)),
    ("个", "项", ("不能换算",)),
    ("万美元", "万元", ("万美元", "无法识别")),
    ("", "万元", ("缺少单位",)),
    ("万元", "美元", ("目标单位", "美元")),
])
def test_refused_in_chinese(src, dst, words):
    with pytest.raises(UnitError) as err:
        convert(1.0, src, dst)
    text = str(err.value)
    assert text.startswith("单位有1处问题")
    for w in words:
        assert w in text
    assert problem(src, dst) in text


def test_every_measure_unit_is_known():
    units = {m.unit for m in load_measures().values() if m.unit}
    assert units and all(parse_unit(u) == u for u in units), sorted(u for u in units if parse_unit(u) != u)
