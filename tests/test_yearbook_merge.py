"""Imported yearbook values into a peer panel: replaced, agreed, conflicting, resolved, written back, covered."""

from pathlib import Path

import pandas as pd
import pytest

from qstrong.benchmark import benchmark, is_synthetic, share_percent
from qstrong.errors import InputError
from qstrong.panel import Panel
from qstrong.paths import forget_inputs
from qstrong.peerdata import SHIPPED, to_csv_bytes
from qstrong.yearbook.coverage import components, coverage, coverage_text
from qstrong.yearbook.merge import merge_into, read_base, read_resolutions, write_panel

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "zibo_panel.csv"
IMPORTED = ["county", "code", "year", "measure", "value", "source", "file", "sheet", "cell", "printed_name",
            "table_year", "year_code", "from_unit", "factor", "tolerance"]
CODES = {"甲县": "370001", "乙县": "370002", "丙县": "370003"}


@pytest.fixture(autouse=True)
def _fresh_inputs():
    forget_inputs()
    yield
    forget_inputs()


def base_frame() -> pd.DataFrame:
    """Three counties, 2021–2022: gdp, q38.pm25, q38.pm25_prev, q19.smes_helped (丙 2022 lacks it)."""
    rows = []
    for county, code in CODES.items():
        for year in (2021, 2022):
            for m, v, src in (("gdp", 100.0, "synthetic"), ("q19.smes_helped", 5.0, "synthetic"),
                              ("q38.pm25", 40.0, "synthetic"), ("q38.pm25_prev", 42.0, "synthetic")):
                if (county, year, m) != ("丙县", 2022, "q19.smes_helped"):
                    rows.append((county, year, m, v, src, code, "某市", "县"))
    df = pd.DataFrame(rows, columns=["county", "year", "measure", "value", "source", "code", "prefecture", "type"])
    df = df.sort_values(["code", "year", "measure"], ignore_index=True)
    real = {("乙县", 2022, "gdp"): (200.0, "real:统计公报2022"), ("丙县", 2022, "gdp"): (300.0, "real:统计公报2022")}
    for (c, y, m), (v, s) in real.items():
        at = (df["county"] == c) & (df["year"] == y) & (df["measure"] == m)
        df.loc[at, ["value", "source"]] = [v, s]
    return df


def imported(*rows) -> pd.DataFrame:
    """Rows (county, year, measure, value, file, cell, tolerance) in the importer's shape (sheet 表1)."""
    out = [dict(county=c, code=CODES.get(c, ""), year=y, measure=m, value=v, source=f"real:{f}#表1!{cell}", file=f,
                sheet="表1", cell=cell, printed_name=c, table_year=y, year_code=CODES.get(c, ""), from_unit="",
                factor=1.0, tolerance=t) for c, y, m, v, f, cell, t in rows]
    return pd.DataFrame(out, columns=IMPORTED)


def value_of(panel: pd.DataFrame, county: str, year: int, measure: str) -> tuple[float, str]:
    r = panel[(panel["county"] == county) & (panel["year"] == year) & (panel["measure"] == measure)]
    assert len(r) == 1
    return float(r["value"].iloc[0]), r["source"].iloc[0]


