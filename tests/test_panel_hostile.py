"""The panel CSV boundary against hostile and sloppy files: one place where values come from, names
normalised once, odd but legal content never a traceback — and every problem with its line."""

from __future__ import annotations

import codecs
import hashlib
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstrong.cli import main
from qstrong.measures import load_measures
from qstrong.panel import Panel, PanelError
from qstrong.paths import forget_inputs

HEAD = "county,year,measure,value\n"
NUM = "q41.tech_trade"            # number ≥ 0 (亿元)
NEG = "q37.energy_intensity_reduction"  # percent −100..100
COUNT = "q04.national_commendations"


@pytest.fixture(autouse=True)
def _fresh_registry():
    forget_inputs()
    yield
    forget_inputs()


def write(tmp_path, text: str | bytes, name: str = "panel.csv"):
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def problems(p) -> list[str]:
    with pytest.raises(PanelError) as exc:
        Panel.from_csv(p)
    return [str(x) for x in exc.value.problems]


def digest(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


# -- names: one county however it is spelt -------------------------------------------------------

@pytest.mark.parametrize("spelling", ["临淄\u200b区", "临淄区\u00a0", "\ufeff临淄区", " 临淄 区 ", "临淄区\u2060",
                                      "临淄区\u200d", "临淄区\t", "臨淄区".replace("臨", "临") + "\u3000"])
def test_invisible_characters_do_not_make_a_second_county(tmp_path, spelling):
    p = write(tmp_path, HEAD + f"临淄区,2022,{NUM},1\n{spelling},2022,{COUNT},2\n张店区,2022,{NUM},3\n")
    panel = Panel.from_csv(p)
    assert panel.counties == ["临淄区", "张店区"]
    w = panel.wide(2022)
    assert w.loc["临淄区", NUM] == 1 and w.loc["临淄区", COUNT] == 2
    if spelling.strip() != "临淄区":
        assert panel.notes and "已规范为“临淄区”" in str(panel.notes[0]) and "第3行" in str(panel.notes[0])


def test_measure_ids_are_normalised_too(tmp_path):
    p = write(tmp_path, HEAD + f"临淄区,2022,{NUM}\u200b,1\n临淄区,2022,\uff51{COUNT[1:]},2\n")
    w = Panel.from_csv(p).wide(2022)
    assert w.loc["临淄区", NUM] == 1 and w.loc["临淄区", COUNT] == 2


def test_a_name_of_only_invisible_characters_is_empty(tmp_path):
    msgs = problems(write(tmp_path, HEAD + f"\u200b\u00a0,2022,{NUM},1\n"))
    assert any("第2行" in m and "名称为空" in m for m in msgs)


def test_spellings_that_collide_with_different_values_are_a_conflict(tmp_path):
    msgs = problems(write(tmp_path, HEAD + f"临淄区,2022,{NUM},1\n临淄\u200b区,2022,{NUM},2\n"))
    assert any("第2、3行" in m and "取值不同" in m for m in msgs)


# -- where a value comes from: never a guess -----------------------------------------------------

@pytest.mark.parametrize("header", ["county,year,measure,value,value", "county,year,measure,value,Value",
                                    "county,year,measure,value,value\u200b", "county,year,measure,value, VALUE ",
                                    "county,county,year,measure,value", "county,year,measure,value,ｖａｌｕｅ"])
def test_a_column_named_twice_is_an_error(tmp_path, header):
    n = header.count(",") + 1
    row = ",".join(["临淄区", "2022", NUM, "1", "2"][:n]) if not header.startswith("county,county") else \
        f"临淄区,临淄区,2022,{NUM},1"
    p = write(tmp_path, header + "\n" + row + "\n")
    before = digest(p)
    msgs = problems(p)
    assert len(msgs) == 1 and "第1行" in msgs[0] and "列名都是" in msgs[0] and "无法确定取哪一列" in msgs[0]
    assert digest(p) == before


def test_a_nameless_column_with_content_is_an_error_but_empty_trailing_columns_are_fine(tmp_path):
    ok = write(tmp_path, HEAD.strip() + ",,\n" + f"临淄区,2022,{NUM},1,,\n,,,,,\n", "ok.csv")
    assert Panel.from_csv(ok).wide(2022).loc["临淄区", NUM] == 1
    msgs = problems(write(tmp_path, HEAD.strip() + ",\n" + f"临淄区,2022,{NUM},1,\n临淄区,2022,{COUNT},1,7\n"))
    assert msgs == [next(m for m in msgs if "第3行" in m and "第5列没有列名" in m and "“7”" in m)]


def test_a_row_longer_than_the_header_is_an_error(tmp_path):
    msgs = problems(write(tmp_path, HEAD + f"临淄区,2022,{NUM},1,2\n临淄区,2022,{COUNT},\"1\",\n"))
    assert len(msgs) == 1 and "第2行" in msgs[0] and "多出的内容“2”" in msgs[0]


# -- numbers that are not what they look like ----------------------------------------------------

@pytest.mark.parametrize("raw,fragment", [("2 3", "不是数字"), ("44 .01", "不是数字"), ("1²", "特殊字符“²”"),
                                          ("₁₂", "特殊字符"), ("①", "特殊字符"), ("½", "特殊字符"),
                                          ("١٢", "不是数字"), ("1e400", "不是有限数字"), ("nan", "不是数字"),
                                          ("inf", "不是数字"), ("0x10", "不是数字"), ("1_000", "不是数字"),
                                          ("12,5", "不是数字"), ("--1", "不是数字"), ("1.2.3", "不是数字")])
def test_numbers_that_are_not_plain_are_refused(tmp_path, raw, fragment):
    msgs = problems(write(tmp_path, HEAD + f"临淄区,2022,{NUM},\"{raw}\"\n"))
    assert len(msgs) == 1 and "第2行" in msgs[0] and fragment in msgs[0], msgs


@pytest.mark.parametrize("raw,value", [("１２", 12.0), (" 12 ", 12.0), ("12\u200b", 12.0), ("1e3", 1000.0),
                                       ("+4.5", 4.5), (".5", 0.5)])
def test_sloppy_but_unambiguous_numbers_are_read(tmp_path, raw, value):
    w = Panel.from_csv(write(tmp_path, HEAD + f"临淄区,2022,{NUM},{raw}\n")).wide(2022)
    assert w.loc["临淄区", NUM] == value


# -- odd but legal content -----------------------------------------------------------------------

@pytest.mark.parametrize("year,fragment", [("1e20", "超出范围"), ("99999999999999999999", "超出范围"),
                                           ("-2022", "超出范围"), ("2022.5", "不是整数年份"), ("inf", "不是整数年份"),
                                           ("nan", "不是整数年份"), ("", "不是整数年份"), ("1899", "超出范围")])
def test_odd_years_are_problems_not_crashes(tmp_path, year, fragment):
    msgs = problems(write(tmp_path, HEAD + f"临淄区,{year},{NUM},1\n"))
    assert len(msgs) == 1 and "第2行" in msgs[0] and fragment in msgs[0], msgs


def test_year_written_as_float_is_a_year(tmp_path):
    assert Panel.from_csv(write(tmp_path, HEAD + f"临淄区,2022.0,{NUM},1\n")).years == [2022]


@pytest.mark.parametrize("data,fragment", [
    (HEAD.encode() + "临淄区,2022,q41.tech_trade,1\n".encode("gbk") + b"\x81\x20\n", "也不是GBK/GB18030编码（第3行"),
    (b"county,year,measure,value\n\x00\x01\x02", "NUL"),
    (b"PK\x03\x04" + bytes(range(256)) * 4, "不是UTF-8"),
    (b"", "文件为空"),
])
def test_files_that_are_not_utf8_csv(tmp_path, data, fragment):
    msgs = problems(write(tmp_path, data))
    assert len(msgs) == 1 and fragment in msgs[0], msgs


def test_utf16_with_bom_is_read(tmp_path):
    p = write(tmp_path, codecs.BOM_UTF16_LE + (HEAD + f"临淄区,2022,{NUM},5\n").encode("utf-16-le"))
    assert Panel.from_csv(p).wide(2022).loc["临淄区", NUM] == 5


def test_a_directory_or_missing_file(tmp_path):
    assert "不是普通文件" in problems(tmp_path)[0]
    assert "文件不存在" in problems(tmp_path / "nope.csv")[0]


@pytest.mark.parametrize("sep,name", [(";", "分号"), ("\t", "制表符")])
def test_other_separators_are_named(tmp_path, sep, name):
    msgs = problems(write(tmp_path, sep.join(["county", "year", "measure", "value"]) + "\n临淄区" + sep + "2022\n"))
    assert len(msgs) == 1 and "第1行" in msgs[0] and f"用的是{name}" in msgs[0]


def test_row_problems_and_value_problems_are_listed_together(tmp_path):
    msgs = problems(write(tmp_path, HEAD + f"临淄区,2022,{COUNT},(3)\n临淄区,2022,{NUM},1,234\n临淄区,2030x,{NUM},1\n"))
    assert len(msgs) == 3 and "第2行" in msgs[0] and "第3行" in msgs[1] and "第4行" in msgs[2]


def test_twenty_thousand_unknown_ids_are_all_kept_but_the_report_is_bounded(tmp_path):
    rows = "".join(f"临淄区,2022,q99.unknown_{k % 50},1\n" for k in range(20_000))
    with pytest.raises(PanelError) as exc:
        Panel.from_csv(write(tmp_path, HEAD + rows))
    assert len(exc.value.problems) == 20_000
    text = exc.value.report()
    assert text.count("\n") == 201 and "另有19800处问题未列出（共20000处）" in text


# -- the command line: exit 2, Chinese, no traceback, input unchanged ----------------------------

@pytest.mark.parametrize("text", [HEAD.strip() + ",value\n临淄区,2022,q41.tech_trade,1,2\n",
                                  HEAD + "临淄区,1e20,q41.tech_trade,1\n",
                                  HEAD + "临淄区,2022,q04.national_commendations,2 3\n"])
def test_cli_refuses_with_exit_2(tmp_path, capsys, text):
    p = write(tmp_path, text)
    before = digest(p)
    assert main(["score", str(p), "--county", "临淄区"]) == 2
    err = capsys.readouterr().err
    assert "输入数据有1处问题" in err and "第" in err and "Traceback" not in err
    assert digest(p) == before


def test_cli_scores_one_county_whatever_the_spelling(tmp_path, capsys):
    p = write(tmp_path, HEAD + f"临淄区,2022,{NUM},1\n临淄\u200b区,2022,{COUNT},3\n张店区,2022,{NUM},2\n")
    assert main(["score", str(p), "--all", "--format", "csv"]) == 0
    out = capsys.readouterr()
    assert out.out.count("临淄区") == 1 and "张店区" in out.out
    assert "提醒：" in out.err and "第3行" in out.err and "U+200B" in out.err and "已规范为“临淄区”" in out.err


# -- fuzz: never a traceback; an accepted value is what the cell says --------------------------

MEASURES = load_measures()
FIELD = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["临淄区", "张店区", "临淄\u200b区", ""]) | FIELD,
                               st.sampled_from(["2022", "2021"]) | FIELD,
                               st.sampled_from([NUM, COUNT, NEG, "q01.spirit_in_official_docs"]) | FIELD,
                               FIELD | st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True)),
                     min_size=1, max_size=8))
