"""The catalog reproduces annex 2's structure and totals, and refuses a broken copy."""

import pytest

from qstrong.catalog import CatalogError, load_catalog, parse_catalog, split_departments
from qstrong.measures import load_measures

# Level-2 points as printed in the seed's annex 2.
SEED_LEVEL2 = {
    "质量理念": 4, "质量文化": 8, "组织保障": 7, "政策经费保障": 8, "公共服务平台": 2, "标准化": 8,
    "计量": 7, "认证": 4, "质量管理": 10, "产品质量": 6, "工程质量": 6, "服务质量": 6, "环境质量": 6,
    "创新成效": 9, "荣誉奖励": 9,
}
SEED_POINTS = [2, 2, 2, 4, 2, 4, 2, 1, 3, 2, 3, 2, 1, 4, 3, 2, 3, 2, 2, 2, 2, 1, 1, 1, 2, 2, 1,
               1, 2, 2, 1, 2, 2, 2, 3, 3, 3, 3, 2, 2, 2, 3, 9]


def test_structure_matches_seed():
    cat = load_catalog()
    assert len(cat.indicators) == 43
    assert [i.points for i in cat.indicators] == SEED_POINTS
    assert sum(i.points for i in cat.indicators) == 100
    assert cat.level1 == {"质量发展理念": 12, "质量发展保障": 15, "质量发展基础": 31, "质量发展成效": 42}
    assert {k: v[1] for k, v in cat.level2.items()} == SEED_LEVEL2
    assert cat.indicator(17).level2 == "计量" and cat.indicator(17).level1 == "质量发展基础"


def test_texts_are_verbatim_from_seed():
    cat = load_catalog()
    assert cat.indicator(9).standard == "在质量发展、质量监督、标准、计量、检验检测、认证认可、品牌、信用、商标专利等领域，有满足工作需要的财政经费，得3分；缺少一项，扣0.5分，扣完为止。"
    assert cat.indicator(20).source == "省市场监督管理局"
    assert "累计不超过9分" in cat.indicator(43).standard


def test_departments_are_split():
    assert split_departments("区应急管理局 、区安全生产委员会办公室、临淄生态环境分局") == (
        ("区应急管理局", "区安全生产委员会办公室", "临淄生态环境分局"), {})
    names, notes = split_departments("区发改局、区统计局（数据来源部门）")
    assert names == ("区发改局", "区统计局") and notes == {"区统计局": "数据来源部门"}
    cat = load_catalog()
    assert cat.indicator(35).departments == ("区发改局", "区统计局")
    assert "区科技局" in cat.departments


def test_every_rule_names_known_measures_and_every_measure_is_used():
    cat = load_catalog()
    measures = load_measures()
    used = {m for i in cat.indicators for m in i.measures()} | set(cat.veto.measures)
    assert used <= set(measures)
    assert set(measures) - used == set()


def test_frame_and_veto():
    cat = load_catalog()
    df = cat.to_frame()
    assert list(df.index) == list(range(1, 44))
    assert df.loc[10, "rule"] == "efficacy" and df.loc[17, "rule"] == "mixed" and df.loc[1, "rule"] == "rule"
    assert len(cat.veto.measures) == 6


def _raw() -> str:
    from importlib import resources

    return resources.files("qstrong").joinpath("data/catalog.toml").read_text(encoding="utf-8")


def test_broken_points_are_refused():
    raw = _raw().replace("id = 43\nlevel2 = \"荣誉奖励\"\npoints = 9\ncap = 9", "id = 43\nlevel2 = \"荣誉奖励\"\npoints = 8\ncap = 8")
    with pytest.raises(CatalogError) as err:
        parse_catalog(raw.encode())
    assert "荣誉奖励" in str(err.value) and "100" in str(err.value)


def test_unknown_measure_in_rule_is_refused():
    raw = _raw().replace('measure = "q02.development_model"', 'measure = "q02.no_such_measure"')
    with pytest.raises(CatalogError, match="q02.no_such_measure"):
        parse_catalog(raw.encode())


def test_rule_whose_maximum_differs_from_points_is_refused():
    raw = _raw().replace('{ type = "flag", measure = "q22.complaint_channel", points = 1 }',
                         '{ type = "flag", measure = "q22.complaint_channel", points = 0.5 }')
    with pytest.raises(CatalogError, match="指标22"):
        parse_catalog(raw.encode())