def test_synthetic_replaced_real_agreeing_kept_and_disagreeing_reported():
    got = merge_into(base_frame(), imported(("甲县", 2022, "gdp", 123.4, "a.xlsx", "C3", 0.05),
                                            ("乙县", 2022, "gdp", 200.04, "a.xlsx", "C4", 0.05),
                                            ("丙县", 2022, "gdp", 310.0, "a.xlsx", "C5", 0.05)))
    assert value_of(got.panel, "甲县", 2022, "gdp") == (123.4, "real:a.xlsx#表1!C3")
    assert got.replaced[["county", "old", "new", "source"]].to_dict("records") == \
        [{"county": "甲县", "old": 100.0, "new": 123.4, "source": "real:a.xlsx#表1!C3"}]
    # 200.04 is 200 within half a unit of its printed 0.1: the base's real value and source stay
    assert value_of(got.panel, "乙县", 2022, "gdp") == (200.0, "real:统计公报2022")
    assert got.agreed[["county", "value", "source", "other_value"]].to_dict("records") == \
        [{"county": "乙县", "value": 200.0, "source": "real:统计公报2022", "other_value": 200.04}]
    # 310 vs 300: a conflict, the base untouched, one problem naming both places
    assert value_of(got.panel, "丙县", 2022, "gdp") == (300.0, "real:统计公报2022")
    assert len(got.problems) == 1
    assert all(s in got.problems[0] for s in ("丙县", "2022年", "地区生产总值", "310", "文件“a.xlsx”工作表“表1”单元格C5",
                                              "300", "real:统计公报2022", "--resolve"))
    assert set(got.conflicts["value"]) == {300.0, 310.0}
    assert got.summary[0] == ("表中3个数值：写入1个（替换合成数据1个、新增0个）、与已有真实数据一致1个、冲突1个（已裁定0个）、"
                              "未写入0个（年份不在面板0个、县不在面板0个）")
    with pytest.raises(InputError):
        write_panel(got, "unused.csv")          # an unsettled conflict: no panel is written


def test_two_imports_conflicting_and_resolved_by_source_or_by_value():
    values = imported(("甲县", 2021, "q38.pm25", 40.1, "a.xlsx", "D3", 0.05),
                      ("甲县", 2021, "q38.pm25", 41.0, "b.xlsx", "E7", 0.05),
                      ("丙县", 2022, "gdp", 310.0, "a.xlsx", "C5", 0.05))
    got = merge_into(base_frame(), values)
    assert len(got.problems) == 3      # 2021 PM2.5, its 2022 上年值 (same sources), 丙县's GDP
    pm = next(p for p in got.problems if "2021年" in p)
    assert "文件“a.xlsx”工作表“表1”单元格D3" in pm and "文件“b.xlsx”工作表“表1”单元格E7" in pm
    assert any("上年值" in p and "2022年" in p for p in got.problems)
    rules = pd.DataFrame([("甲县", 2021, "q38.pm25", "b.xlsx", None, 2), ("丙县", 2022, "gdp", "", 310, 3)],
                         columns=["county", "year", "measure", "source", "value", "line"])
    done = merge_into(base_frame(), values, rules)
    assert done.problems == ()
    assert value_of(done.panel, "甲县", 2021, "q38.pm25") == (41.0, "real:b.xlsx#表1!E7")
    assert value_of(done.panel, "甲县", 2022, "q38.pm25_prev") == (41.0, "real:b.xlsx#表1!E7")   # one rule, both
    assert value_of(done.panel, "丙县", 2022, "gdp") == (310.0, "real:a.xlsx#表1!C5")
    assert done.resolved == 3 and "冲突3个（已裁定3个）" in done.summary[0]      # the table's 3 values
    assert "推得次年的“上年”数据项2个" in done.summary[1] and "冲突2个（已裁定2个）" in done.summary[1]
    chosen = done.conflicts[done.conflicts["chosen"]]
    assert sorted(chosen["value"]) == [41.0, 41.0, 310.0]


def test_a_rule_matching_no_conflict_or_no_candidate_is_a_problem():
    values = imported(("丙县", 2022, "gdp", 310.0, "a.xlsx", "C5", 0.05))
    rules = pd.DataFrame([("丙县", 2021, "gdp", "a.xlsx", None, 2),       # 2021 has no conflict (typo)
                          ("丙县", 2022, "gdp", "", 305.0, 3)],           # no candidate has 305
                         columns=["county", "year", "measure", "source", "value", "line"])
    got = merge_into(base_frame(), values, rules)
    assert any(p.startswith("裁定文件第2行") and "没有需要裁定的冲突" in p for p in got.problems)
    assert any(p.startswith("裁定文件第3行") and "305" in p and "310" in p for p in got.problems)
    assert got.unmatched == (2,) and got.resolved == 0
    assert value_of(got.panel, "丙县", 2022, "gdp") == (300.0, "real:统计公报2022")


