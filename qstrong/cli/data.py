"""Data commands: catalog, measures, score, templates, intake (the county analyses are in ``analysis.py``)."""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from ..benchmark import count_invented, peer_provenance, ranks, share_words, shares, stamp, stamped
from ..catalog import load_catalog
from ..display import VETO_EFFECT, clip, pad, scorecard_text
from ..measures import fmt_num, load_measures
from ..scoring import ROUND, STATUS_ZH, clean, score_panel
from ..vocabulary import for_people
from ..writers import Output, check_outputs, data_notice, format_output, frame_to_csv, to_json
from .analysis import _remind
from .common import _benchmark, _config, _emit, _read_panel, _write_csv

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
    from ..intake.templates import requirement

    cat = load_catalog()
    lines = [f"{m.id:<34} {pad(m.kind, 8)} {pad(m.unit, 6)} {m.name_zh}（{requirement(cat, m)}）"
             for m in cat.measures.values()]
    _emit("\n".join(lines), args.out)
    return 0

def cmd_score(args: argparse.Namespace) -> int:
    args.format, out = format_output(args.out, args.format, "计分输出文件")
    check_outputs(out)
    if args.all:
        panel = _all_panel(args)
        ps = score_panel(panel, args.year, _all_config(args))
        df = ranked(ps.to_frame().round(ROUND))
        unknown, unscored = veto_unknown(ps), unscored_notes(ps)
        if args.format == "json":
            _emit(to_json({"year": ps.year, "counties": [
                {"county": c, "total": clean(r["total"]), "rank": int(r["rank"]), "rank_note": r["rank_note"],
                 "complete": bool(r["complete"]), "vetoed": bool(r["vetoed"]),
                 "veto_unknown": [] if r["vetoed"] else unknown[c], "unscored": unscored_ids(ps, c),
                 "scores": {str(i): clean(ps.scores.at[c, i]) for i in ps.scores.columns}}
                for c, r in df.iterrows()]}), args.out)
        df = with_veto_text(df, unknown)
        df["note"] = unscored
        df.columns = [f"指标{c}" if isinstance(c, int) else c for c in df.columns]
        line, scored = _all_line(args, ps), panel.data[panel.data["year"] == ps.year]
        print(line, file=sys.stderr)
        if args.format == "csv":
            _write_csv(stamp(df, line, data_notice(count_invented(scored))), args.out)
        elif args.format != "json":
            _emit(for_people(df).round(4).to_string(index=False), args.out)
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


VETOED = f"一票否决：{VETO_EFFECT}"
INCOMPLETE = "数据不完整：缺数据的指标未计分，总分与排名偏低"


def ranked(df):
    """score --all's frame with the rank of each county's total among the panel's (ties the same rank)
    after the total, and what a rank does not say (vetoed, incomplete data) in rank_note."""
    out = df.copy()
    out.insert(out.columns.get_loc("total") + 1, "rank", ranks(out["total"]))
    note = pd.Series("", index=out.index, dtype=object)
    note = note.where(~out["vetoed"], VETOED)
    both = out["vetoed"] & ~out["complete"]
    note = note.where(out["complete"], INCOMPLETE).where(~both, f"{VETOED}；{INCOMPLETE}")
    out["rank_note"] = note
    return out


def veto_unknown(ps) -> dict[str, list[str]]:
    """Per county, the veto items it has not reported (measure ids; one pass per veto item)."""
    gaps = {m: np.isnan(np.asarray(ps.env[m], dtype=float)) for m in ps.catalog.veto.measures}
    return {c: [m for m, g in gaps.items() if g[i]] for i, c in enumerate(ps.counties)}


def with_veto_text(df: pd.DataFrame, unknown: dict[str, list[str]]) -> pd.DataFrame:
    """The vetoed column for people: 是, 否, or 无法判断（未填报：names） — unknown is not “not triggered”."""
    names = load_measures()
    text = pd.Series({c: "是" if v else ("无法判断（未填报：" + "、".join(
        names[m].name_zh if m in names else m for m in unknown[c]) + "）" if unknown[c] else "否")
        for c, v in df["vetoed"].items()}, dtype=object)
    out = df.copy()
    out["vetoed"] = text.reindex(out.index)
    return out


def unscored_ids(ps, county: str) -> list[int]:
    """Indicators of `county` unscored although reported (a growth from a zero base)."""
    row = ps.uncomputable.loc[county]
    return [int(i) for i in row.index[row.to_numpy()]]


def unscored_notes(ps) -> pd.Series:
    """Per county, why an indicator is blank although its data are complete (说明 column)."""
    unc = ps.uncomputable
    out = pd.Series("", index=unc.index, dtype=object)
    for ind in unc.columns[unc.any(axis=0).to_numpy()]:
        note = f"指标{ind}：{STATUS_ZH['zero_base']}，未计分（数据已填报）"
        out = out.where(~unc[ind], (out + "；").where(out != "", "") + note)
    return out


def _all_line(args: argparse.Namespace, ps) -> str:
    """--all's benchmark line: every county scored, each against all the others."""
    changes = ps.config.differences(ps.catalog)
    reading = f"自定义解读（{'；'.join(changes)}）" if changes else "默认解读"
    who = "面板与对标面板" if args.peer_panel else "面板"
    line = f"对标：{who}中全部{len(ps.counties)}个县（市、区）互为对标 · {ps.year}年 · {reading}"
    if "source" in ps.panel.data.columns:          # every county's values of the year (none is evaluated)
        line += " · " + share_words(*shares(peer_provenance(ps.panel, "", ps.year), ps.catalog))
    if args.peer_panel:
        line += ("（面板中的各县都参加排名：与单县计分——默认只以对标面板的其他县为对标——的总分、排名可能不同，"
                 "单县计分加 --panel-counties-as-peers 即与此一致）")
    vetoed = int(ps.vetoed.sum())
    if vetoed and ps.config.vetoed_peers == "exclude":
        line += (f"（其中{vetoed}个县触发一票否决：此处照常设标杆、列出排名，见排名说明；单县计分时它们作为对标县"
                 "按“直接取消资格”不参与对标，总分、排名可能不同）")
    return line


def _all_config(args: argparse.Namespace):
    """--all's reading: no county is evaluated (each is scored against all), so nothing is imputed."""
    cfg = _config(args)
    if cfg is not None and cfg.impute_peers != "none":
        print("提醒：--all 为面板中每个县计分、各县互为对标，没有被评价县，不插补缺失值（impute_peers 不起作用）",
              file=sys.stderr)
        cfg = cfg.with_impute_peers("none")
    return cfg


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
    from ..intake.report import chase_table, report_about, write_report

    res = intake(args.folder, year=args.year, county=args.county, resolutions=args.resolve, evidence=args.evidence)
    print(res.report())
    check_outputs(Output(args.report, "收集报告输出文件", (".xlsx", ".html", ".htm")),
                  Output(args.chase, "未填报清单输出文件", (".csv",)), Output(args.out, "面板输出文件", (".csv",)))
    if args.report:
        notes: list[str] = []
        write_report(res, args.report, notes, report_about(res, args.resolve))
        print(f"收集报告已写入 {args.report}")
        _remind(notes)
    if args.chase:
        frame_to_csv(chase_table(res), args.chase, "未填报清单输出文件", index=False)
        print(f"未填报清单已写入 {args.chase}")
    if not res.ok:
        return 2
    panel = res.to_panel()
    if args.out:
        frame_to_csv(res.panel.set_index("county"), args.out, "面板输出文件", panel=True)
        print(f"面板已写入 {args.out}（{len(panel.data)} 个数据值）")
    return 0

