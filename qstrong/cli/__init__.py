"""The ``qstrong`` command (thin shells over the Python API): the parser, data commands (catalog,
measures, score, templates, intake) here, the county analyses in ``cli/analysis.py``.

Exit codes: 0 success, 2 bad input (every problem listed in Chinese), 1 an unreachable target,
3 a fault of the program itself (said in Chinese; QSTRONG_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys

from ..benchmark import stamped
from ..catalog import load_catalog
from ..display import clip, pad, scorecard_text
from ..errors import InputError
from ..measures import fmt_num, load_measures
from ..scoring import ROUND, clean, score_panel
from ..writers import Output, check_outputs, format_output, frame_to_csv, to_json, visible_text
from .analysis import (
    _remind,
    cmd_gaps,
    cmd_path,
    cmd_project,
    cmd_report,
    cmd_required,
    cmd_sensitivity,
    cmd_whatif,
)
from .common import (
    AS_PEERS_HELP,
    PEER_PANEL_HELP,
    PEERS_HELP,
    _benchmark,
    _config,
    _emit,
    _read_panel,
    _write_csv,
)
from .options import ChineseParser

FORMAT_HELP = "输出格式：table（表格文本，默认）、csv、json；给了 --out 而未给 --format 时按扩展名确定"
OUT_HELP = "写入文件而非屏幕：.txt（表格）、.csv 或 .json，须与 --format 相符"
RULE_ZH = {"rule": "规则计分", "efficacy": "功效系数法", "mixed": "规则+功效"}

def cmd_catalog(args: argparse.Namespace) -> int:
    args.format, out = format_output(args.out, args.format, "目录输出文件")
    check_outputs(out)
    cat = load_catalog()
    df = cat.to_frame()
    if args.format == "csv":
        _write_csv(df, args.out)
        return 0
    if args.format == "json":
        _emit(to_json(df.reset_index().to_dict(orient="records")), args.out)
        return 0
    lines = [f"{cat.meta['title']}（{cat.meta['source']}）", cat.meta["summary"], ""]
    for ind in cat.indicators:
        lines.append(f"{ind.id:>2}  {pad(ind.level1, 12)} {pad(ind.level2, 12)} {fmt_num(ind.points):>2}分  "
                     f"{pad(RULE_ZH[ind.rule_kind], 10)} {clip(ind.criterion, 40)}")
        lines.append(f"      责任部门：{'、'.join(ind.departments)}")
    lines.append("")
    lines.append(f"一票否决项：{cat.veto.criterion}")
    lines.append(f"      责任部门：{'、'.join(cat.veto.departments)}")
    _emit("\n".join(lines), args.out)
    return 0

def cmd_measures(args: argparse.Namespace) -> int:
    check_outputs(format_output(args.out, None, "数据项清单输出文件", ("table",))[1])
    lines = [f"{m.id:<34} {pad(m.kind, 8)} {pad(m.unit, 6)} {m.name_zh}（{m.describe_allowed()}）"
             for m in load_measures().values()]
    _emit("\n".join(lines), args.out)
    return 0

def cmd_score(args: argparse.Namespace) -> int:
    args.format, out = format_output(args.out, args.format, "计分输出文件")
    check_outputs(out)
    if args.all:
        ps = score_panel(_all_panel(args), args.year, _config(args))
        df = ps.to_frame().round(ROUND)
        df.columns = [f"指标{c}" if isinstance(c, int) else c for c in df.columns]
        if args.format == "json":
            _emit(to_json({"year": ps.year, "counties": [
                {"county": c, "total": clean(r["total"]), "complete": bool(r["complete"]),
                 "vetoed": bool(r["vetoed"]),
                 "scores": {str(i): clean(ps.scores.at[c, i]) for i in ps.scores.columns}}
                for c, r in df.iterrows()]}), args.out)
        elif args.format == "csv":
            _write_csv(df, args.out)
        else:
            _emit(df.round(4).to_string(), args.out)
        return 0
    bench = _benchmark(args)
    card = bench.scores.county(bench.county)
    if args.format == "json":
        _emit(to_json({**card.to_dict(), "rank": bench.rank(), "rank_text": bench.rank_text(),
                       "benchmark": bench.to_dict()}), args.out)
    elif args.format == "csv":
        _write_csv(stamped(card.to_frame(), bench), args.out)
    else:
        _emit(f"{bench.describe()}\n{scorecard_text(card, rank=bench.rank_text())}", args.out)
    return 0


def _all_panel(args: argparse.Namespace):
    """--all: every county of PANEL, plus --peer-panel's others (no one county, so no benchmark)."""
    own = _read_panel(args.panel)
    if not args.peer_panel:
        return own
    from ..panel import with_peers
    from ..peerdata import peer_panel_path

    return with_peers(own, _read_panel(peer_panel_path(args.peer_panel)), None)