def test_prev_of_next_year_set_added_rows_and_years_outside_the_base():
    values = imported(("乙县", 2021, "q38.pm25", 35.5, "c.csv", "B4", 0.05),
                      ("乙县", 2022, "q38.pm25", 33.0, "c.csv", "C4", 0.05),     # 2023 not in the base: no _prev
                      ("丙县", 2022, "q19.smes_helped", 12, "c.csv", "D5", 0.5),
                      ("甲县", 2018, "gdp", 90.0, "c.csv", "E3", 0.05))
    got = merge_into(base_frame(), values)
    assert got.problems == ()
    assert value_of(got.panel, "乙县", 2021, "q38.pm25") == (35.5, "real:c.csv#表1!B4")
    assert value_of(got.panel, "乙县", 2022, "q38.pm25_prev") == (35.5, "real:c.csv#表1!B4")
    assert value_of(got.panel, "丙县", 2022, "q19.smes_helped") == (12.0, "real:c.csv#表1!D5")
    assert got.derived == 1 and got.added[["county", "measure"]].values.tolist() == [["丙县", "q19.smes_helped"]]
    assert any("2018年不在对标面板的年份中" in n and "未导入1个数值" in n for n in got.notes)
    assert got.summary[0] == ("表中4个数值：写入3个（替换合成数据2个、新增1个）、与已有真实数据一致0个、冲突0个（已裁定0个）、"
                              "未写入1个（年份不在面板1个、县不在面板0个）")
    assert got.summary[1].startswith("另由上一年的数值推得次年的“上年”数据项1个（上一年PM2.5年均浓度，来源相同") and \
        got.summary[1].endswith("写入1个（替换合成数据1个、新增0个）、与已有真实数据一致0个、冲突0个（已裁定0个）")
    # the added row sits where the base's order puts it, with its county's code, prefecture and type
    p = got.panel
    assert len(p) == len(base_frame()) + 1
    assert p.equals(p.sort_values(["code", "year", "measure"], kind="stable").reset_index(drop=True))
    row = p[(p["county"] == "丙县") & (p["measure"] == "q19.smes_helped") & (p["year"] == 2022)].iloc[0]
    assert (row["code"], row["prefecture"], row["type"]) == ("370003", "某市", "县")


def test_resolutions_file_chinese_headers_gbk_and_every_problem_with_its_line(tmp_path):
    f = tmp_path / "裁定.csv"
    f.write_bytes("县（市、区）,年份,数据项,数据来源,数值,说明\n"
                  "丙县,2022,地区生产总值,a.xlsx,,以年鉴为准\n"
                  "丙县,二〇二二,gdp,,310,\n"
                  "丙县,2022,不存在的项,a.xlsx,,\n"
                  "乙县,2022,gdp,,,\n"
                  "甲县,2022,gdp,a.xlsx,310,\n".encode("gbk"))
    rules, problems = read_resolutions(f)
    assert rules[["county", "year", "measure", "source", "line"]].values.tolist() == [["丙县", 2022, "gdp", "a.xlsx", 2]]
    assert [p.split("：", 1)[0] for p in problems] == [f"裁定文件“{f.name}”第{n}行" for n in (3, 4, 5, 6)]
    assert "年份" in problems[0] and "未知的数据项" in problems[1] and "既没有" in problems[2] and "只能写一个" in problems[3]
    got = merge_into(base_frame(), imported(("丙县", 2022, "gdp", 310.0, "a.xlsx", "C5", 0.05)), rules)
    assert got.problems == () and value_of(got.panel, "丙县", 2022, "gdp") == (310.0, "real:a.xlsx#表1!C5")
    late = merge_into(base_frame(), imported(("丙县", 2021, "gdp", 310.0, "a.xlsx", "C5", 0.05)), rules)
    assert late.problems == (f"裁定文件“{f.name}”第2行：丙县 2022年“地区生产总值”没有需要裁定的冲突（请核对县名、年份和数据项）",)
    missing, problems = read_resolutions(tmp_path / "none.csv")
    assert missing.empty and "不存在" in problems[0]


