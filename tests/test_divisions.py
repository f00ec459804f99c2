"""Shandong's divisions through time: the data file against counties.csv, and the name matcher on the
changes the issue names (expected codes written by hand from the State Council approvals)."""

from __future__ import annotations

import csv
import re
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qstrong import divisions as dv


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("qstrong").joinpath(f"data/shandong/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


COUNTIES = _rows("counties.csv")
DIVISIONS = _rows("divisions.csv")
CHANGES = _rows("division_changes.csv")


def test_current_divisions_are_counties_csv():
    current = [(r["code"], r["name"], r["prefecture"], r["type"]) for r in DIVISIONS if not r["valid_to"]]
    expected = [(r["code"], r["name"], r["prefecture"], r["type"]) for r in COUNTIES]
    assert sorted(current) == sorted(expected)
    assert len({c for c, *_ in current}) == len(current) == 136
    api = [(d.code, d.name, d.prefecture, d.type) for d in dv.divisions()]
    assert api == sorted(expected)


def test_every_row_has_its_source_and_change_dates_are_given_or_marked():
    assert all(r["source"].startswith("github.com/yescallop/areacodes ") for r in DIVISIONS + CHANGES)
    for r in CHANGES:
        assert r["source"].endswith(f"diff/{int(r['year']) - 1}-{r['year']}.diff")
        if r["date_given"] == "day":
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", r["date"]) and r["date"][:4] == r["year"]
        else:
            assert r["date_given"] == "year" and r["date"] == ""


def test_periods_of_one_code_do_not_overlap_and_names_are_unique_per_year():
    for year in range(dv.FIRST_YEAR, dv.LAST_YEAR + 1):
        valid = [r for r in DIVISIONS if int(r["valid_from"]) <= year and (not r["valid_to"] or year < int(r["valid_to"]))]
        assert len({r["code"] for r in valid}) == len(valid)
        keys = [(r["prefecture"], r["name"]) for r in valid]
        assert len(set(keys)) == len(keys)


def test_every_division_that_ended_maps_to_current_codes():
    current = {r["code"] for r in COUNTIES}
    for d in dv.changes():
        assert d.old.valid_to == d.year or d.kind == "part_transfer"
    for r in DIVISIONS:
        if r["valid_to"]:
            m = dv.match(r["name"], int(r["valid_to"]) - 1, r["prefecture"])
            assert m.ok and m.year_codes == (r["code"],) and set(m.today) <= current and m.today, m.message


@pytest.mark.parametrize("name,year,prefecture,then,today,merged", [
    ("即墨市", 2015, None, ("370282",), ("370215",), False),
    ("即墨市", 2016, None, ("370282",), ("370215",), False),
    ("即墨区", 2017, None, ("370215",), ("370215",), False),
    ("即墨区", 2015, None, ("370282",), ("370215",), False),   # a later reprint using today's name
    ("章丘市", 2015, None, ("370181",), ("370114",), False),
    ("章丘区", 2016, None, ("370114",), ("370114",), False),
    ("莱城区", 2017, None, ("371202",), ("370116",), False),
    ("钢城区", 2017, None, ("371203",), ("370117",), False),
    ("莱芜区", 2019, None, ("370116",), ("370116",), False),
    ("钢城区", 2019, None, ("370117",), ("370117",), False),
    ("莱城区", 2018, None, ("370116",), ("370116",), False),   # approved 2018-12-26: the 2018 table has 莱芜区
    ("蓬莱市", 2019, None, ("370684",), ("370614",), True),
    ("长岛县", 2019, None, ("370634",), ("370614",), True),
    ("蓬莱区", 2020, None, ("370614",), ("370614",), False),
    ("蓬莱区", 2019, None, ("370634", "370684"), ("370614",), True),
    ("胶南市", 2011, None, ("370284",), ("370211",), True),
    ("黄岛区", 2011, None, ("370211",), ("370211",), True),
    ("黄岛区", 2012, None, ("370211",), ("370211",), False),
    ("四方区", 2011, None, ("370205",), ("370203",), True),
    ("市北区", 2011, None, ("370203",), ("370203",), True),
    ("市北区", 2012, None, ("370203",), ("370203",), False),
    ("任城区", 2012, None, ("370811",), ("370811",), True),
    ("文登市", 2013, None, ("371081",), ("371003", "371002"), True),
    ("苍山县", 2013, None, ("371324",), ("371324",), False),
    ("兰陵县", 2014, None, ("371324",), ("371324",), False),
    ("邹平县", 2017, None, ("371626",), ("371681",), False),
])
def test_changes_resolve_before_and_after(name, year, prefecture, then, today, merged):
    m = dv.match(name, year, prefecture)
    assert m.ok, m.message
    assert (m.year_codes, m.today, m.merged) == (then, today, merged), m.message
    assert m.code == (then[0] if len(then) == 1 else "")
    assert ("合并或拆分" in m.message) == merged


def test_kinds_and_the_explanation_name_the_change():
    m = dv.match("即墨市", 2015)
    assert m.kind == "history" and m.division.code == "370282"
    assert "2017年7月18日" in m.message and "国函〔2017〕105号" in m.message and "即墨区（青岛市，370215）" in m.message
    assert dv.match("临淄区", 2015).kind == "exact"
    assert dv.match("临淄区", 2015).message == "“临淄区”→ 临淄区（淄博市，370305），2015年至今未变。"
    assert dv.match("济南市市中区", 2015).kind == "alias"
    receiver = dv.match("环翠区", 2013)                         # got two towns of the split 文登市
    assert receiver.boundary and not receiver.merged and receiver.today == ("371002",)
    town = dv.match("栖霞市", 2019)
    assert town.boundary and not town.merged and town.today == ("370686",)
    assert "来源未给出具体日期" in town.message and "鲁政字〔2020〕105号" in town.message


def test_shizhong_needs_its_prefecture():
    m = dv.match("市中区", 2015)
    assert m.status == "ambiguous" and not m.ok and m.code == ""
    assert m.candidates == ("市中区（济南市，370103）", "市中区（枣庄市，370402）")
    assert "济南市" in m.message and "枣庄市" in m.message
    assert len(dv.match("市中区", 2012).candidates) == 3        # 济宁's 市中区 still existed
    assert dv.match("市中区", 2015, "济南市").year_codes == ("370103",)
    assert dv.match("市中区", 2015, "枣庄").year_codes == ("370402",)
    assert dv.match("市中区", 2015, "370400").year_codes == ("370402",)
    jining = dv.match("市中区", 2012, "济宁市")
    assert (jining.year_codes, jining.today, jining.merged) == (("370802",), ("370811",), True)


@pytest.mark.parametrize("text,year,code", [
    ("济南市市中区", 2020, "370103"), ("济南市中区", 2020, "370103"), ("枣庄市市中区", 2020, "370402"),
    ("市中区（济南市）", 2020, "370103"), ("市中区(枣庄)", 2020, "370402"), ("济南市·市中区", 2020, "370103"),
    ("山东省淄博市临淄区", 2020, "370305"), ("淄博临淄区", 2020, "370305"), ("青岛市即墨市", 2015, "370282"),
    ("莱芜市莱城区", 2017, "371202"), ("济南市钢城区", 2019, "370117"),
    ("临淄", 2020, "370305"), ("即墨", 2015, "370282"), ("县级即墨市", 2015, "370282"),
    ("即墨市（县级市）", 2015, "370282"), ("临\u3000淄 区", 2020, "370305"), ("临淄区\u200b", 2020, "370305"),
    ("市中区（济南）", 2020, "370103"),
])
def test_aliases(text, year, code):
    m = dv.match(text, year)
    assert m.ok and m.year_codes == (code,), m.message
    assert m.kind == "alias"


def test_a_prefecture_that_contradicts_the_name_is_not_overridden():
    for m in (dv.match("济南市临淄区", 2020), dv.match("临淄区", 2020, "济南市")):
        assert m.status == "unknown" and m.candidates == ("临淄区（淄博市，370305）",) and "淄博市" in m.message
    bad = dv.match("临淄区", 2020, "北京")
    assert bad.status == "unknown" and "济南市" in bad.candidates and "不是山东省的地级市" in bad.message


def test_names_that_never_existed_list_similar_ones():
    m = dv.match("即墨县", 2015)
    assert m.status == "unknown" and not m.today
    assert "即墨市（青岛市，370282）" in m.candidates and "即墨区（青岛市，370215）" in m.candidates
    assert all(c in m.message for c in m.candidates)
    assert dv.match("淄川市", 2020).candidates[0] == "淄川区（淄博市，370302）"
    none = dv.match("XYZ", 2020)
    assert none.status == "unknown" and none.candidates == () and "没有相近的名称" in none.message


def test_years_before_the_data_and_empty_names():
    assert dv.match("临淄区", 2010).status == "unknown"
    assert "2011" in dv.match("临淄区", 2010).message
    assert dv.match("", 2020).status == "unknown" and dv.match(None, 2020).status == "unknown"
    assert dv.match("临淄区", 2030).year_codes == ("370305",)     # later years read as the newest table


SHARED = {r["name"] for r in COUNTIES if sum(x["name"] == r["name"] for x in COUNTIES) > 1}


@settings(max_examples=150, deadline=None)
@given(row=st.sampled_from(COUNTIES), year=st.integers(2020, dv.LAST_YEAR),
       spaces=st.lists(st.sampled_from([" ", "\u3000", "\u00a0", "\u200b"]), max_size=3))
def test_every_current_name_resolves_to_itself(row, year, spaces):
    pref = row["prefecture"] if row["name"] in SHARED else None
    m = dv.match(row["name"], year, pref)
    assert (m.status, m.kind, m.year_codes, m.today, m.merged) == ("ok", "exact", (row["code"],), (row["code"],), False)
    spaced = "".join(spaces) + row["name"][:1] + "".join(spaces) + row["name"][1:]
    assert dv.match(spaced, year, pref).year_codes == (row["code"],)
    assert dv.match(row["prefecture"] + row["name"], year).year_codes == (row["code"],)
