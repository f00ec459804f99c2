"""Hostile and sloppy configs, scenarios, peer lists, effort tables and options: every problem at once, in
Chinese, naming the option, key or line; exit 2 without a traceback; inputs never modified."""

import hashlib
import json
import math
from pathlib import Path

import pytest
from cli_helpers import cli, refused

from qstrong.analysis.path import cheapest_path, load_effort
from qstrong.analysis.projection import project
from qstrong.analysis.required import required_values
from qstrong.analysis.scenarios import ScenarioError, load_scenario, parse_scenario
from qstrong.analysis.sensitivity import sensitivity
from qstrong.config import ScoringConfig
from qstrong.efficacy import EfficacySettings, Goalposts
from qstrong.errors import InputError
from qstrong.params import check_memory, check_params
from qstrong.paths import registered
from qstrong.peers import peer_names
from qstrong.textfiles import TextError, decode, read_text, take_notes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = str(ROOT / "data" / "sample" / "zibo_panel.csv")
BASE = ["--county", "临淄区"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ── the examples of the issue ─────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("doc, fragment", [
    ('"efficacy"', "顶层应为键值对"),
    ("[1, 2]", "顶层应为键值对"),
    ("null", "顶层应为键值对"),
    ('{"efficacy": {"10": "relative"}}', "efficacy.10：应为键值对"),
    ('{"efficacy": {}, "colour": 1}', "colour：未知的键"),
    ('{"efficacy": {"10": {"bsae": 50}}}', "efficacy.10.bsae：未知的设置项"),
    ('{"efficacy": {"10": {"base": NaN}}}', "第1行第30列：NaN 不是有限数字"),
    ('{"efficacy": {"10": {"base": 1000}}}', "efficacy.10：base + span 应不大于100"),
    ('{"efficacy": {"10": {"base": true}}}', "efficacy.10.base：应为数字，而不是是/否值 true"),
    ('{"efficacy": {"10": {"span": 0}}}', "efficacy.10.span：应大于0"),
    ('{"efficacy": {"10": {"base": -5}}}', "efficacy.10.base：应不小于0"),
    ('{"efficacy": {"10": {"base": 1e999}}}', "超出可表示的范围"),
    ('{"efficacy": {"10": {"change": "percent"}}}', "efficacy.10.change：变动幅度定义"),
    ('{"efficacy": {"10": {"gate": "high"}}}', "efficacy.10.gate：应为数字"),
    ('{"efficacy": {"*": {"goalposts": {"policy": "topk", "k": 0}}}}', "efficacy.*.goalposts.k：标杆方法 topk"),
    ('{"efficacy": {"*": {"goalposts": {"policy": "fixed", "low": 5}}}}', "efficacy.*.goalposts.high：标杆方法 fixed 需要 high"),
    ('{"efficacy": {"*": {"goalposts": {"policy": "quantile", "low": 0.1, "high": 1.5}}}}', "分位数应在0到1之间"),
    ('{"efficacy": {"*": {"goalposts": {"policy": "best"}}}}', "未知的标杆取值方法"),
    ('{"efficacy": {"*": {"goalposts": {"policy": "minmax", "k": 3}}}}', "标杆方法 minmax 不使用 k"),
    ('{"efficacy": {"1": {"base": 0}}}', "efficacy.1：指标1不按功效系数法计分"),
    ('{"efficacy": {"ten": {}}}', "efficacy.ten：键应为指标编号"),
    ('{"variants": {"15": "nope"}}', "variants.15：指标15没有名为“nope”的解读变体"),
    ('{"variants": {"3": "x"}}', "variants.3：指标3没有解读变体"),
    ('{"efficacy": {"10": {"base": 1}, "10": {"base": 2}}}', "第1行第34列：键“10”重复（第一次在第1行第15列）"),
    ('{"efficacy": {"10": {"base": 50}}', "无法解析JSON，第1行第34列"),
    ("", "无法解析JSON"),
])
def test_bad_config_is_refused_with_its_path(capsys, tmp_path, doc, fragment):
    cfg = write(tmp_path / "cfg.json", doc)
    before = sha(cfg)
    err = refused(capsys, "score", SAMPLE, *BASE, "--config", str(cfg))
    assert fragment in err and str(cfg) in err
    assert sha(cfg) == before


def test_config_lists_every_problem_at_once(capsys, tmp_path):
    doc = {"efficacy": {"10": {"base": 1000, "change": "x"}, "*": {"span": -1}, "5": {}}, "variants": 3, "x": 1}
    cfg = write(tmp_path / "cfg.json", json.dumps(doc))
    err = refused(capsys, "gaps", SAMPLE, *BASE, "--config", str(cfg))
    for part in ("x：未知的键", "efficacy.*.span：应大于0", "efficacy.10：base + span", "efficacy.10.change",
                 "efficacy.5：指标5不按功效系数法计分", "variants：应为键值对"):
        assert part in err, part
    assert "有6处问题" in err


def test_valid_config_still_reads_and_is_registered(tmp_path):
    cfg = write(tmp_path / "cfg.json", '\ufeff{"efficacy": {"*": {"base": 0, "span": 100}, "10": {"change": "pp"}},'
                                       ' "variants": {"15": "group_cap"}}')
    c = ScoringConfig.from_json(cfg)
    assert c.efficacy[10].change == "pp" and c.efficacy[10].base == 0 and c.efficacy[33].span == 100
    assert c.variants == {15: "group_cap"}
    assert cfg.resolve() in registered()[0]


def test_settings_objects_refuse_the_same_values_in_python():
    with pytest.raises(InputError, match="base：应为有限数字"):
        EfficacySettings(base=math.nan)
    with pytest.raises(InputError, match="base \\+ span 应不大于100"):
        ScoringConfig.default().with_efficacy(10, base=1000)
    with pytest.raises(InputError, match="goalposts.k"):
        Goalposts(policy="topk", k=True)


SCENARIO_PROBLEMS = """name: 坏情景
changes:
  - {measure: q43.provincial_honors, add: yes}
  - {measure: q40.invention_patents, grow: -100}
  - {measure: q40.invention_patents, grow: -250}
  - {measure: q40.invention_patents, grow: 十}
  - {measure: q40.invention_patents, add: 1000000000000000000000}
  - {measure: q39.hightech_share, set: abc}
  - {measure: q34.online_rate, set: yes}
  - {measure: q40.invention_patents, add: [1]}
  - {measure: q40.invention_patents, add: 1, note: {a: 1}}
  - 5
"""


def test_scenario_lists_every_problem(capsys, tmp_path):
    p = write(tmp_path / "s.yaml", SCENARIO_PROBLEMS)
    before = sha(p)
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", str(p))
    for part in ("第1项调整（q43.provincial_honors", "add 的值“true”不是数字",
                 "第2项调整（q40.invention_patents", "grow: -100 表示减少100%或更多", "grow: -250",
                 "grow 的值“十”不是数字", "第5项调整", "过大", "第6项调整（q39.hightech_share", "“abc”不是数字",
                 "第7项调整（q34.online_rate", "“true”不是数字", "第8项调整", "第9项调整（q40.invention_patents）：note 应为文本",
                 "第10项调整应为键值对"):
        assert part in err, part
    assert "有10处问题" in err and str(p) in err
    assert sha(p) == before


@pytest.mark.parametrize("text, fragment", [
    ("name: x\nchanges:\n  - {measure: q40.invention_patents, grow: .nan}\n", "第3行第44列：“.nan”不是有限数字"),
    ("name: x\nchanges:\n  - {measure: q40.invention_patents, add: .inf}\n", "“.inf”不是有限数字"),
    ("name: x\nchanges:\n  - {measure: q40.invention_patents, add: -.Inf}\n", "不是有限数字"),
    ("name: x\nchanges:\n  - {measure: q40.invention_patents, add: 1.0e+999}\n", "不是有限数字"),
    ("name: x\nname: y\nchanges: []\n", "第2行第1列：键“name”重复"),
    ("name: x\nchanges:\n  - {measure: q40.invention_patents, add: 1, add: 2}\n", "键“add”重复"),
    ("name: x\nchanges: &c []\nunmapped: *c\n", "不支持锚点 &c"),
    ("name: x\nchanges: [\n", "无法解析"),
    ("name: !!python/object:os.system x\n", "无法解析"),
    ("name: x\nchanges:\n  - {measure: q40.invention_patents, add: " + "9" * 5000 + "}\n", "无法解析"),
])
def test_scenario_yaml_traps(capsys, tmp_path, text, fragment):
    p = write(tmp_path / "s.yaml", text)
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", str(p))
    assert fragment in err and str(p) in err


def test_refused_values_and_schema_problems_are_listed_together(capsys, tmp_path):
    p = write(tmp_path / "s.yaml", "name: x\nchanges:\n  - {measure: q40.invention_patents, grow: .nan}\n"
                                   "  - {measure: q43.provincial_honors, add: yes}\n  - {measure: q40.invention_patents,"
                                   " add: 1, add: 2}\ncolour: red\n")
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", str(p))
    assert "有4处问题" in err    # NaN, the duplicate key, add: yes, colour — the NaN item not reported twice
    assert "第3行第44列：“.nan”不是有限数字" in err and "第5行第46列：键“add”重复（第一次在第5行第38列）" in err
    assert "第2项调整（q43.provincial_honors" in err and "未知的键：colour" in err
    cfg = write(tmp_path / "c.json", '{"efficacy": {"10": {"base": NaN, "span": true}}, "extra": 1}')
    err = refused(capsys, "score", SAMPLE, *BASE, "--config", str(cfg))
    assert "有3处问题" in err and "NaN 不是有限数字" in err and "efficacy.10.span：应为数字" in err and "extra：未知的键" in err


def test_nested_aliases_are_refused_before_they_expand(capsys, tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    text = "\n".join(lines) + "\n"
    assert len(text.encode()) < 600    # a few hundred bytes that would expand to 9⁹ strings
    p = write(tmp_path / "laughs.yaml", text)
    err = refused(capsys, "whatif", SAMPLE, *BASE, "--scenario", str(p))
    assert "第2行第8列：不支持别名 *a" in err and "不支持锚点 &a" in err
    assert err.count("不支持别名 *a") == 1    # each alias once, not 9×


def test_scenario_json_traps(tmp_path):
    p = write(tmp_path / "s.json", '{"name": "x", "name": "y", "changes": [{"measure": "q40.invention_patents",'
                                   ' "grow": NaN}, {"measure": "q40.invention_patents", "add": Infinity}]}')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    text = str(exc.value)
    assert "第1行第15列：键“name”重复" in text and "NaN 不是有限数字" in text and "Infinity 不是有限数字" in text
    assert len(exc.value.problems) == 3


def test_scenario_other_suffix_and_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="应为 .yaml、.yml 或 .json"):
        load_scenario(write(tmp_path / "s.txt", "name: x\n"))
    with pytest.raises(ScenarioError, match="文件不存在（预置情景：plan2025）"):
        load_scenario("plan2026")


def test_scenario_measure_names_are_normalised_and_results_checked():
    sc = parse_scenario({"name": " x ", "changes": [{"measure": "\u200bq40.invention_patents\u3000", "add": "2"}]})
    assert sc.name == "x" and sc.changes[0].measure == "q40.invention_patents" and sc.changes[0].value == 2
    sc = parse_scenario({"name": "x", "changes": [{"measure": "q40.invention_patents", "add": -1_000_000}]})
    with pytest.raises(InputError, match="不在允许范围"):
        sc.apply(__import__("qstrong.panel", fromlist=["load_panel"]).load_panel(SAMPLE), "临淄区", 2022)


@pytest.mark.parametrize("which", ["scenario", "config", "peers", "effort"])
def test_gbk_text_inputs_are_read_as_their_utf8_twins_and_the_encoding_said(capsys, tmp_path, which):
    text = {"scenario": "name: 规划\nchanges: []\n", "config": '{"efficacy": {"10": {"change": "pp"}}, "备注": 1}',
            "peers": "张店区\n淄川区\n", "effort": "measure,effort,per,note\nq07.work_plan,1,是,说明\n"}[which]
    suffix = {"scenario": ".yaml", "config": ".json", "peers": ".txt", "effort": ".csv"}[which]
    outs = {}
    for encoding in ("utf-8", "gbk"):
        p = write(tmp_path / f"{encoding}{suffix}", text, encoding)
        before = sha(p)
        args = {"scenario": ["whatif", SAMPLE, *BASE, "--scenario", str(p)],
                "config": ["score", SAMPLE, *BASE, "--config", str(p)],
                "peers": ["gaps", SAMPLE, *BASE, "--peers", "@" + str(p)],
                "effort": ["path", SAMPLE, *BASE, "--target", "85", "--effort", str(p)]}[which]
        take_notes()
        code, out, err = cli(capsys, *args)
        assert "Traceback" not in err and "程序内部错误" not in err, err
        said = [n for n in [*err.splitlines(), *take_notes()] if str(p) in n and "GB18030" in n]
        assert bool(said) == (encoding == "gbk"), (encoding, err)
        assert sha(p) == before and p.resolve() in registered()[0]
        # the same result, or for the config (an unknown key 备注) the same refusal, read in either encoding
        outs[encoding] = code, out.replace(str(p), ""), [ln.replace(str(p), "") for ln in err.splitlines()
                                                         if "GB18030" not in ln]
    assert outs["gbk"] == outs["utf-8"] and outs["gbk"][0] == (2 if which == "config" else 0)
    assert which != "config" or "备注：未知的键" in "".join(outs["gbk"][2])


def test_utf16_and_bom_text_is_decoded(tmp_path):
    p = tmp_path / "peers.txt"
    p.write_bytes("张店区\r\n\u200b淄川区\r\n".encode("utf-16"))
    assert read_text(p).splitlines() == ["张店区", "\u200b淄川区"]
    assert decode("\ufeffname".encode()) == "name"
    assert peer_names("@" + str(p), "临淄区", ["临淄区", "张店区", "淄川区", "博山区"]) == ["临淄区", "张店区", "淄川区"]


# ── options ───────────────────────────────────────────────────────────────────────────────────────
def test_draws_zero_and_spread_nan_are_two_problems(capsys):
    err = refused(capsys, "sensitivity", SAMPLE, *BASE, "--draws", "0", "--spread", "nan")
    assert "有2处问题" in err
    assert "--draws（抽样次数）：“0”超出范围：应为不小于1且不大于1000000的整数" in err
    assert "--spread（权重扰动幅度）：“nan”不是有限数字" in err


def test_every_bad_option_at_once(capsys):
    err = refused(capsys, "sensitivity", SAMPLE, *BASE, "--draws", "1000000000", "--spread", "5", "--sobol-n", "100",
                  "--seed", "-1", "--sobol", "everything", "--year", "1850", "--colour", "red")
    for part in ("--draws（抽样次数）：“1000000000”超出范围", "--spread（权重扰动幅度）：“5”超出范围：应为不小于0且小于1的数",
                 "--sobol-n（Sobol基础样本数）：“100”应为2的整数次幂（如64或128）", "--seed（随机种子）：“-1”超出范围",
                 "参数 --sobol 的取值“everything”无效，可选：weights、inputs、none", "--year（评价年度）：“1850”超出范围",
                 "无法识别的参数：--colour red"):
        assert part in err, part
    assert "有7处问题" in err and "qstrong sensitivity --help" in err


@pytest.mark.parametrize("args, fragment", [
    (["project", SAMPLE, *BASE, "--to", "100000"], "--to（外推目标年）：“100000”超出范围"),
    (["project", SAMPLE, *BASE, "--to", "2022", "--draws", "5"], "--to（外推目标年）：“2022”超出范围：应为不小于2023且不大于2052"),
    (["project", SAMPLE, *BASE, "--to", "2053", "--draws", "5"], "应为不小于2023且不大于2052的整数"),
    (["project", SAMPLE, *BASE, "--to", "2025.5"], "--to（外推目标年）：“2025.5”不是整数"),
    (["project", SAMPLE, *BASE, "--draws", "1e3"], "--draws（抽样次数）：“1e3”不是整数"),
    (["project", SAMPLE, *BASE, "--draws", "1_000"], "--draws（抽样次数）：“1_000”不是整数"),
    (["project", SAMPLE, *BASE, "--to", "2050", "--draws", "1000000"], "约需"),
    (["sensitivity", SAMPLE, *BASE, "--spread", "1"], "“1”超出范围：应为不小于0且小于1的数"),
    (["sensitivity", SAMPLE, *BASE, "--spread", "-0.1"], "--spread（权重扰动幅度）：“-0.1”超出范围"),
    (["sensitivity", SAMPLE, *BASE, "--spread", "inf"], "“inf”不是有限数字"),
    (["sensitivity", SAMPLE, *BASE, "--sobol-n", "131072"], "--sobol-n（Sobol基础样本数）：“131072”超出范围"),
    (["sensitivity", SAMPLE, *BASE, "--seed", "4294967296"], "--seed（随机种子）：“4294967296”超出范围"),
    (["sensitivity", SAMPLE, *BASE, "--draws", "ten"], "--draws（抽样次数）：“ten”不是整数"),
    (["sensitivity", SAMPLE, *BASE, "--draws"], "参数 --draws 后缺少取值"),
    (["sensitivity", SAMPLE, *BASE, "--dirichlet=yes"], "参数 --dirichlet 不接受取值“yes”"),
    (["path", SAMPLE, *BASE, "--target", "120"], "--target（目标总分）：“120”超出范围"),
    (["path", SAMPLE, *BASE, "--target", "八十五"], "--target（目标总分）：“八十五”不是数字"),
    (["path", SAMPLE, *BASE], "缺少必需的参数：--target"),
    (["required", SAMPLE, *BASE, "--share", "1.5"], "--share（目标分占指标分值的比例）：“1.5”超出范围"),
    (["required", SAMPLE, *BASE, "--share", "yes"], "“yes”不是数字"),
    (["required", SAMPLE, *BASE, "--indicator", "5"], "--indicator（指标编号）：指标5不按功效系数法计分"),
    (["required", SAMPLE, *BASE, "--indicator", "99"], "--indicator（指标编号）：没有指标99"),
    (["required", SAMPLE, *BASE, "--indicator", "40", "--points", "7"], "--points（该指标的目标分）：“7”超过指标40的分值2分"),
    (["required", SAMPLE, *BASE, "--points", "1"], "须与 --indicator 一起使用"),
    (["score", SAMPLE, "--county", "\u200b \u3000"], "--county（被评价的县）"),
    (["score", SAMPLE, *BASE, "--all"], "参数 --all 不能与 --county 同时使用"),
    (["score", SAMPLE, *BASE, "--format", "xml"], "参数 --format 的取值“xml”无效，可选：table、csv、json"),
    (["score", SAMPLE], "须给出以下参数之一：--county --all"),
    (["gaps", SAMPLE, *BASE, "--year", "二〇二二"], "--year（评价年度）：“二〇二二”不是整数"),
    (["gaps", SAMPLE, *BASE, "--year", "2019.0"], "“2019.0”不是整数"),
    (["gaps", SAMPLE, "--county"], "参数 --county 后缺少取值"),
    (["gaps", "--county", "临淄区"], "缺少必需的参数：panel"),
    (["bogus"], "未知的子命令“bogus”，可选：catalog、measures"),
    ([], "缺少必需的参数：子命令"),
    (["templates", "--year", "99999"], "--year（评价年度）：“99999”超出范围"),
    (["intake", ".", "--year", "x"], "“x”不是整数"),
    (["report", "--county", "临淄区", "--panel", SAMPLE, "--draws", "0", "--target", "101"], "--target（目标总分）"),
])
def test_bad_option(capsys, args, fragment):
    err = refused(capsys, *args)
    assert fragment in err


@pytest.mark.parametrize("spec, fragment", [
    (",,,", "对标组“,,,”中没有任何县名"),
    ("，、 ;", "中没有任何县名"),
    ("临淄区", "除被评价的“临淄区”外没有其他县"),
    ("临淄区,\u200b临淄区 ", "除被评价的“临淄区”外没有其他县"),
    ("张店区,不存在县", "对标组“张店区,不存在县”中的“不存在县”不在面板中"),
    ("shandon", "是否应为“shandong”"),
])
def test_bad_peer_group(capsys, spec, fragment):
    err = refused(capsys, "gaps", SAMPLE, *BASE, "--peers", spec)
    assert fragment in err and "对标组（--peers）" in err


def test_empty_peer_file_and_missing_peer_file(capsys, tmp_path):
    p = write(tmp_path / "peers.txt", "\n \u200b\n\n")
    assert "中没有任何县名" in refused(capsys, "gaps", SAMPLE, *BASE, "--peers", "@" + str(p))
    err = refused(capsys, "gaps", SAMPLE, *BASE, "--peers", "@" + str(tmp_path / "none.txt"))
    assert "对标组文件不存在" in err and "none.txt" in err


def test_sloppy_names_are_normalised(capsys, tmp_path):
    peers = write(tmp_path / "peers.txt", "\ufeff张店区 \n\u200b淄川区\n\n")
    code, out, err = cli(capsys, "gaps", SAMPLE, "--county", "\u200b临淄区\u3000", "--peers", "@" + str(peers))
    assert code == 0, err
    assert "临淄区 2022年" in out and "3个县（市、区）" in out
    code, out, err = cli(capsys, "gaps", SAMPLE, *BASE, "--peers", "张店区，\u00a0淄川区")
    assert code == 0 and "3个县（市、区）" in out


def test_small_valid_runs_still_work(capsys):
    code, out, err = cli(capsys, "project", SAMPLE, *BASE, "--to", "2024", "--draws", "20", "--seed", "7")
    assert code == 0, err
    assert "2024" in out


def test_effort_table_traps(capsys, tmp_path):
    p = write(tmp_path / "effort.csv", "measure,effort,per\n\u200bq07.work_plan,1_0,是\nq43.national_honors,nan,1 个\n"
                                        "q43.provincial_honors,1e999,1 个\nq40.invention_patents,1,99999" + "9" * 400
                                        + " 件\n")
    err = refused(capsys, "path", SAMPLE, *BASE, "--target", "85", "--effort", str(p))
    for part in ("第2行（q07.work_plan）：工作量“1_0”不是数字", "第3行（q43.national_honors）：工作量“nan”不是数字",
                 "第4行（q43.provincial_honors）：工作量“1e999”超出可表示的范围", "第5行（q40.invention_patents）：单位"):
        assert part in err, part
    assert "有4处问题" in err


# ── the Python API gets the same declarations ──────────────────────────────────────────────────────
def test_api_checks_parameters_like_the_cli():
    with pytest.raises(InputError) as exc:
        sensitivity(SAMPLE, "临淄区", draws=0, spread=float("nan"), sobol="all", progress=False)
    text = str(exc.value)
    assert "--draws" in text and "--spread" in text and "Sobol分析对象" in text and len(exc.value.problems) == 3
    with pytest.raises(InputError, match="--to（外推目标年）：“2100”超出范围：应为不小于2023且不大于2052"):
        project(SAMPLE, "临淄区", 2100)
    with pytest.raises(InputError, match="--draws.*是是/否值"):
        project(SAMPLE, "临淄区", 2024, draws=True)
    with pytest.raises(InputError) as exc:
        required_values(SAMPLE, "临淄区", share=2, points={40: 9, 5: 1})
    assert len(exc.value.problems) == 4      # share out of range and given with points; 40's points; 5
    with pytest.raises(InputError, match="--target（目标总分）：“-1”超出范围"):
        cheapest_path(SAMPLE, "临淄区", "-1")
    assert check_params(draws="  200 ", spread="0.5", to_year=2030) == {"draws": 200, "spread": 0.5, "to_year": 2030}
    assert check_params(draws="２００", seed="\u200b7") == {"draws": 200, "seed": 7}     # full-width, invisible
    with pytest.raises(InputError) as exc:
        check_params(draws="2²", seed="", target=[85])
    assert [str(p) for p in exc.value.problems] == ["--draws（抽样次数）：“2²”含有特殊字符“²”（U+00B2，上标、下标、带圈或分数形式），不是普通数字",
                                                     "--seed（随机种子）：值为空", "--target（目标总分）：“[85]”（list）不是数字"]


def test_memory_is_estimated_before_allocating():
    with pytest.raises(InputError, match=r"测试约需1,024\.0 GB内存，超过允许的"):
        check_memory(1024**4, "测试", "请减少")
    check_memory(1024, "测试", "请减少")
    with pytest.raises(InputError, match="约需.*请减少 --draws"):
        project(SAMPLE, "临淄区", 2052, draws=1_000_000)


def test_effort_reader_registers_and_normalises(tmp_path):
    p = write(tmp_path / "e.csv", "measure,effort,per,note\n q07.work_plan\u200b ,3,是,x\n")
    table = load_effort(p)
    assert table.per_unit["q07.work_plan"] == 3 and p.resolve() in registered()[0]


def test_text_errors_are_input_errors():
    assert issubclass(TextError, InputError) and issubclass(ScenarioError, InputError)