def test_written_panel_reads_back_scores_and_raises_the_real_share(tmp_path):
    base, path = read_base("shandong")
    assert to_csv_bytes(merge_into(base, imported()).panel) == SHIPPED.read_bytes()   # nothing in: same bytes
    before = benchmark(SAMPLE, "临淄区", peer_panel="shandong")
    peers = [c for c in before.counties if c != "临淄区"][:40]
    rows = base[base["county"].isin(peers) & (base["year"] == 2022) & base["measure"].isin(["gdp", "q19.smes_helped"])]
    # a synthetic value changed by 1, a real one given as it is (it agrees, and stays with its source)
    values = imported(*[(r.county, 2022, r.measure, float(r.value) + (r.source == "synthetic"), "yb.xlsx", f"C{k}", 0.5)
                        for k, r in enumerate(rows.itertuples(), 3)])
    synthetic = int((rows["source"] == "synthetic").sum())        # counted on the base, by hand
    merged = merge_into(base, values)
    assert merged.problems == () and len(merged.replaced) == synthetic
    assert len(merged.agreed) == len(rows) - synthetic > 0
    with pytest.raises(InputError, match="程序包之内"):
        write_panel(merged, path, [path])                          # the shipped base: inside the package
    copy = tmp_path / "base.csv"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(InputError, match="输入文件"):
        write_panel(merged, copy, [copy])                          # any base is an input: never overwritten
    assert copy.read_bytes() == path.read_bytes()
    out = write_panel(merged, tmp_path / "peers.csv", [path])
    panel = Panel.from_csv(out)
    got = panel.data[(panel.data["county"] == peers[0]) & (panel.data["year"] == 2022) & (panel.data["measure"] == "gdp")]
    assert got["source"].iloc[0] == "real:yb.xlsx#表1!C3"
    after = benchmark(SAMPLE, "临淄区", peer_panel=out)
    gained = int(after.provenance["real"].sum() - before.provenance["real"].sum())
    total = int(before.provenance.to_numpy().sum())
    assert gained == synthetic and after.real_share == (before.provenance["real"].sum() + synthetic) / total
    assert f"真实数据占比{share_percent(after.real_share)}" in after.describe() and after.real_share > before.real_share


def test_coverage_counts_real_values_by_hand():
    df = base_frame()
    df.loc[(df["county"] == "甲县") & (df["year"] == 2022) & (df["measure"] == "q38.pm25"), "source"] = "real:x"
    df.loc[(df["county"] == "乙县") & (df["year"] == 2022) & (df["measure"] == "q38.pm25"), "value"] = None
    df.loc[(df["county"] == "乙县") & (df["year"] == 2022) & (df["measure"] == "q38.pm25"), "source"] = "real:y"
    cov = coverage(df).set_index(["indicator", "measure", "year"])
    assert cov.loc[(38, "q38.pm25", 2022), ["panel_counties", "real_counties"]].tolist() == [3, 1]   # 乙's is empty
    assert cov.loc[(35, "gdp", 2022), "real_counties"] == 2 and cov.loc[(41, "gdp", 2022), "real_counties"] == 2
    assert cov.loc[(35, "gdp", 2021), "real_share"] == 0.0
    assert abs(cov.loc[(35, "gdp", 2022), "real_share"] - 2 / 3) < 1e-12
    comp = components()
    assert set(comp.loc[comp["indicator"] == 38, "measure"]) == {"q38.good_days_ratio", "q38.pm25", "q38.pm25_prev"}
    assert not (comp["indicator"] == 1).any()                    # a rule-scored indicator has no component
    text = coverage_text(coverage(df))
    assert "PM2.5年均浓度" in text and "1/3" in text and "2022年" in text


