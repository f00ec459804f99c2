"""The user guide (docs/使用指南.md) holds: its images and links exist, every ``qstrong`` command in it
parses with the real parser, the quick commands run as written on the sample data (outputs redirected
to a temporary folder) and the files and sheets it describes are the ones the program writes."""

from __future__ import annotations

import re
import shlex

import openpyxl
import pytest
from test_readme import (
    README,
    ROOT,
    command_problems,
    fenced_blocks,
    inline_commands,
    named_option_problems,
    shell_commands,
)

from qstrong.cli import main

GUIDE = ROOT / "docs" / "使用指南.md"
STEPS = ["生成模板", "下发", "收回校验", "计分", "差距", "情景与预测", "报告、简报、部门任务包", "交互探索"]
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
# Slow commands (notebooks, 10,000 weight draws, the Word brief) and the explorer's server (it runs until
# Ctrl+C; tests/test_explore_browser.py drives it) are parsed above, not run here.
SLOW = {"report", "sensitivity", "brief", "explore"}


def text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} +(.+)$", markdown, re.M)}


def test_readme_links_the_guide_at_the_top():
    head = "\n".join(README.read_text(encoding="utf-8").splitlines()[:6])
    assert "](docs/使用指南.md)" in head


def test_steps_in_order():
    headings = re.findall(r"^## +[1-9] +(.+)$", text(), re.M)
    assert headings == STEPS


def test_data_notice_and_exit_codes():
    t = text()
    assert "示例数据" in t and "虚构" in t and "合成数据" in t
    for code in "0123":
        assert re.search(rf"^ *\| {code} \|", t, re.M), f"exit code {code} not explained"
    assert "开发中" not in t


def test_images_exist_and_are_small():
    images = [target for bang, _, target in LINK.findall(text()) if bang]
    assert len(images) >= 8
    for target in images:
        path = GUIDE.parent / target
        assert not target.startswith(("http:", "https:", "/")), target
        assert path.is_file(), target
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", target
        assert path.stat().st_size < 250_000, target


def test_links_resolve():
    t = text()
    own = anchors(t)
    for bang, _, target in LINK.findall(t):
        if bang or target.startswith(("http:", "https:")):
            continue
        file, _, anchor = target.partition("#")
        doc = (GUIDE.parent / file).resolve() if file else GUIDE
        assert doc.is_file(), target
        if anchor:
            assert anchor in (own if not file else anchors(doc.read_text(encoding="utf-8"))), target


def test_guide_commands_parse():
    commands = shell_commands(text())
    assert {shlex.split(c)[1] for _, c in commands} >= {"templates", "intake", "score", "gaps", "whatif", "project",
                                                      "required", "path", "sensitivity", "report", "brief", "tasks"}
    bad = {line: problems for line, cmd in commands if (problems := command_problems(cmd))}
    assert not bad, bad


def test_guide_inline_commands_name_what_exists():
    commands = inline_commands(text())
    assert any("--all" in c for c in commands)
    assert not [p for c in commands for p in named_option_problems(c)]


def _resolutions(markdown: str) -> str:
    """The example resolutions file of the guide (the text block that starts with its header)."""
    return next(code for lang, _, code in fenced_blocks(markdown) if code.startswith("measure,department"))


def test_guide_commands_run_on_the_sample(tmp_path, capsys, monkeypatch):
    """Each quick command as written, `reports/` → a temporary folder; exit 0, and the files it names."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "reports"
    out.mkdir()
    t = text()
    (out / "裁定.csv").write_text(_resolutions(t), encoding="utf-8")
    ran = []
    for line, cmd in shell_commands(t):
        args = [a.replace("reports/", f"{out}/") if a.startswith("reports/") else a for a in shlex.split(cmd)[1:]]
        if args[0] in SLOW:
            continue
        code = main(args)
        _, err = capsys.readouterr()
        assert code == 0, (line, cmd, err)
        ran.append(args[0])
    assert {"templates", "intake", "score", "gaps", "whatif", "project", "required", "path", "tasks"} <= set(ran)
    for name in ["区统计局.xlsx", "全部数据项（领导小组办公室汇总）.xlsx"]:
        assert (out / "模板" / name).is_file()
    for file in ["面板.csv", "催报清单.csv", "最省力路径.csv", "情景比较.csv", "外推.csv"]:
        assert (out / file).is_file(), file
    assert len(list((out / "图表").glob("*.png"))) >= 4
    described = {
        out / "模板" / "区住建局.xlsx": ["填报说明", "填报"],
        out / "收集报告.xlsx": ["说明", "汇总", "问题清单", "逐格记录", "未填报清单", "裁定记录"],
        out / "差距分析.xlsx": ["说明", "指标", "二级指标", "一级指标", "部门", "挽回措施", "功效系数指标"],
        out / "任务包" / "区住建局_任务包.xlsx": ["说明", "通知", "指标", "措施", "未报数据", "填报情况"],
    }
    for book, sheets in described.items():
        have = openpyxl.load_workbook(book, read_only=True).sheetnames
        assert set(sheets) <= set(have), (book.name, have)
        for sheet in sheets:
            assert f"**{sheet}**" in t, f"the guide does not describe the sheet {sheet} of {book.name}"


@pytest.mark.parametrize("heading,expected", [("7 报告、简报、部门任务包", "7-报告简报部门任务包"),
                                              ("Interpretation choices (all configurable)",
                                               "interpretation-choices-all-configurable")])
def test_slug(heading, expected):
    assert slug(heading) == expected