def test_fuzz_panel_reader(tmp_path, rows):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["county", "year", "measure", "value"], *rows])
    p = write(tmp_path, buf.getvalue(), "fuzz.csv")
    try:
        panel = Panel.from_csv(p)
    except PanelError as exc:
        assert exc.problems
        return
    for _, r in panel.data.iterrows():
        m = MEASURES[r["measure"]]
        if m.kind in ("count", "number", "percent") and not math.isnan(r["value"]):
            shown = r["raw"].strip().replace("\u200b", "")
            assert np.isclose(float(shown.translate({0xFF10 + d: 0x30 + d for d in range(10)})
                                   .translate({0xFF0E: 0x2E, 0xFF0D: 0x2D, 0xFF0B: 0x2B})), r["value"]), r


def test_names_neutralised_on_export_read_back_as_they_were(tmp_path):
    import pandas as pd

    from qstrong.export import frame_to_csv

    frame = pd.DataFrame({"county": ["=甲县", "@乙县", "-丙县", "丁县"], "year": [2022] * 4,
                          "measure": [NUM] * 4, "value": ["1", "-0", "2", "3"]})
    p = tmp_path / "out.csv"
    frame_to_csv(frame.set_index("county"), p)
    assert "'=甲县" in p.read_text(encoding="utf-8-sig")          # written neutralised …
    assert Panel.from_csv(p).counties == ["=甲县", "@乙县", "-丙县", "丁县"]   # … read back as it was


def test_every_normalisation_is_said_and_short_rows_are_refused(tmp_path):
    p = write(tmp_path, HEAD + f"临淄区 ,2022\u200b,{NUM},1\n临淄区,２０２２,{COUNT},1\n")
    notes = [str(n) for n in Panel.from_csv(p).notes]
    assert any("“临淄区 ”" in n and "第2行" in n for n in notes)                 # outer space too
    assert any("年份" in n and "第2行" in n for n in notes) and any("年份“２０２２”" in n for n in notes)
    msgs = problems(write(tmp_path, HEAD + f"临淄区,2022,{COUNT}\n", "short.csv"))
    assert len(msgs) == 1 and "只有3个字段" in msgs[0] and "value" in msgs[0]