def test_the_base_value_can_win_a_conflict():
    values = imported(("丙县", 2022, "gdp", 310.0, "a.xlsx", "C5", 0.05))
    rules = pd.DataFrame([("丙县", 2022, "gdp", "对标面板", None, 2)],
                         columns=["county", "year", "measure", "source", "value", "line"])
    got = merge_into(base_frame(), values, rules)
    assert got.problems == () and got.resolved == 1 and got.replaced.empty
    assert value_of(got.panel, "丙县", 2022, "gdp") == (300.0, "real:统计公报2022")
    hint = merge_into(base_frame(), values).problems[0]
    assert "丙县,2022,gdp," in hint and "对标面板" in hint


# ── a figure of a year outside the base feeds the base's *_prev of the next year ──

def test_prev_lag_of_every_pair_read_off_the_shipped_panel():
    """Every *_prev of year Y in the shipped panel is its measure of Y−1 (q19/q20's 再前一年度 included)."""
    from qstrong.peerdata import PREV
    from qstrong.yearbook.merge import PREV_LAG

    base, _ = read_base("shandong")
    base = base[base["measure"].isin([*PREV, *PREV.values()])]
    wide = base.assign(value=pd.to_numeric(base["value"])).pivot_table(
        index="county", columns=["measure", "year"], values="value")
    years = sorted(base["year"].unique())
    for prev, cur in PREV.items():
        lags = [k for k in (0, 1, 2) if all((wide[(prev, y)] == wide[(cur, y - k)]).all()
                                            for y in years if y - k in years)]
        assert lags == [PREV_LAG], prev


def test_a_year_before_the_base_gives_the_first_years_prev_for_every_pair():
    base, _ = read_base("shandong")
    pairs = {"q38.pm25": 52.3, "q10.quality_funding": 1234.5, "q10.public_expenditure": 654321.1,
             "q19.smes_helped": 17, "q20.certificates": 250}
    rows = [("即墨区", y, "q38.pm25", v, "pm.csv", f"{k}:2", 0.05) for k, (y, v) in
            enumerate(((2016, 55.0), (2017, 53.1), (2018, 52.3)), 3)]
    rows += [("即墨区", 2018, m, v, "yb.xlsx", f"C{k}", 0.05) for k, (m, v) in enumerate(pairs.items(), 3)
             if m != "q38.pm25"]
    rows += [("即墨区", 2016, "gdp", 1000.0, "yb.xlsx", "D3", 0.05)]       # feeds nothing
    got = merge_into(base, imported(*rows))
    assert got.problems == ()
    for m, v in pairs.items():
        value, source = value_of(got.panel, "即墨区", 2019, f"{m}_prev")
        assert value == v and source.startswith("real:") and "#" in source, m
    assert value_of(got.panel, "即墨区", 2019, "q38.pm25_prev")[1] == "real:pm.csv#表1!5:2"
    assert value_of(got.panel, "即墨区", 2019, "q38.pm25")[1] == "synthetic"          # the current one untouched
    note18 = next(n for n in got.notes if n.startswith("2018年"))
    assert "5个数值用作2019年的“上年”数据项" in note18 and "上一年PM2.5年均浓度" in note18 and "未导入" not in note18
    note16 = next(n for n in got.notes if n.startswith("2016年"))
    assert "未导入2个数值" in note16 and "用作" not in note16
    assert got.summary[0].endswith("仅用作次年的上年值5个、未写入3个（年份不在面板3个、县不在面板0个）")
    assert "推得次年的“上年”数据项5个" in got.summary[1] and "写入5个（替换合成数据5个、新增0个）" in got.summary[1]


def test_a_rule_on_a_year_outside_the_base_settles_the_prev_it_feeds():
    df = base_frame()
    at = (df["county"] == "甲县") & (df["year"] == 2021) & (df["measure"] == "q38.pm25_prev")
    df.loc[at, "source"] = "real:环境公报2020"                                  # a real 42.0 already there
    values = imported(("甲县", 2020, "q38.pm25", 45.0, "pm.xlsx", "B3", 0.05))
    got = merge_into(df, values)
    assert len(got.problems) == 1 and "甲县 2021年" in got.problems[0] and "由2020年导入值推得" in got.problems[0]
    rules = pd.DataFrame([("甲县", 2020, "q38.pm25", "pm.xlsx", None, 2)],
                         columns=["county", "year", "measure", "source", "value", "line"])
    done = merge_into(df, values, rules)
    assert done.problems == () and done.unmatched == ()
    assert value_of(done.panel, "甲县", 2021, "q38.pm25_prev") == (45.0, "real:pm.xlsx#表1!B3")