def cmd_templates(args: argparse.Namespace) -> int:
    from ..intake.templates import write_templates

    paths = write_templates(args.out, county=args.county, year=args.year, deadline=args.deadline or "")
    print(f"已生成 {len(paths)} 个模板（{args.county} {args.year}年度）到 {args.out}：")
    for p in paths:
        print(f"  {p.name}")
    return 0

def cmd_intake(args: argparse.Namespace) -> int:
    from ..intake.collect import intake
    from ..intake.report import chase_table, write_report

    res = intake(args.folder, year=args.year, county=args.county, resolutions=args.resolve, evidence=args.evidence)
    print(res.report())
    check_outputs(Output(args.report, "收集报告输出文件", (".xlsx", ".html", ".htm")),
                  Output(args.chase, "未填报清单输出文件", (".csv",)), Output(args.out, "面板输出文件", (".csv",)))
    if args.report:
        notes: list[str] = []
        write_report(res, args.report, notes)
        print(f"收集报告已写入 {args.report}")
        _remind(notes)
    if args.chase:
        frame_to_csv(chase_table(res), args.chase, "未填报清单输出文件", index=False)
        print(f"未填报清单已写入 {args.chase}")
    if not res.ok:
        return 2
    panel = res.to_panel()
    if args.out:
        frame_to_csv(res.panel.set_index("county"), args.out, "面板输出文件")
        print(f"面板已写入 {args.out}（{len(panel.data)} 个数据值）")
    return 0

def _analysis_parser(sub, name: str, help: str, year: bool = True) -> argparse.ArgumentParser:
    """A sub-command over one county of a panel: PANEL, --county, --year, --peers, --peer-panel, --config."""
    p = sub.add_parser(name, help=help)
    p.add_argument("panel", help="面板CSV：county,year,measure,value")
    p.add_argument("--county", required=True, help="被评价的县（市、区），如 临淄区")
    if year:
        p.add_argument("--year", help="评价年度（2000～2100；默认：面板中最新年份）")
    p.add_argument("--peers", default="shandong", help=PEERS_HELP)
    p.add_argument("--peer-panel", help=PEER_PANEL_HELP)
    p.add_argument("--panel-counties-as-peers", action="store_true", help=AS_PEERS_HELP)
    p.add_argument("--config", help="计分配置JSON（功效系数法设置与解读变体）")
    return p

