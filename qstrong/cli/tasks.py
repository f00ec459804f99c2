"""The ``qstrong tasks`` sub-command (registered by ``parser.build_parser``): one xlsx task package per
responsible department (:func:`qstrong.analysis.tasks.department_packages`), written, never computed, here."""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..intake.templates import safe_filename
from ..paths import register_folder
from ..writers import Output, check_outputs, frames_to_xlsx, os_problem
from ..writers.about import About

WHAT = "任务包"
SUFFIX = "_任务包.xlsx"
NAME_LIMIT = 60                 # characters of the department's part of a file name
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)   # Windows device names
SHARED_MARK = "共担"
GUIDE = ("通知：可直接复制的通知正文；指标：本部门负责的指标及分值、得分、失分（共担指标标“共担”并列出共担部门）；"
         "措施：最省力路径上本部门的措施及各自增分；未报数据：本部门未填报或缺佐证材料的数据项；"
         "填报情况：本部门报回的每个数据项的填报值、佐证材料和备注")


def package_filename(department: str, used: set[str] | None = None) -> str:
    """`<department>_任务包.xlsx`, safe on Windows, macOS and Linux: characters a file name may not hold
    (``\\ / : * ? " < > |``, spaces, control and invisible characters) as ``_``, no leading dot, no device
    name, at most 60 characters; unique within `used` (case-insensitively), with （2）, （3）… appended."""
    text = "".join("_" if unicodedata.category(ch)[0] in "CZ" else ch for ch in unicodedata.normalize("NFC", department))
    stem = re.sub(r"^[._ ]+|[._ ]+$", "", safe_filename(text))[:NAME_LIMIT].rstrip("._ ") or "部门"
    if _RESERVED.match(stem):
        stem = "_" + stem
    name, k = stem + SUFFIX, 2
    while used is not None and name.lower() in used:
        name, k = f"{stem}（{k}）{SUFFIX}", k + 1
    if used is not None:
        used.add(name.lower())
    return name


def _marked(df: pd.DataFrame) -> pd.DataFrame:
    """The API frame with 共担 written out instead of 是/否 (the writer names the columns)."""
    return df.assign(shared=df["shared"].map({True: SHARED_MARK, False: ""})) if "shared" in df else df


def _say(text: str) -> pd.DataFrame:
    return pd.DataFrame({"说明": [text]})


def package_sheets(pkg) -> dict[str, pd.DataFrame]:
    """The sheets after 说明: 通知, 指标, 措施, 未报数据, 填报情况 (a sentence where there is nothing to list)."""
    ctx = pkg.context
    no_intake = "未提供填报目录（--intake），无法列出{}：请用 --intake 指定各部门报回的填报目录后重新生成。"
    if len(pkg.actions):
        actions = _marked(pkg.actions)
    elif ctx.plan.chosen:
        actions = _say(f"达到{ctx.target:g}分的最省力路径未安排本部门的措施（{ctx.plan.message}）")
    else:
        actions = _say(ctx.plan.message)
    if pkg.unreported is None:
        unreported = _say(no_intake.format("未报数据"))
    else:
        unreported = pkg.unreported if len(pkg.unreported) else _say("本部门的数据已全部报送，没有未报数据。")
    if pkg.filled is None:
        filled = _say(no_intake.format("填报情况"))
    else:
        filled = pkg.filled if len(pkg.filled) else _say("填报目录中没有本部门报回的数据。")
    return {"通知": pd.DataFrame({"通知（可直接复制）": pkg.notice()}), "指标": _marked(pkg.indicators),
            "措施": actions, "未报数据": unreported, "填报情况": filled}


def write_package(pkg, path: str | Path, notes: list[str] | None = None,
                  inputs: Iterable[tuple[str, str]] = ()) -> Path:
    """One package as an xlsx: 说明 first (title, benchmark, `inputs` as (role, path), data notice, the
    package's own rows), then :func:`package_sheets` — the one call of the writer."""
    from ..analysis.tasks import about_rows, package_title

    about = About.of(package_title(pkg), pkg.context.benchmark, inputs,
                     extra=[*about_rows(pkg), ("工作表", GUIDE)])
    return frames_to_xlsx(package_sheets(pkg), path, what=f"{WHAT}文件", notes=notes, about=about)


def write_packages(packages: dict, out: str | Path, notes: list[str] | None = None,
                   inputs: Iterable[tuple[str, str]] = ()) -> dict[str, Path]:
    """Every package into the directory `out` (created if missing); all file names checked before any is written."""
    out = Path(out)
    check_outputs(Output(out, f"{WHAT}输出目录", directory=True))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([os_problem(exc, out, f"{WHAT}输出目录")], "无法写出结果") from None
    used: set[str] = set()
    paths = {dept: out / package_filename(dept, used) for dept in packages}
    check_outputs(*(Output(p, f"{WHAT}文件", (".xlsx",)) for p in paths.values()))
    inputs = list(inputs)
    return {dept: write_package(pkg, paths[dept], notes, inputs) for dept, pkg in packages.items()}