# ── the summary adds up ──

def _parts_of(line: str) -> dict[str, int]:
    import re
    return {k: int(n) for k, n in re.findall(r"(表中|写入|替换合成数据|新增|一致|冲突|已裁定|上年值|未写入|年份不在面板|"
                                             r"县不在面板|该县该年|有问题)(\d+)个", line)}


@pytest.mark.parametrize("rows, expected", [
    # 甲 replaced, 乙 agrees with the base's real 200, 丙 conflicts with the base's real 300
    ([("甲县", 2022, "gdp", 1.0, "a.xlsx", "C3", 0.05), ("乙县", 2022, "gdp", 200.0, "a.xlsx", "C4", 0.05),
      ("丙县", 2022, "gdp", 310.0, "a.xlsx", "C5", 0.05)],
     {"写入": 1, "替换合成数据": 1, "一致": 1, "冲突": 1}),
    # one added (丙 2022 has no q19 row), a year outside feeding a _prev, one feeding nothing, an unknown county,
    # an unknown measure and an empty value (problems), two imports agreeing (the first written)
    ([("丙县", 2022, "q19.smes_helped", 3, "b.csv", "2:2", 0.5), ("乙县", 2020, "q38.pm25", 30.0, "b.csv", "3:2", 0.05),
      ("乙县", 2020, "gdp", 9.0, "b.csv", "3:3", 0.05), ("丁县", 2022, "gdp", 9.0, "b.csv", "4:3", 0.05),
      ("甲县", 2022, "nothing", 9.0, "b.csv", "5:3", 0.05), ("甲县", 2022, "q38.pm25", None, "b.csv", "5:4", 0.05),
      ("甲县", 2021, "q38.pm25", 41.0, "b.csv", "6:4", 0.05), ("甲县", 2021, "q38.pm25", 41.02, "c.csv", "6:4", 0.05)],
     {"写入": 2, "新增": 1, "替换合成数据": 1, "一致": 1, "上年值": 1, "未写入": 2, "年份不在面板": 1, "县不在面板": 1,
      "有问题": 2}),
    ([], {}),
])
def test_summary_parts_add_up_to_the_tables_values(rows, expected):
    values = imported(*rows)
    got = merge_into(base_frame(), values)
    first = _parts_of(got.summary[0])
    assert first["表中"] == len(values)
    top = ("写入", "一致", "冲突", "上年值", "未写入", "有问题")
    assert sum(first.get(k, 0) for k in top) == len(values)
    assert first["写入"] == first["替换合成数据"] + first["新增"]
    assert first["未写入"] == sum(first.get(k, 0) for k in ("年份不在面板", "县不在面板", "该县该年"))
    assert {k: v for k, v in first.items() if v and k != "表中"} == expected
    assert len(got.outcome[~got.outcome["derived"]]) == len(values)
    imports = got.conflicts[got.conflicts["origin"] != "对标面板"]
    assert got.outcome["derived"].sum() == got.replaced["derived"].sum() + got.added["derived"].sum() + \
        got.agreed["derived"].sum() + imports["derived"].sum()


# ── places said as the reader says them ──