def build_parser() -> argparse.ArgumentParser:
    p = ChineseParser(prog="qstrong", description="山东省质量强县（市、区）评价：指标目录与自评计分")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("catalog", help="打印指标目录（43项三级指标、分值、评价标准、责任部门）")
    c.add_argument("--format", choices=["table", "csv", "json"], help=FORMAT_HELP)
    c.add_argument("--out", help=OUT_HELP)
    c.set_defaults(func=cmd_catalog)

    m = sub.add_parser("measures", help="打印数据项清单（各部门填报的原始数据）")
    m.add_argument("--out", help="写入文件（.txt）而非屏幕")
    m.set_defaults(func=cmd_measures)

    s = sub.add_parser("score", help="按评价标准为面板中的县（市、区）计分")
    s.add_argument("panel", help="面板CSV：county,year,measure,value（UTF-8，可带BOM）")
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--county", help="被评价的县（市、区），如 临淄区")
    who.add_argument("--all", action="store_true", help="为面板中所有县（市、区）计分")
    s.add_argument("--year", help="评价年度（2000～2100；默认：面板中最新年份）")
    s.add_argument("--format", choices=["table", "csv", "json"], help=FORMAT_HELP)
    s.add_argument("--config", help="计分配置JSON（功效系数法设置与解读变体）")
    s.add_argument("--out", help=OUT_HELP)
    s.add_argument("--peer-panel", help=PEER_PANEL_HELP)
    s.add_argument("--peers", default="shandong", help=PEERS_HELP)
    s.add_argument("--panel-counties-as-peers", action="store_true", help=AS_PEERS_HELP)
    s.set_defaults(func=cmd_score)

    g = _analysis_parser(sub, "gaps", "失分分析：各指标失分、原因、挽回办法、责任部门、速赢清单")
    g.add_argument("--out", help="表格输出：.xlsx（多个工作表）或 .csv（指标表）")
    g.add_argument("--charts", help="图表输出目录（PNG）")
    g.set_defaults(func=cmd_gaps)

    w = _analysis_parser(sub, "whatif", "情景分析：与基线逐项比较得分、总分和排名")
    w.add_argument("--scenario", action="append", required=True,
                   help="情景文件（.yaml/.json），或预置情景 plan2025（规划目标2025）；可重复")
    w.add_argument("--out", help="逐项得分CSV")
    w.add_argument("--charts", help="图表输出目录（按二级指标比较情景）")
    w.set_defaults(func=cmd_whatif)

    q = _analysis_parser(sub, "required", "功效系数法指标达到目标分所需的数值（闭式求解）")
    q.add_argument("--share", help="目标为各指标分值的比例（0～1，默认1，即满分）")
    q.add_argument("--indicator", help="只看一个功效系数法指标（指标编号）")
    q.add_argument("--points", help="与 --indicator 一起：该指标的目标分（0～该指标分值）")
    q.add_argument("--out", help="CSV输出")
    q.set_defaults(func=cmd_required)

    pj = _analysis_parser(sub, "project", "趋势外推：各数据项按线性/复合增长外推至目标年，计分并给出区间", year=False)
    pj.add_argument("--to", default=2025, help="外推至哪一年（面板最后一年之后、至多30年；默认2025）")
    pj.add_argument("--scenario", nargs="+", help="情景文件或预置情景 plan2025：在目标年与趋势比较")
    pj.add_argument("--draws", default=200, help="得分区间的抽样次数（1～1000000，默认200）")
    pj.add_argument("--seed", default=0, help="抽样随机种子（0～4294967295，默认0）")
    pj.add_argument("--out", help="外推数值CSV（county,year,measure,value,lower,upper,method,note,actual）")
    pj.add_argument("--charts", help="图表输出目录（各数据项轨迹；有情景时另加按二级指标比较）")
    pj.set_defaults(func=cmd_project)

    pa = _analysis_parser(sub, "path", "最省力路径：以最少工作量达到目标分数的措施清单（按责任部门）")
    pa.add_argument("--target", required=True, help="目标总分（0～100）")
    pa.add_argument("--effort", help="工作量表CSV：measure,effort,per,note（未列出的数据项取默认值）")
    pa.add_argument("--out", help="方案表CSV")
    pa.set_defaults(func=cmd_path)

    e = _analysis_parser(sub, "sensitivity", "敏感性分析：规则解读、权重不确定性、逐项变动、Sobol指数")
    e.add_argument("--draws", default=10_000, help="权重抽样次数（1～1000000，默认10000）")
    e.add_argument("--seed", default=0, help="随机种子（0～4294967295，默认0）")
    e.add_argument("--spread", default=0.25, help="权重扰动幅度（0≤s<1，默认0.25即±25%%）")
    e.add_argument("--dirichlet", action="store_true", help="用Dirichlet分布抽样权重")
    e.add_argument("--sobol", choices=["weights", "inputs", "none"], default="weights")
    e.add_argument("--sobol-n", default=1024, help="Sobol基础样本数N（16～65536的2的整数次幂，默认1024）")
    e.add_argument("--out", help="结果表格（.xlsx）")
    e.add_argument("--charts", help="图表输出目录")
    e.set_defaults(func=cmd_sensitivity)

    r = sub.add_parser("report", help="执行分析笔记本并生成离线HTML报告（差距、情景与预测、敏感性、部门任务）")
    r.add_argument("--county", required=True)
    r.add_argument("--panel", help="本县数据：面板CSV（与 --intake 同用时补充历年数据）")
    r.add_argument("--intake", help="本县数据：各部门报回的填报目录（当年）")
    r.add_argument("--year", help="评价年度（2000～2100）")
    r.add_argument("--peers", default="shandong", help=PEERS_HELP)
    r.add_argument("--peer-panel", default="shandong", help=PEER_PANEL_HELP)
    r.add_argument("--panel-counties-as-peers", action="store_true", help=AS_PEERS_HELP)
    r.add_argument("--scenario", action="append", help="情景文件或预置情景（默认 plan2025）；可重复")
    r.add_argument("--target", default=85.0, help="最省力路径的目标总分（0～100，默认85）")
    r.add_argument("--draws", default=10_000, help="敏感性分析的权重抽样次数（1～1000000）")
    r.add_argument("--seed", default=0, help="随机种子（0～4294967295）")
    r.add_argument("--out", default="reports", help="输出目录（默认 reports/）")
    r.add_argument("--notebooks", help="笔记本目录（默认仓库中的 notebooks/）")
    r.set_defaults(func=cmd_report)

    t = sub.add_parser("templates", help="按责任部门生成Excel填报模板（另附全部数据项汇总表）")
    t.add_argument("--out", default="data/templates")
    t.add_argument("--year", default=2022, help="模板年度（2000～2100）")
    t.add_argument("--county", default="临淄区")
    t.add_argument("--deadline", help="报送截止日期（写入填报说明）")
    t.set_defaults(func=cmd_templates)

    i = sub.add_parser("intake", help="读取各部门报回的模板，校验并汇总为面板")
    i.add_argument("folder", help="存放报回工作簿的目录（含子目录）")
    i.add_argument("--year", type=int, help="本次收集的年度（模板年度不符即报错）")
    i.add_argument("--county", help="本次收集的县（市、区）")
    i.add_argument("--out", help="面板CSV输出（含每个值的来源）")
    i.add_argument("--report", help="收集报告（.xlsx 或 .html）：逐格记录、问题清单、未填报清单")
    i.add_argument("--chase", help="未填报清单CSV")
    i.add_argument("--resolve", help="裁定文件CSV：measure,department 或 measure,value，可加 note")
    i.add_argument("--evidence", choices=["warn", "strict", "off"], default="warn",
                   help="“佐证材料”为空的填报值如何处理：warn（默认）照常采用，逐格提醒并列入未填报清单（状态“缺佐证”）；"
                        "strict 按填报说明“无佐证材料的数据不予采用”，作为错误拒绝；off 不检查")
    i.set_defaults(func=cmd_intake)
    return p

INTERNAL_ERROR = 3


class _Visible:
    """A stream whose text shows control characters as ``\\x1b`` (:func:`writers.visible_text`): nothing a
    county name, note or message carries can drive the terminal."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(visible_text(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """The command line; everything it prints to stdout and stderr goes through :class:`_Visible`."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Visible(sys.stdout), _Visible(sys.stderr)
    try:
        return _main(argv)
    finally:
        if isinstance(sys.stdout, _Visible):
            sys.stdout = saved[0]
        sys.stderr = saved[1]


def _main(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except InputError as exc:          # panels, scenarios, configs, options, outputs: every problem listed
        print(exc.report(), file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 — a fault of the program, said in Chinese, never a traceback
        if os.environ.get("QSTRONG_DEBUG"):
            raise
        print(f"程序内部错误（{type(exc).__name__}：{exc}）。这不是输入数据的问题：请把所用的命令和输入文件"
              "交给维护人员；设置环境变量 QSTRONG_DEBUG=1 再运行可显示详细信息。", file=sys.stderr)
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
