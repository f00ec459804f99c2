"""Intake's other inputs under hostile conditions (issue 10, class 7 and 9): the folder walked without
following links, special and unreadable files, the input registry, the resolutions file, and the
evidence rule on the command line. The workbook corpus itself is tests/test_intake_hostile.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import test_intake_corpus as corpus
from test_intake_corpus import CATALOG, CONFLICT_NUM, COUNT, PCT, ROOT, TECH, hashes, owner, tfile

from qstrong.errors import InputError
from qstrong.intake import layout as L
from qstrong.intake.collect import intake, load_resolutions
from qstrong.intake.fill import fill_template
from qstrong.intake.model import MAX_LISTED
from qstrong.paths import check_output, forget_inputs

T = corpus.T                                 # the corpus' templates fixture
MKT = owner(PCT)
NOTE = "提醒"


# ---------------------------------------------------------------------------------------------
# 7. the file system: links, special files, unreadable files; inputs registered


@pytest.fixture
def registry():
    forget_inputs()
    yield
    forget_inputs()


def good_file(T, folder: Path, dept: str = TECH, mid: str = COUNT, value=3) -> None:
    fill_template(T.path(dept), folder / tfile(dept), {mid: value}, evidence="统计年报")


def regular_hashes(folder: Path) -> dict[str, str]:
    return {k: v for k, v in hashes(folder).items() if not (folder / k).is_symlink()}


def test_links_and_special_files_are_never_followed(T, tmp_path, registry):
    folder, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    good_file(T, folder)
    good_file(T, elsewhere, MKT, PCT, 0.9)                     # outside: must never be read
    (folder / "passwd.xlsx").symlink_to("/etc/passwd")
    (folder / "外部目录").symlink_to(elsewhere, target_is_directory=True)
    (folder / "dangling.xlsx").symlink_to(tmp_path / "gone.xlsx")
    (folder / "copy.xlsx").symlink_to(folder / tfile(TECH))
    os.mkfifo(folder / "pipe.xlsx")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.xlsx"))
    before = regular_hashes(folder)
    try:
        res = intake(folder)
    finally:
        sock.close()
    assert regular_hashes(folder) == before
    errors = {i.file: i.message for i in res.errors}
    notes = {i.file: i.message for i in res.issues if i.level == NOTE}
    assert "符号链接指向目录之外的“/etc/passwd”，为安全起见不予读取" in errors["passwd.xlsx"]
    assert f"符号链接指向目录之外的“{elsewhere}”" in errors["外部目录"]
    assert "符号链接指向不存在的目标" in notes["dangling.xlsx"]
    assert "符号链接指向目录内的文件“区科技局.xlsx”，已跳过" in notes["copy.xlsx"]
    assert "不是普通文件（命名管道（FIFO）），已跳过" in notes["pipe.xlsx"]
    assert "不是普通文件（套接字（socket）），已跳过" in notes["sock.xlsx"]
    assert [b.info.name for b in res.books] == [tfile(TECH)]   # no duplicate from the link, nothing outside
    assert list(zip(res.panel.measure, res.panel.value, strict=True)) == [(COUNT, "3")]
    assert "[错误] 文件“passwd.xlsx”：" in res.report()


def test_an_unreadable_file_is_one_problem_among_the_others(T, tmp_path, monkeypatch, registry):
    good_file(T, tmp_path)
    good_file(T, tmp_path, MKT, PCT, 0.9)
    real_open = Path.open

    def deny(self, *a, **kw):
        if self.name == tfile(MKT):
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *a, **kw)
    monkeypatch.setattr(Path, "open", deny)
    res = intake(tmp_path)
    assert [(i.file, i.message) for i in res.errors] == [
        (tfile(MKT), "无法读取文件（Permission denied）：请检查文件权限后重新报送")]
    assert list(zip(res.panel.measure, res.panel.value, strict=True)) == [(COUNT, "3")]


def test_everything_read_is_registered_so_no_writer_lands_there(T, tmp_path, registry):
    folder = tmp_path / "in"
    folder.mkdir()
    good_file(T, folder)
    rfile = tmp_path / "裁定.csv"
    rfile.write_text("measure,value,note\n", encoding="utf-8")
    intake(folder, resolutions=rfile)
    for target, fragment in ((folder / "panel.csv", "位于正在读取的目录"), (rfile, "是本次读取的输入文件"),
                             (folder / tfile(TECH), "是本次读取的输入文件")):
        with pytest.raises(InputError) as exc:
            check_output(target)
        assert fragment in str(exc.value)


# ---------------------------------------------------------------------------------------------
# the resolutions file: one more input, its problems among the others


def resolve(T, tmp_path, data: bytes, **kw):
    folder = tmp_path / "in"
    folder.mkdir()
    a, b, c, e = corpus._conflict_folder(T, folder)
    rfile = tmp_path / "裁定.csv"
    rfile.write_bytes(data)
    before = hashes(folder) | {"r": hashes(tmp_path)["裁定.csv"]}
    res = intake(folder, resolutions=rfile, **kw)
    assert hashes(folder) | {"r": hashes(tmp_path)["裁定.csv"]} == before
    return res, (a, b, c, e), rfile


@pytest.mark.parametrize("data, fragment, cell", [
    # GBK alone is read (with a note, tests/test_encodings.py); GBK with bytes no encoding reads is refused
    ("measure,department,note\nq09.funded.brand,区财政局,以预算为准\n".encode("gbk") + b"\x81\x20\n",
     "裁定文件不是UTF-8编码", ""),
    (b"measure,value\nq09.funded.brand,\xff\xfe\xfa\n", "裁定文件不是UTF-8编码", ""),
    ("指标,部门\nq09.funded.brand,区财政局\n".encode(), "裁定文件缺少 measure 列（表头为：指标,部门）", "第1行"),
    (b"", "裁定文件是空的", ""),
    ("measure,value\nq09.funded.brnd,是\n".encode(), "未知的数据项编号“q09.funded.brnd”", "第2行"),
    ("measure,department\nq09.funded.brand,区宣传部\n".encode(), "部门“区宣传部”不是已知的责任部门", "第2行"),
    ("measure,value,Value,note\nq09.funded.brand,是,否,x\n".encode(), "第2列与第3列的列名都是“value”", "第1行"),
    ("measure,department,note\nq09.funded.brand,区财政局,x,区统计局\n".encode(), "多出的内容“区统计局”", "第2行"),
], ids=["gbk", "broken_bytes", "no_measure_column", "empty", "unknown_measure", "unknown_department",
        "value_column_twice", "row_longer_than_header"])
def test_bad_resolutions_file_is_reported_not_raised(T, tmp_path, data, fragment, cell, registry):
    res, _, rfile = resolve(T, tmp_path, data)
    found = [i for i in res.errors if i.file == rfile.name and fragment in i.message and i.cell == cell]
    assert found, "\n".join(map(str, res.issues))
    assert str(found[0]).startswith(f"[错误] 文件“{rfile.name}”")
    assert not res.ok and corpus.BOOL not in set(res.panel.measure)
    with pytest.raises(InputError):
        load_resolutions(rfile)
    r = subprocess.run([sys.executable, "-m", "qstrong", "intake", res.folder, "--resolve", str(rfile)],
                       capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr and fragment in r.stdout


def test_names_in_the_resolutions_file_are_normalised(T, tmp_path, registry):
    rows = "measure,department,value,note\nq09.funded.brand\u200b,{b}\u00a0,,以预算为准\n{num},,1300,以决算数为准\n"
    folder_depts = corpus.owners(corpus.BOOL)[:2]
    data = rows.format(b=folder_depts[1], num=CONFLICT_NUM).encode("utf-8-sig")
    res, (a, b, c, e), rfile = resolve(T, tmp_path, data)
    assert res.ok, "\n".join(map(str, res.issues))
    p = res.panel.set_index("measure")
    assert (p.loc[corpus.BOOL, "value"], p.loc[corpus.BOOL, "department"]) == ("否", b)
    assert p.loc[CONFLICT_NUM, "value"] == "1300"
    notes = [i for i in res.issues if i.level == NOTE and i.file == rfile.name]
    assert {i.cell for i in notes} == {"第2行"} and len(notes) == 2
    assert any("U+200B" in i.message for i in notes) and any("U+00A0" in i.message for i in notes)


# ---------------------------------------------------------------------------------------------
# 9. evidence: the default, the cap on notices, the command line


def test_missing_evidence_notices_are_capped_and_chased(T, tmp_path):
    values = corpus.sample_values()
    fill_template(T.path(L.MASTER), tmp_path / tfile(L.MASTER), values)         # no evidence at all
    res = intake(tmp_path)
    assert res.ok
    notices = [i for i in res.issues if "缺佐证材料" in i.message]
    n = len(CATALOG.measures)
    assert len(notices) == MAX_LISTED + 1
    assert f"另有{n - MAX_LISTED}条同类提醒（缺佐证材料）未逐一列出" in notices[-1].message
    assert len(res.panel) == n
    chase = res.chase()
    assert (chase.status == "缺佐证").sum() == n
    assert set(res.cells().note.str.contains("缺佐证材料")) == {True}


def test_evidence_option_on_the_command_line(T, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    fill_template(T.path(TECH), folder / tfile(TECH), {COUNT: 3})

    def run(*args):
        return subprocess.run([sys.executable, "-m", "qstrong", "intake", str(folder), *args],
                              capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    strict, warn, off = run("--evidence", "strict"), run(), run("--evidence", "off", "--chase", str(tmp_path / "c.csv"))
    assert strict.returncode == 2 and "无佐证材料，按填报说明不予采用" in strict.stdout and "单元格E5" in strict.stdout
    assert warn.returncode == 0 and "缺佐证材料（F5为空）" in warn.stdout
    assert off.returncode == 0 and "缺佐证" not in off.stdout
    assert "Traceback" not in strict.stderr + warn.stderr + off.stderr
    helptext = subprocess.run([sys.executable, "-m", "qstrong", "intake", "--help"], capture_output=True, text=True,
                              encoding="utf-8", cwd=ROOT).stdout
    assert "warn（默认）" in helptext and "strict" in helptext
    with pytest.raises(InputError):
        intake(folder, evidence="lenient")


def test_a_file_name_with_an_escape_sequence_is_shown_not_run(T, tmp_path):
    name = "区科技局\x1b[31m.xlsx"
    (tmp_path / name).write_bytes(b"")
    res = intake(tmp_path)
    assert [i.file for i in res.errors] == [name]
    text = res.report()
    assert "\x1b" not in text and "区科技局\\x1b[31m.xlsx" in text and "文件为空（0字节）" in text


def test_an_unreadable_subfolder_is_one_problem_among_the_others(T, tmp_path, monkeypatch):
    good_file(T, tmp_path)
    (tmp_path / "科室").mkdir()
    good_file(T, tmp_path / "科室", MKT, PCT, 0.9)
    real_scandir = os.scandir

    def deny(path="."):
        if Path(path).name == "科室":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)
    monkeypatch.setattr(os, "scandir", deny)
    res = intake(tmp_path)
    assert [(i.file, i.message) for i in res.errors] == [("科室", "无法读取目录（Permission denied），其中的文件未读取")]
    assert list(zip(res.panel.measure, res.panel.value, strict=True)) == [(COUNT, "3")]
