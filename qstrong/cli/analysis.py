"""Sub-commands over one county of a panel: gaps, whatif, required, project, path, sensitivity, report."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ..benchmark import stamped
from ..writers import Output, check_outputs, frame_to_csv, frames_to_xlsx
from .common import _about, _benchmark, _config_path, _save_charts

CHARTS = "图表输出目录"


def _remind(notes: list[str]) -> None:
    """What a writer had to change visibly (a text cut at Excel's cell limit): one 提醒 line each."""
    for note in notes:
        print(f"提醒：{note}", file=sys.stderr)


def cmd_gaps(args: argparse.Namespace) -> int:
    from ..analysis.gaps import gaps

    check_outputs(Output(args.out, "表格输出文件", (".xlsx", ".csv")), Output(args.charts, CHARTS, directory=True))
    rep = gaps(_benchmark(args))
    print(rep)
    if args.out:
        _write_gap_tables(rep, args.out, args)
        print(f"\n表格已写入 {args.out}")
    if args.charts:
        from ..charts import gap_charts

        _save_charts(gap_charts(rep), args.charts, rep.benchmark)
    return 0

def _title(bench, what: str) -> str:
    return f"{bench.county} {bench.year}年 {what}"

def _write_gap_tables(rep, out: str, args: argparse.Namespace) -> None:
    tables = {"指标": rep.indicators, "二级指标": rep.by_level("level2"), "一级指标": rep.by_level("level1"),
              "部门": rep.by_department(), "挽回措施": rep.steps.drop(columns=["targets"]),
              "功效系数指标": rep.efficacy}
    if out.lower().endswith(".xlsx"):
        notes: list[str] = []
        frames_to_xlsx(tables, out, what="表格输出文件", notes=notes,
                       about=_about(args, _title(rep.benchmark, "差距分析"), rep.benchmark))
        _remind(notes)
    else:
        frame_to_csv(stamped(rep.indicators, rep.benchmark), out, what="表格输出文件")

def cmd_whatif(args: argparse.Namespace) -> int:
    from ..analysis.scenarios import compare, load_scenario

    check_outputs(Output(args.out, "逐项得分输出文件", (".csv",)), Output(args.charts, CHARTS, directory=True))
    scenarios = [load_scenario(s) for s in args.scenario]
    cmp = compare(_benchmark(args), scenarios=scenarios)
    print(cmp)
    if args.out:
        frame_to_csv(stamped(cmp.scores.join(cmp.deltas().add_suffix("（变化）")).round(10), cmp.benchmark), args.out,
                     "逐项得分输出文件")
        print(f"\n逐项得分已写入 {args.out}")
    if args.charts:
        from ..charts import scenario_by_level2

        _save_charts({"scenario_by_level2": scenario_by_level2(cmp)}, args.charts, cmp.benchmark)
    return 0

def cmd_required(args: argparse.Namespace) -> int:
    from ..analysis.required import required_text, required_values

    check_outputs(Output(args.out, "所需数值输出文件", (".csv",)))
    points = {args.indicator: args.points} if args.points is not None else None
    df = required_values(_benchmark(args), share=args.share, points=points)
    bench = df.attrs["benchmark"]
    if args.indicator:
        df = df[df["indicator"] == args.indicator]
    print(required_text(df, args.county, args.indicator))
    if args.out:
        frame_to_csv(stamped(df.set_index("indicator"), bench), args.out, "所需数值输出文件")
    return 0

def cmd_project(args: argparse.Namespace) -> int:
    from ..analysis.projection import project
    from ..analysis.scenarios import distinct_names, load_scenario
    from ..display import num, score_changes

    check_outputs(Output(args.out, "外推数值输出文件", (".csv",)), Output(args.charts, CHARTS, directory=True))
    scenarios = [load_scenario(s) for s in args.scenario or []]
    distinct_names(scenarios)                  # before the projection runs, not after
    proj = project(_benchmark(args), to_year=args.to, draws=args.draws, seed=args.seed)
    print(proj)
    cmp = None
    if scenarios:
        cmp = proj.compare(scenarios)
        base = cmp.summary.loc["基线", "total"]
        print(f"\n{proj.to_year}年得分：趋势外推 {base:.2f}")
        for sc in scenarios:
            moved = score_changes(cmp, sc.name)
            print(f"  情景“{sc.name}”：{cmp.summary.loc[sc.name, 'total']:.2f}"
                  f"（{num(cmp.summary.loc[sc.name, 'delta'], sign=True)}）"
                  + ("；" + "；".join(moved) if moved else ""))
            for u in sc.unmapped:
                print(f"    · 不移动任何指标：{u['target']}——{u.get('note', '')}")
    if args.out:   # a panel (county,year,measure,value,…) read back as one: no 对标基准 column here
        frame_to_csv(_as_panel(proj.values.round(10)), args.out, "外推数值输出文件", index=False, panel=True)
        print(f"\n外推数值已写入 {args.out}")
    if args.charts:
        from ..charts import projection_charts

        _save_charts(projection_charts(proj, scenarios, cmp), args.charts, proj.benchmark)
    return 0

def _as_panel(values):
    """Projected values as a panel file holds them: yes/no measures as 是/否, levels by their id, so the
    file reads back (Panel.from_csv) as it was written."""
    from ..measures import load_measures

    ms = load_measures()
    out = values.copy()
    kind = out["measure"].map(lambda m: ms[m].kind if m in ms else "")
    num = out["value"]
    text = out["value"].astype(object)
    yes_no = (kind == "bool") & num.notna()
    text = text.where(~yes_no, num.map({1.0: "是", 0.0: "否"}))
    level = (kind == "level") & num.notna()
    ids = pd.Series([ms[m].levels[int(v)] if lv else None for m, v, lv in zip(out["measure"], num, level, strict=True)],
                    index=out.index, dtype=object)
    out["value"] = text.where(~level, ids)
    return out

def cmd_path(args: argparse.Namespace) -> int:
    from ..analysis.path import cheapest_path

    check_outputs(Output(args.out, "方案表输出文件", (".csv",)))
    plan = cheapest_path(_benchmark(args), target=args.target, effort=args.effort)
    print(plan)
    if args.out:
        frame_to_csv(stamped(plan.to_frame().set_index("indicator"), plan.benchmark), args.out, "方案表输出文件")
        print(f"\n方案表已写入 {args.out}")
    return 0 if plan.reached else 1  # 1: the target cannot be reached (the message says why)

def cmd_sensitivity(args: argparse.Namespace) -> int:
    from ..analysis.sensitivity import sensitivity

    check_outputs(Output(args.out, "结果表格输出文件", (".xlsx",)), Output(args.charts, CHARTS, directory=True))
    sa = sensitivity(_benchmark(args), draws=args.draws, seed=args.seed, spread=args.spread,
                     method="dirichlet" if args.dirichlet else "uniform",
                     sobol=None if args.sobol == "none" else args.sobol, sobol_n=args.sobol_n,
                     combined=not args.no_combined, input_error=args.input_error, readings=not args.no_readings)
    print(sa)
    if args.out:
        notes: list[str] = []
        frames_to_xlsx({"规则解读": sa.interpretations, "解读影响": sa.effects, "权重不确定性": sa.weights,
                        "逐项变动": sa.oat, **({"Sobol指数": sa.sobol} if sa.sobol is not None else {}),
                        **(sa.combined.frames() if sa.combined is not None else {})}, args.out,
                       what="结果表格输出文件", notes=notes,
                       about=_about(args, _title(sa.benchmark, "敏感性分析"), sa.benchmark))
        _remind(notes)
        print(f"\n结果已写入 {args.out}")
    if args.charts:
        from ..charts import sensitivity_charts

        _save_charts(sensitivity_charts(sa), args.charts, sa.benchmark)
    return 0

def cmd_report(args: argparse.Namespace) -> int:
    from ..reports.build import build_report

    if not args.panel and not args.intake:
        raise ValueError("需要 --panel 或 --intake（或两者）")
    def announce(bench) -> None:
        print(bench.describe())
        for note in bench.notes:
            print(f"提醒：{note}")

    index = build_report(args.county, panel=args.panel, intake=args.intake, peer_panel=args.peer_panel,
                         peers=args.peers, year=args.year, scenarios=tuple(args.scenario or ["plan2025"]),
                         target=args.target, draws=args.draws, seed=args.seed, out=args.out,
                         notebooks=args.notebooks, panel_counties_as_peers=args.panel_counties_as_peers,
                         announce=announce, config=_config_path(args, args.out))
    print(f"报告已生成：{index}")
    return 0
