"""The ``qstrong brief``  sub-command (registered by ``parser.build_parser``): the leader's two-page Word brief."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..errors import InputError
from ..paths import register_folder, register_input
from ..writers import Output, check_outputs
from .common import _benchmark_with_intake

WHAT = "简报输出文件"
EXIT_CODES = ("退出码：0 简报已写出；1 简报已写出，但目标总分无法达到（与 qstrong path、qstrong tasks 相同，"
              "简报和提醒中说明）；2 输入或参数有误，未写出简报。")


def register(sub, analysis_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the sub-command to `sub`; `analysis_parser(sub, name, help)` gives the shared county options."""
    p = analysis_parser(sub, "brief", "领导简报：两页A4的Word文档（总分、排名、否决、完整性、两幅图、前五项措施、2025年展望、数据说明）")
    p.add_argument("--intake", metavar="目录", help="各部门报回的填报目录（当年；面板CSV补历年数据）：据此说明谁有数据未填报（默认不读取）")
    p.add_argument("--target", default="85", metavar="分数", help="最省力路径的目标总分（0～100，默认85）")
    p.add_argument("--date", metavar="日期", help="简报日期，如 2026-11-27 或 2026年11月27日（默认今天）")
    p.add_argument("--draws", default="10000", metavar="次数", help="排名区间的权重抽样次数（1～1000000，默认10000）")
    p.add_argument("--seed", default="0", metavar="种子", help="随机种子（0～4294967295，默认0）")
    p.add_argument("--effort", metavar="文件", help="工作量表CSV：measure,effort,per,note（默认：随包附带的工作量表）")
    p.add_argument("--out", required=True, metavar="文件", help="简报输出文件（.docx），如 简报.docx")
    p.epilog = EXIT_CODES
    p.set_defaults(func=cmd_brief)


def cmd_brief(args: argparse.Namespace) -> int:
    from ..reports.brief import brief_date, write_brief

    for path in (args.panel, args.config, args.effort):   # inputs are known before the output is checked
        if path:
            register_input(path)
    if args.intake:
        register_folder(args.intake)
    problems: list[object] = []                         # the output and the date, listed together
    for check in (lambda: check_outputs(Output(args.out, WHAT, (".docx",))), lambda: brief_date(args.date)):
        try:
            check()
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems, "简报参数有{n}处问题")
    bench, intake = _benchmark_with_intake(args)     # as tasks and report
    print(bench.describe())
    b = write_brief(bench, args.out, intake, target=args.target, date=args.date, draws=args.draws, seed=args.seed,
                    effort=args.effort)
    s = b.summary
    print(f"{bench.county} {bench.year}年：总分 {s.total:.2f}，{s.rank_text}；一票否决{s.veto_text}")
    print(f"简报已写入 {args.out}")
    if not s.plan.reached:             # as path and tasks: the brief is written, the exit code says the target is out of reach
        print(f"提醒：{s.plan.message}（简报已写出；退出码1）", file=sys.stderr)
        return 1
    return 0
