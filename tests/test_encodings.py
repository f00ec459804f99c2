"""Inputs as offices save them: the sample panel, a scenario and a resolutions file saved as GBK,
GB18030, UTF-16 (Excel "Unicode text": little-endian with BOM, tab-separated) or UTF-8 with BOM read
exactly as their UTF-8 originals, the encoding said in a note; a Chinese panel header reads as the
English one; bytes that are no text in any of these are refused, and random bytes never crash."""

import codecs
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qstrong import Panel, PanelError, score_panel
from qstrong.analysis.scenarios import load_scenario
from qstrong.intake.collect import intake
from qstrong.textfiles import GB18030, UTF8, UTF16, TextError, decoded, take_notes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "zibo_panel.csv"
SUBMISSIONS = ROOT / "data" / "sample" / "submissions"
PLAN = ROOT / "qstrong" / "data" / "scenarios" / "plan2025.yaml"
TEXT = SAMPLE.read_text(encoding="utf-8-sig")


def _saved(text: str, how: str, tabs: bool = False) -> bytes:
    """`text` as an office program saves it: gbk, gb18030, utf-16 (LE with BOM, tab-separated) or utf-8-sig."""
    if how == "utf-16":
        if tabs:
            assert "\t" not in text and '"' not in text          # a plain comma → tab swap is exact
            text = text.replace(",", "\t")
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(how)


SAID = {"gbk": GB18030, "gb18030": GB18030, "utf-16": UTF16, "utf-8-sig": UTF8}


@pytest.fixture(scope="module")
def original():
    return score_panel(Panel.from_csv(SAMPLE))


@pytest.mark.parametrize("how", list(SAID))
def test_sample_panel_saved_by_office_programs_scores_identically(tmp_path, original, how):
    p = tmp_path / f"panel_{how}.csv"
    p.write_bytes(_saved(TEXT, how, tabs=True))
    assert p.read_bytes() != TEXT.encode("utf-8")              # really another encoding
    panel = Panel.from_csv(p)
    got = score_panel(panel)
    pd.testing.assert_series_equal(got.totals, original.totals)
    pd.testing.assert_frame_equal(got.scores, original.scores)   # every indicator of every county
    notes = [str(n) for n in panel.notes]
    encoding = SAID[how]
    if encoding == UTF8:
        assert not any("编码" in n for n in notes), notes
    else:
        assert any(encoding in n and str(p) in n for n in notes), notes
    assert any("制表符" in n for n in notes) == (how == "utf-16")


def test_chinese_header_reads_as_the_english_one(tmp_path, original):
    header, rest = TEXT.split("\n", 1)
    assert header == "county,year,measure,value,source"
    p = tmp_path / "zh.csv"
    p.write_text("县（市、区）,年份,数据项,数值,数据来源\n" + rest, encoding="utf-8-sig")
    panel = Panel.from_csv(p)
    assert list(panel.data.columns[:4]) == ["county", "year", "measure", "value"] and "source" in panel.data
    pd.testing.assert_frame_equal(score_panel(panel).scores, original.scores)
    # half-width brackets (as NFKC writes them) and mixed languages for different columns are fine too
    p.write_text("县(市、区),year,数据项,value,source\n" + rest, encoding="utf-8")
    pd.testing.assert_series_equal(score_panel(Panel.from_csv(p)).totals, original.totals)


def test_a_column_named_in_both_languages_is_an_error(tmp_path):
    header, rest = TEXT.split("\n", 1)
    p = tmp_path / "twice.csv"
    p.write_text("county,year,measure,value,数值\n" + rest.replace("\n", ",1\n"), encoding="utf-8")
    with pytest.raises(PanelError) as exc:
        Panel.from_csv(p)
    assert len(exc.value.problems) == 1
    msg = str(exc.value.problems[0])
    assert "第1行" in msg and "第4列与第5列" in msg and "“value”" in msg and "数值" in msg


@pytest.mark.parametrize("how", list(SAID))
def test_scenario_saved_by_office_programs_reads_identically(tmp_path, how):
    text = PLAN.read_text(encoding="utf-8")
    p = tmp_path / f"plan_{how}.yaml"
    p.write_bytes(_saved(text, "gb18030" if how == "gbk" and not _fits_gbk(text) else how))
    take_notes()
    got = load_scenario(p)
    assert got == load_scenario(PLAN) and got.name == "规划目标2025"
    notes = take_notes()
    assert any(str(p) in n and SAID[how] in n for n in notes) == (SAID[how] != UTF8), notes


