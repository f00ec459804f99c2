"""The writers (qstrong.writers): no exported cell is ever a live formula, whatever the column dtype;
numbers stay numbers; control characters and over-long texts are written visibly; outputs never land
on inputs, are written atomically, and a failing disk is a Chinese message; JSON is valid."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qstrong.cli import main
from qstrong.errors import InputError
from qstrong.export import frame_to_csv, frames_to_xlsx, to_json
from qstrong.panel import Panel
from qstrong.paths import forget_inputs, register_folder, register_input
from qstrong.writers import Output, check_outputs, safe_text, sheet_title, write_text

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+cmd|' /C calc'!A0", "-2+3+cmd", " =1+1", "\t=1", "＝1+1",
           "=", "-", "+86 533", "@", "\r=1", "\n@x", "  -1+1", "＋1", "－2", "＠A1", "\u3000=1", "\u200b=1",
           "=cmd|'/c calc'!A1", "-3.2-", "+", "@@", "−1+1"]
NUMERIC_TEXT = ["-3.2", "1e-5", "+5", "-0.5", "12", ".5"]
DTYPES = ["object", "str", "string", "category", "string[pyarrow]"]
PLAIN = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NEG = "q37.energy_intensity_reduction"      # measures.csv: -100..100, "may be negative"


@pytest.fixture(autouse=True)
def fresh_registry():
    forget_inputs()
    yield
    forget_inputs()


def as_dtype(values: list, dtype: str) -> pd.Series:
    if dtype == "string[pyarrow]":
        pytest.importorskip("pyarrow")
    s = pd.Series(values, dtype=object)
    return s if dtype == "object" else s.astype(dtype)


def expected(text: str) -> str:
    return "'" + text


def xml(text: str) -> str:
    """`text` up to line breaks: XML reads a bare CR as LF unless the writer escaped it (openpyxl with lxml
    writes ``&#13;``), so written and read texts are compared with line breaks as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def frame(dtype: str) -> pd.DataFrame:
    texts = HOSTILE + NUMERIC_TEXT
    df = pd.DataFrame({"文本": as_dtype(texts, dtype), "数值": [-3.2] * len(texts),
                       "混合": pd.Series([-3.2 if k % 2 else t for k, t in enumerate(texts)], dtype=object)})
    df.index = pd.Index(texts, name="=名称")
    return df


def read_csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def live(v: object) -> bool:
    """A text a spreadsheet could take for a formula (plain decimal numbers excepted)."""
    return (isinstance(v, str) and v.lstrip(" \u3000").startswith(("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋",
                                                                     "－", "＠", "−"))
            and not PLAIN.fullmatch(v))


# -- CSV ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_csv_neutralises_every_text_whatever_the_dtype(tmp_path, dtype):
    out = tmp_path / "t.csv"
    frame_to_csv(frame(dtype), out)
    rows = read_csv_rows(out)
    assert rows[0] == ["'=名称", "文本", "数值", "混合"]
    texts = HOSTILE + NUMERIC_TEXT
    for k, (row, text) in enumerate(zip(rows[1:], texts, strict=True)):
        want = text if text in NUMERIC_TEXT else expected(text)
        assert row[0] == want and row[1] == want, (row, text)
        assert row[2] == "-3.2"                                    # a number is never touched
        assert row[3] == ("-3.2" if k % 2 else want)
    assert not [v for row in rows for v in row if live(v)]


def test_numeric_text_keeps_its_sign_in_object_columns(tmp_path):
    """Under pandas 2 (object dtype) the old writer turned "-3.2" into "'-3.2" and broke the round trip."""
    df = pd.DataFrame({"value": pd.Series(["-3.2", "-1e-5", "+2"], dtype=object)})
    assert frame_to_csv(df, index=False, panel=True).splitlines()[1:] == ["-3.2", "-1e-5", "+2"]
    assert frame_to_csv(df, index=False).splitlines() == ["数值", "-3.2", "-1e-5", "+2"]    # for people


def _round_trip(tmp_path: Path) -> None:
    long = pd.DataFrame({"county": ["甲县", "甲县"], "year": ["2022", "2022"], "measure": [NEG, "q41.tech_trade"],
                         "value": ["-3.2", "1e-5"], "remark": ["=1+1", "-2+3+cmd"]})
    out = tmp_path / "panel.csv"
    frame_to_csv(long, out, index=False, panel=True)
    panel = Panel.from_csv(out)
    got = panel.data.set_index("measure")
    assert got.loc[NEG, "value"] == -3.2 and got.loc["q41.tech_trade", "value"] == 1e-5
    assert list(got["raw"]) == ["-3.2", "1e-5"]
    assert list(got["remark"]) == ["'=1+1", "'-2+3+cmd"]


def test_panel_csv_with_a_negative_value_round_trips(tmp_path):
    _round_trip(tmp_path)


def test_panel_csv_round_trip_with_pandas_2_strings(tmp_path):
    if "infer_string" not in dir(pd.options.future):
        pytest.skip("this pandas has no future.infer_string option")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                # pandas 3 deprecates the option it still honours
        with pd.option_context("future.infer_string", False):
            assert pd.Series(["x"]).dtype == object
            _round_trip(tmp_path)


# -- xlsx -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_xlsx_has_no_formula_and_keeps_numbers(tmp_path, dtype):
    out = tmp_path / "t.xlsx"
    frames_to_xlsx({"=表": frame(dtype), "@SUM(1)": frame(dtype)}, out)
    texts = HOSTILE + NUMERIC_TEXT
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["_=表", "_@SUM(1)"]
    for ws in wb.worksheets:
        cells = [c for row in ws.iter_rows() for c in row]
        assert [c for c in cells if c.data_type == "f"] == []
        assert [c.value for c in cells if live(c.value)] == []
        assert [c.value for c in ws[1]] == ["'=名称", "文本", "数值", "混合"]
        for k, text in enumerate(texts):
            want = xml(text if text in NUMERIC_TEXT else expected(text))
            a, b, c, d = ws[k + 2]
            assert (xml(a.value), xml(b.value)) == (want, want) and a.data_type == b.data_type == "s"
            assert c.value == -3.2 and c.data_type == "n"
            assert (xml(d.value), d.data_type) == ((-3.2, "n") if k % 2 else (want, "s"))
    cal = python_calamine.CalamineWorkbook.from_path(str(out))
    rows = cal.get_sheet_by_name("_=表").to_python()
    assert [v for row in rows for v in row if live(v)] == []
    assert [xml(row[1]) for row in rows[1:]] == [xml(t if t in NUMERIC_TEXT else expected(t)) for t in texts]
    assert {row[2] for row in rows[1:]} == {-3.2}


def test_xlsx_text_is_a_string_cell_even_without_the_quote(tmp_path, monkeypatch):
    """The second guard: openpyxl would store "=1+1" as a formula; the writer forces a string cell."""
    import qstrong.writers.xlsx as xlsx

    monkeypatch.setattr(xlsx, "cell_value", lambda v: v)
    out = frames_to_xlsx({"s": pd.DataFrame({"t": ["=1+1", '=HYPERLINK("http://x")']})}, tmp_path / "s.xlsx",
                         index=False)
    cells = [openpyxl.load_workbook(out)["s"].cell(r, 1) for r in (2, 3)]
    assert [(c.value, c.data_type) for c in cells] == [("=1+1", "s"), ('=HYPERLINK("http://x")', "s")]


def test_labels_and_sheet_names(tmp_path):
    used: set[str] = set()
    names = [sheet_title(n, used) for n in ["a/b:c", "=x", "History", "x" * 40, "x" * 40, "'q'", "", "A/B:C"]]
    assert names == ["a_b_c", "_=x", "History_", "x" * 31, "x" * 28 + "（2）", "q", "Sheet7", "A_B_C（2）"]
    df = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("=a", "b"), ("c", "@d")]))
    out = frames_to_xlsx({"s": df}, tmp_path / "m.xlsx", index=False)
    assert [c.value for c in openpyxl.load_workbook(out)["s"][1]] == ["'=a／b", "c／@d"]


