"""Second round of hostile configs, scenarios, options and outputs: each case a defect once found."""

import json
from pathlib import Path

import pytest
from cli_helpers import cli, refused

from qstrong.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "data" / "sample" / "zibo_panel.csv")
BASE = ["--county", "临淄区"]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# ── configs ───────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("doc, fragments", [
    ({"efficacy": {"10": {"base": 0, "span": 100, "goalposts": None}}}, ["efficacy.10.goalposts"]),
    ({"efficacy": {"*": {"goalposts": None}}}, ["efficacy.*.goalposts"]),
    ({"variants": {"15": None}}, ["variants.15"]),
    ({"efficacy": {"17": {"gate": 500}, "40": {"gate": -1e300}}}, ["efficacy.17.gate", "efficacy.40.gate"]),
    ({"efficacy": {"26": {"gate": -5}}}, ["efficacy.26.gate"]),
    ({"efficacy": {"*": {"gate": 50}}}, ["efficacy.*.gate"]),
    ({"efficacy": {"10": {"goalposts": {"policy": "fixed", "low": -1e308, "high": 1e308}}}},
     ["efficacy.10.goalposts", "超出可表示的范围"]),
])
def test_config_nulls_gates_and_huge_goalposts_are_refused(capsys, tmp_path, doc, fragments):
    cfg = write(tmp_path / "c.json", json.dumps(doc))
    err = refused(capsys, "score", SAMPLE, *BASE, "--config", str(cfg))
    for fragment in fragments:
        assert fragment in err
    assert "RuntimeWarning" not in err


def test_config_gate_within_range_still_reads(capsys, tmp_path):
    cfg = write(tmp_path / "c.json", json.dumps({"efficacy": {"26": {"gate": 95}, "17": {"gate": None}}}))
    code, _, err = cli(capsys, "score", SAMPLE, *BASE, "--config", str(cfg))
    assert code == 0, err


# ── scenarios ─────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("written", ["1:30", "0x100", "1_871", "010", "1_0.5", "1:30.5"])
def test_scenario_yaml_11_number_forms_are_refused(capsys, tmp_path, written):
    sc = write(tmp_path / "s.yaml", f"name: t\nchanges:\n  - {{measure: q34.online_rate, set: {written}}}\n")
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", str(sc))
    assert f"“{written}”不是普通的十进制数字" in err and "第3行" in err


def test_scenario_plain_numbers_still_read(capsys, tmp_path):
    sc = write(tmp_path / "s.yaml", "name: t\nchanges:\n  - {measure: q34.online_rate, set: 99.5}\n"
                                    "  - {measure: q40.invention_patents, add: 10}\n")
    code, _, err = cli(capsys, "whatif", SAMPLE, *BASE, "--scenario", str(sc))
    assert code == 0, err


def _scenario(tmp_path: Path, file: str, name: str, lines: str = "  - {measure: q34.online_rate, set: 99}\n") -> str:
    return str(write(tmp_path / file, f"name: \"{name}\"\nchanges:\n{lines}"))


@pytest.mark.parametrize("second, fragment", [
    ("A（变化）", "以“（变化）”结尾"), ("indicator", "已用作输出表的列名“indicator”"),
    ("对标基准", "已用作输出表的列名“对标基准”"), (" 基 线", "已用于基线"),
    ("数据提示", "已用作输出表的列名“数据提示”"), ("total", "已用作输出表的列名“total”"), ("指标", "列名“指标”"),
])
def test_scenario_names_that_collide_with_columns_are_refused(capsys, tmp_path, second, fragment):
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", _scenario(tmp_path, "a.yaml", "A"),
                  "--scenario", _scenario(tmp_path, "b.yaml", second))
    assert fragment in err


def test_scenario_names_are_compared_normalised(capsys, tmp_path):
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", "plan2025",
                  "--scenario", _scenario(tmp_path, "p.yaml", "规划目标２０２５ "))
    assert "出现了不止一次" in err


def test_repeated_changes_of_one_measure_are_refused(capsys, tmp_path):
    lines = ("  - {measure: q34.online_rate, set: 99}\n  - {measure: q34.online_rate, set: 98}\n"
             "  - {measure: q40.invention_patents, add: 1, who: peers}\n"
             "  - {measure: q40.invention_patents, grow: 5, who: all}\n"
             "  - {measure: q41.tech_trade, add: 1, who: peers}\n"
             "  - {measure: q41.tech_trade, add: 1, who: county}\n")
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", _scenario(tmp_path, "r.yaml", "R", lines))
    assert "第2项调整（q34.online_rate" in err and "第4项调整（q40.invention_patents" in err
    assert "第6项" not in err and "2处问题" in err


