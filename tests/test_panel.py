"""Panel input: every problem collected, located and reported in Chinese; values normalised."""

import numpy as np
import pandas as pd
import pytest

from qstrong.panel import Panel, PanelError


def write(tmp_path, text: str, bom: bool = False):
    p = tmp_path / "panel.csv"
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return p


def test_bom_csv_and_value_kinds(tmp_path):
    p = write(tmp_path, "county,year,measure,value\n"
                        "临淄区,2022,q01.spirit_in_official_docs,是\n"
                        "临淄区,2022,q02.development_model,FALSE\n"
                        "临淄区,2022,q03.mass_activities,有\n"
                        "临淄区,2022,q03.publicity,0\n"
                        "临淄区,2022,q05.event_level,省级\n"
                        "临淄区,2022,q27.status_analysis,published_regularly\n"
                        "临淄区,2022,q17.class_a_coverage,95.5\n"
                        "临淄区,2022,q04.national_commendations,３\n", bom=True)
    panel = Panel.from_csv(p)
    w = panel.wide(2022)
    assert w.loc["临淄区", "q01.spirit_in_official_docs"] == 1.0
    assert w.loc["临淄区", "q02.development_model"] == 0.0
    assert w.loc["临淄区", "q03.mass_activities"] == 1.0
    assert w.loc["临淄区", "q03.publicity"] == 0.0
    assert w.loc["临淄区", "q05.event_level"] == 1.0          # national|provincial|none → index 1
    assert w.loc["临淄区", "q27.status_analysis"] == 0.0
    assert w.loc["临淄区", "q17.class_a_coverage"] == 95.5
    assert w.loc["临淄区", "q04.national_commendations"] == 3.0  # full-width digit
    assert np.isnan(w.loc["临淄区", "q06.coordination_body"])   # not reported → missing


def test_all_problems_reported_together(tmp_path):
    p = write(tmp_path, "county,year,measure,value\n"
                        "临淄区,2022,q04.national_comendations,1\n"     # 2: unknown (typo)
                        "临淄区,2022,q01.spirit_in_official_docs,也许\n"  # 3: not a bool
                        "临淄区,2022,q17.class_a_coverage,101\n"          # 4: outside 0..100
                        "临淄区,2022,q04.provincial_commendations,1.5\n"  # 5: count not whole
                        "临淄区,2022,q10.public_expenditure,0\n"          # 6: must be > 0
                        "临淄区,2022,q05.event_level,市级\n"              # 7: unknown level
                        "临淄区,二〇二二,q03.publicity,是\n"              # 8: bad year
                        "临淄区,2022,q23.sampled,5\n"                     # 9
                        "临淄区,2022,q23.sampled_compliant,6\n"           # 10: > sampled
                        "临淄区,2022,q07.work_plan,是\n"                  # 11
                        "临淄区,2022,q07.work_plan,否\n"                  # 12: conflicting duplicate
                        "临淄区,2022,q08.credit_policy,是\n"              # 13
                        "临淄区,2022,q08.credit_policy,是\n")             # 14: identical duplicate: fine
    with pytest.raises(PanelError) as err:
        Panel.from_csv(p)
    problems = err.value.problems
    lines = sorted(pr.line for pr in problems if pr.line is not None)
    assert lines == [2, 3, 4, 5, 6, 7, 8, 10]
    text = err.value.report()
    assert text.startswith("输入数据有9处问题")
    assert "是否应为 q04.national_commendations" in text
    assert "“也许”不是是/否值" in text
    assert "101超出允许范围" in text
    assert "不是整数" in text
    assert "大于0" in text
    assert "“市级”不是可选等级" in text
    assert "年份“二〇二二”不是整数年份" in text
    assert "不能大于随机抽查的规上企业数" in text
    assert "第11、12行" in text and "取值不同" in text
    assert all("临淄区" in str(pr) for pr in problems)


def test_missing_column_and_missing_file(tmp_path):
    p = write(tmp_path, "county,year,value\n临淄区,2022,1\n")
    with pytest.raises(PanelError, match="缺少必需的列：measure"):
        Panel.from_csv(p)
    with pytest.raises(PanelError, match="文件不存在"):
        Panel.from_csv(tmp_path / "nope.csv")


def test_gbk_is_read_and_said_bytes_that_are_no_text_refused(tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes("county,year,measure,value\n临淄区,2022,gdp,1\n".encode("gbk"))
    panel = Panel.from_csv(p)
    assert panel.counties == ["临淄区"] and "GB18030" in str(panel.notes[0])
    p.write_bytes("county,year,measure,value\n临淄区,2022,gdp,1\n".encode("gbk") + b"\xff\xff\n")
    with pytest.raises(PanelError, match="不是UTF-8编码，也不是GBK/GB18030编码（第3行"):
        Panel.from_csv(p)


def test_dataframe_input_with_typed_values():
    df = pd.DataFrame({"county": ["甲", "甲", "甲"], "year": [2022, 2022, 2022],
                       "measure": ["q01.spirit_in_official_docs", "gdp", "q05.event_level"],
                       "value": [True, 123.5, "national"]})
    w = Panel.from_frame(df).wide(2022)
    assert w.loc["甲", "q01.spirit_in_official_docs"] == 1.0
    assert w.loc["甲", "gdp"] == 123.5
    assert w.loc["甲", "q05.event_level"] == 0.0


def test_empty_value_is_missing_not_error():
    df = pd.DataFrame({"county": ["甲"], "year": [2022], "measure": ["gdp"], "value": [""]})
    assert np.isnan(Panel.from_frame(df).wide(2022).loc["甲", "gdp"])