def test_control_characters_and_long_texts_are_written_visibly(tmp_path):
    long = "长" * 40_000
    df = pd.DataFrame({"佐证材料": ["响铃\x07转义\x1b空\x00", long, "\ud800坏"]})
    notes: list[str] = []
    out = frames_to_xlsx({"逐格记录": df}, tmp_path / "r.xlsx", index=False, notes=notes)
    ws = openpyxl.load_workbook(out)["逐格记录"]
    assert ws["A2"].value == "响铃\\x07转义\\x1b空\\x00"
    assert ws["A4"].value == "\\ud800坏"
    cut = ws["A3"].value
    assert len(cut) == 32_767 and cut.endswith("…［已截断，原文共40000字］") and cut.startswith("长" * 100)
    assert notes == ["工作表“逐格记录”A3（“佐证材料”列）的文字共40000字，超过Excel单元格上限32767字，已截断并在格中注明"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=20), min_size=1, max_size=20))
def test_any_text_is_written_and_never_live(tmp_path, texts):
    df = pd.DataFrame({"t": texts})
    ws = openpyxl.load_workbook(frames_to_xlsx({"h": df}, tmp_path / "h.xlsx", index=False))["h"]
    cells = [ws.cell(k + 2, 1) for k in range(len(texts))]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [xml(c.value or "") for c in cells] == [xml(safe_text(t)) for t in texts]
    frame_to_csv(df, tmp_path / "h.csv", index=False)
    assert [r[0] if r else "" for r in read_csv_rows(tmp_path / "h.csv")[1:]] == [safe_text(t) for t in texts]
    for t in texts:
        s = safe_text(t)
        assert not live(s) or PLAIN.fullmatch(s), s
        if not CONTROL.search(t):
            assert s in (t, "'" + t)                  # nothing but the quote is ever added