def test_too_many_changes_are_refused(capsys, tmp_path):
    lines = "".join(f"  - {{measure: q40.invention_patents, add: {k}}}\n" for k in range(1, 600))
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", _scenario(tmp_path, "big.yaml", "big", lines))
    assert "超过上限500项" in err and "第2项" not in err


# ── outputs ───────────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("args, fragment", [
    (["score", SAMPLE, "--all", "--out", "all.xlsx"], "“all.xlsx”的扩展名应为 .txt 或 .csv 或 .json"),
    (["score", SAMPLE, "--all", "--format", "csv", "--out", "x.xlsx"], "（--format csv）“x.xlsx”的扩展名应为 .csv"),
    (["score", SAMPLE, *BASE, "--format", "json", "--out", "t2.csv"], "的扩展名应为 .json"),
    (["catalog", "--format", "table", "--out", "c.csv"], "的扩展名应为 .txt"),
    (["measures", "--out", "m.csv"], "的扩展名应为 .txt"),
])
def test_out_suffix_must_match_the_format(capsys, tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    assert fragment in refused(capsys, *args)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix, start", [(".csv", "\ufeff指标,"), (".json", "{"), (".txt", "对标")])
def test_out_suffix_gives_the_format(capsys, tmp_path, suffix, start):
    out = tmp_path / f"t{suffix}"
    code, _, err = cli(capsys, "score", SAMPLE, *BASE, "--out", str(out))
    assert code == 0, err
    assert out.read_text("utf-8").startswith(start)


@pytest.mark.parametrize("args", [
    ["score", SAMPLE, *BASE, "--out", ""], ["catalog", "--out", " "], ["measures", "--out", ""],
    ["gaps", SAMPLE, *BASE, "--charts", ""], ["whatif", SAMPLE, *BASE, "--scenario", "plan2025", "--out", ""],
    ["required", SAMPLE, *BASE, "--out", ""], ["path", SAMPLE, *BASE, "--target", "90", "--out", ""],
    ["report", *BASE, "--panel", SAMPLE, "--out", ""], ["intake", ".", "--report", ""],
])
def test_empty_output_path_is_refused(capsys, args):
    err = refused(capsys, *args)
    assert "输出路径为空" in err


def test_empty_output_path_is_refused_in_python():
    from qstrong.errors import InputError
    from qstrong.writers import Output, check_outputs

    with pytest.raises(InputError, match="路径为空"):
        check_outputs(Output("", "表格输出文件"))


def test_symlink_to_a_directory_is_said_as_such(capsys, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    err = refused(capsys, "gaps", SAMPLE, *BASE, "--charts", str(tmp_path / "link"))
    assert "是指向目录" in err and "普通文件" not in err


# ── options ───────────────────────────────────────────────────────────────────────────────────────
def test_required_says_a_target_already_reached(capsys):
    code, out, err = cli(capsys, "required", SAMPLE, *BASE, "--indicator", "40", "--points", "1")
    assert code == 0, err
    assert "指标40：现1.35分，已达到目标1分" in out and "数据缺失" not in out


def test_required_share_with_points_is_refused(capsys):
    err = refused(capsys, "required", SAMPLE, *BASE, "--share", "0.5", "--indicator", "40", "--points", "2")
    assert "--share" in err and "不能与 --indicator/--points 同时使用" in err
    from qstrong.analysis.required import required_values
    from qstrong.errors import InputError

    with pytest.raises(InputError, match="不能与"):
        required_values(SAMPLE, "临淄区", share=0.5, points={40: 2})


def test_control_characters_are_shown_visibly_on_stderr_and_stdout(capsys, tmp_path):
    text = Path(SAMPLE).read_text("utf-8").replace("博山区", "博山\x1b]0;PWN\x07\x1b[2J区")
    panel = write(tmp_path / "esc.csv", text)
    for args in (["score", str(panel), *BASE], ["score", str(panel), "--county", "淄博"]):
        _, out, err = cli(capsys, *args)
        assert "\x1b" not in out + err and "\x07" not in out + err
        assert "\\x1b" in err
    assert "\x1b" not in cli(capsys, "score", str(panel), "--county", "博山\x1b[2J区")[2]


def test_unknown_option_is_listed_with_a_missing_value(capsys):
    err = refused(capsys, "score", SAMPLE, *BASE, "--bogus", "--year")
    assert "--year 后缺少取值" in err and "无法识别的参数：--bogus" in err


def test_to_is_checked_against_the_panel_with_the_other_options(capsys):
    err = refused(capsys, "project", SAMPLE, *BASE, "--to", "2022", "--draws", "0")
    assert "--draws" in err and "--to（外推目标年）：“2022”超出范围：应为不小于2023" in err


def test_sobol_inputs_beyond_the_work_budget_is_refused_up_front(capsys):
    import time

    start = time.monotonic()
    err = refused(capsys, "sensitivity", SAMPLE, *BASE, "--peer-panel", "shandong", "--draws", "10",
                  "--sobol", "inputs", "--sobol-n", "65536")
    assert time.monotonic() - start < 60
    assert "N×(D+2)×县数 = 65,536×" in err and "请把 --sobol-n 减到" in err


def test_solver_text_on_file_descriptor_1_never_reaches_stdout(capfd, monkeypatch):
    import os

    import scipy.optimize

    real = scipy.optimize.milp
    seen = []

    def chatty(*args, **kwargs):
        seen.append(kwargs.get("options", {}).get("disp"))
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "milp", chatty)
    code = main(["path", SAMPLE, *BASE, "--target", "90"])
    out, err = capfd.readouterr()
    assert code in (0, 1), err
    assert seen and seen[0] is False
    assert "Highs" not in out + err and "最省力路径" in out


# ── messages ──────────────────────────────────────────────────────────────────────────────────────
def test_huge_scenario_amounts_are_shown_short(capsys, tmp_path):
    sc = write(tmp_path / "g.yaml", "name: g\nchanges:\n  - {measure: q40.invention_patents, grow: 1e308}\n")
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", str(sc))
    assert "grow 的值1e+308过大" in err and "0000000000000000000" not in err


def test_effort_beyond_float_range_is_said_not_finite(capsys, tmp_path):
    eff = write(tmp_path / "e.csv", "measure,effort,per,note\nq40.invention_patents,1e400,1 件,x\n")
    err = refused(capsys, "path", SAMPLE, *BASE, "--target", "90", "--effort", str(eff))
    assert "“1e400”超出可表示的范围，不是有限数字" in err and "应为大于0" not in err


@pytest.mark.parametrize("encoding, order", [("utf-16-le", "LE"), ("utf-16-be", "BE")])
def test_utf16_without_bom_is_named(capsys, tmp_path, encoding, order):
    cfg = tmp_path / "c.json"
    cfg.write_bytes('{"efficacy": {}}'.encode(encoding))
    err = refused(capsys, "score", SAMPLE, *BASE, "--config", str(cfg))
    assert f"不带BOM的UTF-16（{order}）" in err and "UTF-8" in err and "JSON" not in err


def test_utf16_detection_leaves_binary_and_stray_nuls_alone():
    from qstrong.textfiles import TextError, decode

    with pytest.raises(TextError, match="不是UTF-8"):
        decode(b"PK\x03\x04" + bytes(range(256)) * 4, "x.zip")
    assert decode(b'{"a\x00": 1, "b": 2, "c": 3}') == '{"a\x00": 1, "b": 2, "c": 3}'
    with pytest.raises(TextError, match="UTF-16（LE）"):
        decode("名称: 情景\n".encode("utf-16-le") * 3)


def test_shared_county_name_lists_the_candidates(capsys):
    err = refused(capsys, "score", SAMPLE, *BASE, "--peer-panel", "shandong", "--peers", "市中区")
    assert "“市中区（济南市）”、“市中区（枣庄市）”" in err and "市南区" not in err


def test_project_lists_to_with_the_other_bad_values_in_python():
    from qstrong.analysis.projection import project
    from qstrong.errors import InputError

    with pytest.raises(InputError) as exc:
        project(SAMPLE, "临淄区", 2022, draws=0)
    text = str(exc.value)
    assert "--draws" in text and "--to（外推目标年）：“2022”超出范围" in text


@pytest.mark.parametrize("value", ["٢٠٢٢", "२०२२", "߂߀߂߂"])
def test_option_digits_of_other_scripts_are_refused_like_the_panels(capsys, value):
    err = refused(capsys, "score", SAMPLE, *BASE, "--year", value)
    assert "--year" in err and "不是整数" in err


def test_option_full_width_digits_are_still_read(capsys):
    code, out, err = cli(capsys, "score", SAMPLE, *BASE, "--year", "２０２２")
    assert code == 0 and "2022年" in out, err
