"""The ``qstrong audit`` sub-command (registered by ``parser.build_parser``): the statistical audit of the
index (:func:`qstrong.analysis.audit.audit`), printed in Chinese or as JSON, its tables written to xlsx,
its charts to PNG (:func:`qstrong.charts.audit.audit_charts`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..writers import Output, check_outputs, frames_to_xlsx, to_json
from .common import _about, _benchmark


def register(sub, analysis_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``audit`` to `sub` with the shared county options of `analysis_parser`."""
    p = analysis_parser(sub, "audit", "统计审计：指标统计、相关性、克朗巴哈α、主成分、重要性与名义权重（按JRC/COINr）")
    p.add_argument("--out", help="结果表格（.xlsx）")
    p.add_argument("--charts", help="图表输出目录（PNG：相关系数热力图、重要性与名义权重、克朗巴哈α）")
    p.add_argument("--format", choices=["text", "json"], default="text", help="屏幕输出格式：text（中文，默认）或 json")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    from ..analysis.audit import audit

    check_outputs(Output(args.out, "结果表格输出文件", (".xlsx",)), Output(args.charts, "图表输出目录", directory=True))
    rep = audit(_benchmark(args))
    if args.format == "json":
        print(to_json(rep.to_dict()))
    else:
        print(rep)
    if args.out:
        notes: list[str] = []
        bench = rep.benchmark
        frames_to_xlsx(rep.frames(), args.out, what="结果表格输出文件", notes=notes,
                       about=_about(args, f"{bench.county} {bench.year}年 统计审计", bench))
        for note in notes:
            print(f"提醒：{note}", file=sys.stderr)
        print(f"\n结果已写入 {args.out}", file=sys.stderr if args.format == "json" else sys.stdout)
    if args.charts:
        from ..charts import save
        from ..charts.audit import audit_charts

        paths = save(audit_charts(rep), args.charts, rep.benchmark.describe())
        print(f"图表已写入 {args.charts}：{'、'.join(p.name for p in paths)}",
              file=sys.stderr if args.format == "json" else sys.stdout)
    return 0