# -- JSON -----------------------------------------------------------------------------------------

def test_json_has_no_nan_or_infinity():
    text = to_json({"a": float("nan"), "b": [np.float64("inf"), -np.inf, np.int64(3)], "c": {"d": pd.NA}})
    def refuse(name):
        raise AssertionError(name)
    assert json.loads(text, parse_constant=refuse) == {"a": None, "b": [None, None, 3], "c": {"d": None}}


def test_json_text_is_visible_and_stays_valid(tmp_path):
    from qstrong.cli.common import _emit

    out = tmp_path / "t.json"
    _emit(to_json({"名\x85": ["x\x85\x07\x1b", "\ud800"]}), str(out))
    assert json.loads(out.read_text(encoding="utf-8")) == {"名\\x85": ["x\\x85\\x07\\x1b", "\\ud800"]}


def test_screen_output_cannot_drive_the_terminal(capsys):
    from qstrong.cli.common import _emit

    _emit("县名\x1b[2J\x1b]0;title\x07", None)
    assert capsys.readouterr().out == "县名\\x1b[2J\\x1b]0;title\\x07\n"


def test_repeated_labels_and_mixed_columns():
    df = pd.DataFrame([["=a", 1, "@b"]], columns=["=x", "=x", 3])
    assert frame_to_csv(df, index=False).splitlines() == ["'=x,'=x,3", "'=a,1,'@b"]


# -- the file system ------------------------------------------------------------------------------

def _refused(call, *fragments: str) -> str:
    with pytest.raises(InputError) as exc:
        call()
    text = exc.value.report()
    assert text.startswith("无法写出结果"), text
    for f in fragments:
        assert f in text, (f, text)
    return text


WRITERS = {
    "csv": lambda p: frame_to_csv(pd.DataFrame({"a": [1]}), p),
    "xlsx": lambda p: frames_to_xlsx({"a": pd.DataFrame({"a": [1]})}, p),
    "text": lambda p: write_text(p, "内容"),
}


@pytest.mark.parametrize("kind", WRITERS)
def test_never_over_a_registered_input(tmp_path, kind):
    src = tmp_path / "panel.csv"
    src.write_bytes(b"county,year,measure,value\n")
    register_input(src)
    _refused(lambda: WRITERS[kind](src), "是本次读取的输入文件，不能覆盖", str(src))
    assert src.read_bytes() == b"county,year,measure,value\n"
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    _refused(lambda: WRITERS[kind](link), "不能覆盖")
    assert src.read_bytes() == b"county,year,measure,value\n"


@pytest.mark.parametrize("kind", WRITERS)
def test_a_hard_link_to_an_input_is_replaced_not_written_through(tmp_path, kind):
    src = tmp_path / "panel.csv"
    src.write_bytes(b"original")
    register_input(src)
    other = tmp_path / "other.csv"
    os.link(src, other)
    WRITERS[kind](other)
    assert src.read_bytes() == b"original" and other.read_bytes() != b"original"