def cmd_tasks(args: argparse.Namespace) -> int:
    from ..analysis.tasks import check_task_options, department_packages
    from .common import _benchmark_with_intake, _inputs

    if args.resolve and not args.intake:
        raise InputError(["--resolve（裁定文件）：须与 --intake 一起使用（裁定的是填报目录中部门之间不一致的数值）"],
                         "参数有{n}处问题")
    check_task_options(args.target, args.deadline)
    if args.intake and Path(args.intake).is_dir():
        register_folder(args.intake)          # the packages may not be written inside the folder being read
    check_outputs(Output(args.out, f"{WHAT}输出目录", directory=True))
    bench, intake = _benchmark_with_intake(args)     # as brief and report
    if intake is not None:
        reminders = [i for i in intake.issues if i.level != "错误"]
        for issue in reminders[:10]:
            print(f"提醒：{issue}", file=sys.stderr)
        if len(reminders) > 10:
            print(f"提醒：……另有{len(reminders) - 10}条填报提醒（qstrong intake 的收集报告列出全部）", file=sys.stderr)
    packages = department_packages(bench, target=args.target, intake=intake, deadline=args.deadline,
                                   effort=args.effort)
    notes: list[str] = []
    inputs = [*_inputs(args), ("填报目录", args.intake), ("裁定文件", args.resolve), ("工作量表", args.effort)]
    paths = write_packages(packages, args.out, notes, [(role, p) for role, p in inputs if p])
    for note in notes:
        print(f"提醒：{note}", file=sys.stderr)
    _summary(packages, paths)
    ctx = next(iter(packages.values())).context if packages else None
    return 0 if ctx is None or ctx.plan.reached else 1   # 1: the target cannot be reached (said in 措施)


def _summary(packages: dict, paths: dict[str, Path]) -> None:
    if not packages:
        print("没有负责指标的部门：未生成任务包")
        return
    ctx = next(iter(packages.values())).context
    print(ctx.benchmark.describe())
    print(f"{ctx.benchmark.county} {ctx.benchmark.year}年：总分{ctx.benchmark.total:.2f}分，"
          f"排名{ctx.benchmark.rank_text()}；{ctx.veto_text}；目标{ctx.target:g}分：{ctx.plan.message}")
    for dept, pkg in packages.items():
        todo = "" if pkg.unreported is None else f"，未报数据{len(pkg.unreported)}项"
        print(f"  {dept}：失分{pkg.lost:.2f}分（分摊{pkg.lost_share:.2f}分），措施{len(pkg.actions)}项"
              f"（+{pkg.gain:.2f}分）{todo} → {paths[dept]}")
    print(f"共{len(packages)}个部门任务包；失分之和{ctx.rollup_lost:.2f}分（共担指标在每个部门全额计入，等于按部门汇总），"
          f"分摊失分之和{sum(p.lost_share for p in packages.values()):.2f}分（等于实际失分）")
    for dept, n in ctx.unassigned.items():
        print(f"提醒：{dept}不负责任何指标，没有任务包；其未报数据{n}项见 qstrong intake 的未填报清单", file=sys.stderr)
    if ctx.benchmark.notice:
        print(ctx.benchmark.notice)


class _Deadline(argparse.Action):
    """--deadline read as a date (2023年3月31日); a bad one joins the parser's list of problems, so it is
    said together with the other bad options (the parser is a ``ChineseParser``, whose list is shared)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from ..analysis.tasks import parse_deadline

        text, problem = parse_deadline(values)
        if problem:
            getattr(parser, "problems", []).append(problem)
        setattr(namespace, self.dest, text or values)


def register(sub, analysis_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the sub-command to `sub`; `analysis_parser(sub, name, help)` gives the shared county options."""
    t = analysis_parser(sub, "tasks", "部门任务包：每个责任部门一个Excel（指标与失分、达标措施、未报数据、填报情况、通知）")
    t.add_argument("--out", required=True, metavar="目录", help="任务包输出目录（不存在则创建；每个部门一个“部门名_任务包.xlsx”）")
    t.add_argument("--intake", metavar="目录", help="各部门报回的填报目录（列出未报数据和填报情况；默认不读取）")
    t.add_argument("--resolve", metavar="文件", help="与 --intake 同用：裁定文件CSV（默认无）")
    t.add_argument("--target", default="85", metavar="分数", help="最省力路径的目标总分（0～100，默认85）")
    t.add_argument("--deadline", action=_Deadline, metavar="日期", help="报送截止日期，如 2023-03-31 或 2023年3月31日（默认：以领导小组办公室通知为准）")
    t.add_argument("--effort", metavar="文件", help="工作量表CSV：measure,effort,per,note（默认：随包附带的工作量表）")
    t.set_defaults(func=cmd_tasks)