def test_places_in_messages_and_report_columns_use_the_readers_wording():
    from qstrong.yearbook.merge import place
    from qstrong.yearbook.reader import RawSheet

    assert place("a.csv", "", "3:2") == RawSheet("a.csv", "", "csv", []).where(2, 1) == "文件“a.csv”第3行第2列"
    assert place("x.xlsx", "表1", "B5") == RawSheet("x.xlsx", "表1", "xlsx", []).where(4, 1)
    assert place(source="real:x.xlsx#表1!B5") == "文件“x.xlsx”工作表“表1”单元格B5"
    assert place(source="real:a.csv#3:2") == "文件“a.csv”第3行第2列"
    assert place("x.xlsx", "表1", "B5+B6") == "文件“x.xlsx”工作表“表1”单元格B5+单元格B6"
    values = pd.DataFrame({**imported(("丙县", 2022, "gdp", 310.0, "a.csv", "3:2", 0.05),
                                      ("甲县", 2022, "gdp", 101.0, "a.csv", "4:2", 0.05)), "sheet": ""})
    values["source"] = ["real:a.csv#3:2", "real:a.csv#4:2"]
    got = merge_into(base_frame(), values)
    assert "310（文件“a.csv”第3行第2列）" in got.problems[0]
    assert "工作表" not in got.problems[0] and "单元格" not in got.problems[0]
    assert got.conflicts.set_index("origin")["place"].to_dict() == {"对标面板": "对标面板", "导入": "文件“a.csv”第3行第2列"}
    assert got.replaced["place"].tolist() == ["文件“a.csv”第4行第2列"]
    assert "file" not in got.conflicts and "cell" not in got.conflicts
    assert got.outcome[["place", "fate", "note"]].values.tolist() == [
        ["文件“a.csv”第3行第2列", "conflict", "冲突"], ["文件“a.csv”第4行第2列", "replaced", "替换合成数据"]]
    bad = merge_into(base_frame(), values.assign(measure=["gdp", "nothing"]))
    assert any(p.startswith("文件“a.csv”第4行第2列：未知的数据项") for p in bad.problems)


# ── coverage of a peer group and of a benchmark ──

def test_coverage_restricted_to_counties_counts_by_hand():
    df = base_frame()
    for c in ("甲县", "丙县"):
        df.loc[(df["county"] == c) & (df["year"] == 2022) & (df["measure"] == "q38.pm25"), "source"] = "real:x"
    def counts(cov: pd.DataFrame, measure: str) -> list[list[int]]:
        at = cov[(cov["measure"] == measure) & (cov["year"] == 2022)]
        return at[["panel_counties", "real_counties"]].drop_duplicates().values.tolist()

    group = coverage(df, counties=["甲县", "乙县"])
    assert counts(group, "q38.pm25") == [[2, 1]]               # 丙 not in the group
    assert counts(group, "gdp") == [[2, 1]]                    # 乙's real 200 (indicators 35 and 41 alike)
    assert counts(coverage(df), "q38.pm25") == [[3, 2]]


def test_coverage_of_a_benchmark_its_counties_and_year_only(tmp_path):
    from qstrong.yearbook.coverage import coverage_of

    base, _ = read_base("shandong")
    bench = benchmark(SAMPLE, "临淄区", peer_panel="shandong", peers="prefecture")
    peers = [c for c in bench.counties if c != "临淄区"]
    outsider = base.loc[~base["county"].isin(bench.counties), "county"].iloc[0]
    values = imported(*[(c, bench.year, "q38.pm25", 40.0 + k, "pm.xlsx", f"B{k + 3}", 0.05)
                        for k, c in enumerate([*peers[:2], outsider])])
    out = write_panel(merge_into(base, values), tmp_path / "peers.csv")
    after = benchmark(SAMPLE, "临淄区", peer_panel=out, peers="prefecture")
    cov = coverage_of(after)
    assert set(cov["year"]) == {after.year} and (cov["panel_counties"] == after.n).all()
    pm = cov[cov["measure"] == "q38.pm25"]
    own = after.panel.data
    own = own[(own["county"] == "临淄区") & (own["year"] == after.year) & (own["measure"] == "q38.pm25")]
    own_real = int(len(own) == 1 and not is_synthetic(own["source"].iloc[0]) and pd.notna(own["value"].iloc[0]))
    before = coverage_of(bench)
    before_pm = int(before.loc[before["measure"] == "q38.pm25", "real_counties"].iloc[0])
    assert pm["real_counties"].tolist() == [before_pm + 2]         # the outsider is not one of the benchmark's
    assert before_pm == own_real + int(bench.provenance.loc["q38.pm25", "real"])
    assert "对标县数" in coverage_text(cov, counted="对标县数")