@pytest.mark.parametrize("kind", WRITERS)
def test_never_inside_a_folder_being_read(tmp_path, kind):
    folder = tmp_path / "报送"
    (folder / "sub").mkdir(parents=True)
    (folder / "区统计局.xlsx").write_bytes(b"PK original")
    register_folder(folder)
    _refused(lambda: WRITERS[kind](folder / "区统计局.xlsx"), "位于正在读取的目录", "不能写入")
    _refused(lambda: WRITERS[kind](folder / "sub" / "new.csv"), "位于正在读取的目录")
    assert (folder / "区统计局.xlsx").read_bytes() == b"PK original"
    assert sorted(p.name for p in folder.rglob("*")) == ["sub", "区统计局.xlsx"]


@pytest.mark.parametrize("kind", WRITERS)
def test_missing_or_unwritable_places(tmp_path, kind, monkeypatch):
    _refused(lambda: WRITERS[kind](tmp_path / "无此目录" / "x.out"), "不存在", "无此目录")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    _refused(lambda: WRITERS[kind](tmp_path / "file" / "x.out"), "不是目录")
    _refused(lambda: WRITERS[kind](tmp_path), "是一个目录")
    ro = tmp_path / "只读"
    ro.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == ro else real_access(p, mode))
    _refused(lambda: WRITERS[kind](ro / "x.out"), "没有写入权限", "只读")
    assert list(ro.iterdir()) == []


def test_a_failing_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    out.write_text("旧内容", encoding="utf-8")
    os.chmod(out, 0o640)

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "replace", full)
    _refused(lambda: frame_to_csv(pd.DataFrame({"a": [1]}), out), "磁盘空间已满", str(out))
    monkeypatch.undo()
    assert out.read_text(encoding="utf-8") == "旧内容" and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    frame_to_csv(pd.DataFrame({"a": [1]}), out)
    assert out.read_text(encoding="utf-8-sig") == "a\n1\n" and (out.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize("code, words", [(errno.ENOENT, "不存在"), (errno.EACCES, "没有写入权限"),
                                         (errno.EROFS, "只读"), (errno.ENOSPC, "磁盘空间已满"),
                                         (errno.ENAMETOOLONG, "过长"), (errno.EIO, "写入失败（Input/output error）")])
def test_os_errors_while_writing_are_chinese_sentences(tmp_path, monkeypatch, code, words):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr("tempfile.mkstemp", fail)
    out = tmp_path / "报告.xlsx"
    _refused(lambda: frames_to_xlsx({"a": pd.DataFrame({"a": [1]})}, out), words, f"“{out}”")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_builder_leaves_no_temporary(tmp_path):
    class Boom:
        def __str__(self):
            raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        frames_to_xlsx({"a": pd.DataFrame({"a": [Boom()]})}, tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_several_outputs_checked_at_once(tmp_path):
    text = _refused(lambda: check_outputs(Output(tmp_path / "r.csv", "收集报告", (".xlsx", ".html")),
                                          Output(tmp_path / "a.csv", "面板"), Output(tmp_path / "a.csv", "未填报清单"),
                                          Output(tmp_path / "no" / "c.csv", "清单"), Output(None, "未指定")),
                    "扩展名应为 .xlsx 或 .html", "是同一个路径", "不存在")
    assert "  3. " in text and "  4. " not in text


# -- through the command line ---------------------------------------------------------------------

def test_cli_text_output_into_a_missing_directory(tmp_path, capsys):
    assert main(["catalog", "--format", "json", "--out", str(tmp_path / "无" / "c.json")]) == 2
    err = capsys.readouterr().err
    assert "无法写出结果" in err and "不存在" in err and "Traceback" not in err
    assert not (tmp_path / "无").exists()


def test_cli_json_and_table_outputs_are_written(tmp_path, capsys):
    assert main(["catalog", "--format", "json", "--out", str(tmp_path / "c.json")]) == 0
    assert len(json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))) == 43
    assert main(["measures", "--out", str(tmp_path / "m.txt")]) == 0
    assert "q37.energy_intensity_reduction" in (tmp_path / "m.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "m.txt"]


def test_cli_refuses_an_output_extension_before_working(tmp_path, capsys):
    panel = Path(__file__).resolve().parents[1] / "data" / "sample" / "zibo_panel.csv"
    r = main(["gaps", str(panel), "--county", "临淄区", "--out", str(tmp_path / "g.txt")])
    err = capsys.readouterr().err
    assert r == 2 and "扩展名应为 .xlsx 或 .csv" in err and "g.txt" in err
    assert list(tmp_path.iterdir()) == []