def _fits_gbk(text: str) -> bool:
    try:
        text.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False


RESOLVE = "measure,department,note\nq10.quality_funding,区财政局,以财政局决算为准\n"


@pytest.mark.parametrize("how", list(SAID))
def test_resolutions_saved_by_office_programs_settle_the_same(tmp_path, how):
    base = tmp_path / "utf8.csv"
    base.write_text(RESOLVE, encoding="utf-8")
    p = tmp_path / f"resolve_{how}.csv"
    p.write_bytes(_saved(RESOLVE.replace("measure,department,note", "数据项,部门,说明"), how, tabs=False))
    want, got = intake(SUBMISSIONS, resolutions=base), intake(SUBMISSIONS, resolutions=p)
    assert want.ok and got.ok, [str(i) for i in got.errors]
    cols = ["county", "year", "measure", "value"]
    pd.testing.assert_frame_equal(got.panel[cols], want.panel[cols])


def test_bytes_that_are_no_text_are_refused_naming_the_place():
    head = b"county,year,measure,value\n"
    with pytest.raises(TextError, match="也不是GBK/GB18030编码（第2行"):
        decoded(head + "临淄区".encode("gbk") + b"\x81\x20,2022\n", "x.csv")
    with pytest.raises(TextError, match="第2行有字符U\\+E000"):         # GBK's user-defined area: private use
        decoded(head + "临淄区".encode("gbk") + b"\xaa\xa1\n", "x.csv")
    with pytest.raises(TextError, match="第1行有字符U\\+0E01"):         # a header in Thai is no office header
        decoded("county,ก,year\n".encode("gb18030") + "临淄区".encode("gbk"), "x.csv")
    with pytest.raises(TextError, match="第1行有字符U\\+0007"):
        decoded(b"county,year\x07\n" + "临淄区".encode("gbk"), "x.csv")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data):
    try:
        got = decoded(data, "random.bin")
    except TextError as exc:
        assert exc.problems and "random.bin" in str(exc)
        return
    assert got.encoding in (UTF8, UTF16, GB18030)
    if got.encoding == GB18030:              # accepted as GB18030 only when it looks like text
        assert not any(ord(ch) < 32 and ch not in "\t\r\n" for ch in got.text)
        assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in got.text)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300).map(lambda b: "county,year,measure,value\n".encode("gbk") + b))
def test_random_panel_bytes_are_a_panel_or_listed_problems(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("rand") / "p.csv"
    p.write_bytes(data)
    try:
        Panel.from_csv(p)
    except PanelError as exc:
        assert exc.problems


def test_a_panel_written_for_people_reads_back(tmp_path, original):
    """Chinese header and measures written by their names (as tables for people show them)."""
    from qstrong.measures import load_measures

    names = {mid: m.name_zh for mid, m in load_measures().items()}
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    frame["measure"] = frame["measure"].map(names)
    assert frame["measure"].notna().all()
    p = tmp_path / "people.csv"
    text = "县（市、区）,年份,数据项,数值,数据来源\n" + frame.to_csv(index=False, header=False)
    p.write_bytes(text.encode("gbk"))
    panel = Panel.from_csv(p)
    pd.testing.assert_frame_equal(score_panel(panel).scores, original.scores)
    notes = [str(n) for n in panel.notes]
    assert any("GB18030" in n for n in notes) and any("按名称对应到数据项编号" in n for n in notes), notes


@pytest.mark.parametrize("how", list(SAID))
def test_effort_tables_saved_by_office_programs_give_the_same_path(tmp_path, how):
    from qstrong.analysis.path import cheapest_path
    from qstrong.benchmark import benchmark

    text = "measure,effort,per,note\nq32.green_design_rate,50,1 个百分点,改成很贵\n"
    base, p = tmp_path / "utf8.csv", tmp_path / f"effort_{how}.csv"
    base.write_text(text, encoding="utf-8")
    p.write_bytes(_saved(text, how, tabs=SAID[how] == UTF16))
    bench = benchmark(Panel.from_csv(SAMPLE), "临淄区", 2022, peer_panel="shandong")
    want, got = cheapest_path(bench, target=85, effort=base), cheapest_path(bench, target=85, effort=p)
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame())
    assert not want.to_frame().equals(cheapest_path(bench, target=85).to_frame())     # the table was used
