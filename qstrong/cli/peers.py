"""The ``qstrong peers`` sub-command: ``peers import`` reads yearbook and bulletin tables into the peer panel
(:func:`qstrong.yearbook.importer.import_tables`, then :mod:`qstrong.yearbook.merge`); written, never
computed, here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..measures import fmt_num
from ..paths import register_input
from ..textfiles import take_notes
from ..writers import About, Output, check_outputs, frames_to_xlsx
from ..yearbook.reader import ENGINES

FILES_HELP = ("年鉴、公报等表格文件（.xlsx/.xls/.csv，UTF-8或GBK/GB18030均可；各县一行，指标或年份各一列，"
              "一至两行表头，单位写在表头或“单位：”行）；可给多个")
YEAR_HELP = "表格的年度（2000～2100）：表中县名按该年的区划识别，数据记为该年（映射文件可逐表另定）"
MAP_HELP = ("映射文件（.yaml/.yml/.json）：哪一列是哪个数据项、单位、合并县是否相加（merged: sum）、年份列；"
            "不给时按表头与数据项中文名称匹配，只采用完全一致的")
BASE_HELP = "导入到哪个对标面板：shandong（随包附带的山东省136个县（市、区）面板，默认）或面板CSV路径"
ZH = {"file": "文件", "sheet": "工作表", "column": "列", "header": "表头", "measure": "数据项编号", "name_zh": "数据项",
      "unit": "数据项单位", "from_unit": "表中单位", "factor": "换算系数", "how": "匹配方式", "score": "相似度",
      "year": "年份", "used": "是否导入", "county": "县（市、区）", "code": "今区划代码", "value": "数值",
      "source": "数据来源", "cell": "单元格", "printed_name": "表中名称", "table_year": "表格年度",
      "year_code": "表格年度区划代码", "tolerance": "舍入容差"}
MERGE_ZH = {"county": "县（市、区）", "year": "年份", "measure": "数据项编号", "value": "数值", "source": "数据来源",
            "place": "位置", "old": "原数值", "new": "新数值", "old_source": "原数据来源", "was_real": "原为真实数据",
            "derived": "由上年值推出", "chosen": "是否采用", "rule_line": "裁定文件行号", "other_value": "另一数值",
            "other_source": "另一来源", "other_place": "另一位置", "tolerance": "舍入容差", "note": "说明",
            "fate": "结果", "cand": "候选序号", "order": "导入序号", "real": "是否真实数据"}
NOTHING = ("没有可写入的数值：{why}；未写入任何文件（请核对表格年份、--year 与映射文件的 columns/years，"
           "或用 --dry-run 查看匹配）")
ROWS_ZH = {"file": "文件", "sheet": "工作表", "cell": "单元格", "printed_name": "表中名称", "prefecture": "所属地级市",
           "table_year": "表格年度", "status": "结果", "how": "识别方式", "year_code": "表格年度区划代码",
           "code": "今区划代码", "county": "今县（市、区）", "change": "其间变化", "message": "说明"}


def register(sub) -> None:
    """Add ``peers`` (with ``peers import``) to `sub`."""
    p = sub.add_parser("peers", help="对标面板：导入统计年鉴、统计公报等表格中的真实数据")
    ps = p.add_subparsers(dest="peers_command", required=True)
    i = ps.add_parser("import", help="把年鉴、公报表格中的各县数据导入对标面板（按区划沿革识别县名，单位换算，逐值记录来源）")
    i.add_argument("files", nargs="+", metavar="FILE", help=FILES_HELP)
    i.add_argument("--year", required=True, help=YEAR_HELP)
    i.add_argument("--map", dest="mapping", metavar="映射文件", help=MAP_HELP)
    i.add_argument("--out", help="导入后的对标面板CSV（不加 --dry-run 时必填）")
    i.add_argument("--base", default="shandong", metavar="面板", help=BASE_HELP)
    i.add_argument("--resolve", help="裁定文件CSV：两个真实来源不一致时采用哪一个")
    i.add_argument("--dry-run", action="store_true", help="只显示列与数据项的匹配、提醒和问题，不写任何文件")
    i.add_argument("--report", help="导入报告（.xlsx）：匹配、导入值、冲突、替换、覆盖情况")
    i.add_argument("--engine", choices=ENGINES, default="openpyxl", help="读取.xlsx的引擎：openpyxl（默认）或 calamine")
    i.set_defaults(func=cmd_peers_import)


def matches_text(matches: pd.DataFrame) -> str:
    """The dry run's table: each column → measure, how matched, unit and factor, used or not."""
    lines = ["列与数据项的匹配："]
    for (file, sheet), g in matches.groupby(["file", "sheet"], sort=False):
        lines.append(f"  {file}" + (f"（工作表“{sheet}”）" if sheet else ""))
        for r in g.itertuples(index=False):
            if not r.measure:
                why = "表头是年份，见提醒中映射文件的写法" if r.how == "表头为年份" else "未匹配到数据项"
                lines.append(f"    第{r.column}列“{r.header}”：{why}，不导入")
                continue
            unit = (f"，表中单位{r.from_unit}×{fmt_num(r.factor, 10)}→{r.unit}" if isinstance(r.factor, float)
                    and r.factor == r.factor else f"，表中单位{r.from_unit or '缺失'}（数据项单位{r.unit}）")
            score = f"（相似度{fmt_num(r.score)}）" if r.how == "表头近似" else ""
            lines.append(f"    第{r.column}列“{r.header}” → {r.measure}（{r.name_zh}），{r.how}{score}{unit}，"
                         f"记为{int(r.year)}年：{'导入' if r.used else '不导入（请确认后写入映射文件）'}")
    return "\n".join(lines)


def rows_text(rows: pd.DataFrame) -> str:
    """The dry run's row table: each printed name → today's county (code), how; skipped and unresolved rows."""
    lines = ["行匹配（表中名称 → 今县（市、区））："]
    for (file, sheet), g in rows.groupby(["file", "sheet"], sort=False):
        lines.append(f"  {file}" + (f"（工作表“{sheet}”，{int(g['table_year'].iloc[0])}年区划）" if sheet
                                    else f"（{int(g['table_year'].iloc[0])}年区划）"))
        for r in g.itertuples(index=False):
            if r.status == "已识别":
                change = {"合并": "，其间合并（列写 merged: sum 才相加导入）", "拆分": "，其间拆分（不导入）",
                          "乡镇划转": "，其间有乡镇划转"}.get(r.change, "")
                what = f" → {r.county}（{r.code}），{r.how}{change}"
            elif r.status in ("无法识别", "对应多个区划", "同一区划出现多行"):
                what = f"：{r.status}（{r.message}）"
            else:
                what = f"：{r.status}"
            lines.append(f"    {r.cell} {r.printed_name}{what}")
    return "\n".join(lines)


def _print(title: str, items: list[str], stream=None) -> None:
    stream = stream or sys.stdout          # looked up now: main() wraps it (control characters made visible)
    if items:
        print(f"{title}（{len(items)}条）：", file=stream)
        for k, x in enumerate(items, 1):
            print(f"  {k}. {x}", file=stream)


def cmd_peers_import(args: argparse.Namespace) -> int:
    from ..yearbook.importer import import_tables

    for p in (args.mapping, args.resolve):
        if p and Path(p).is_file():
            register_input(p)
    im = import_tables(args.files, args.year, args.mapping, engine=args.engine)
    im.notes += take_notes()           # the mapping file's encoding: in 提醒 and the report, not only at exit
    print(matches_text(im.matches))
    if not im.rows.empty:
        print(rows_text(im.rows))
    print(f"可导入{len(im.values)}个数值（{im.values['county'].nunique()}个县（市、区））")
    _print("提醒", im.notes)
    if args.dry_run:
        _print("问题", im.problems, sys.stderr)
        print("（--dry-run：未写入任何文件）")
        return 2 if im.problems else 0
    merged, base_path = _merged(args, im)
    return _written(args, im, merged, base_path)


def _merged(args: argparse.Namespace, im) -> tuple:
    """The import merged into the base, after every stage's problems (the tables and mapping, the outputs,
    the base panel, the resolutions file) were listed at once; InputError when there are any."""
    from ..yearbook.basepanel import load_base
    from ..yearbook.merge import heading, merge_into
    from ..yearbook.resolutions import read_resolutions

    outputs: list[str] = []
    if not args.out:
        outputs.append("--out：请给出导入后的对标面板CSV路径（只想查看匹配时用 --dry-run）")
    try:
        check_outputs(Output(args.out, "对标面板输出文件", (".csv",)), Output(args.report, "导入报告输出文件", (".xlsx",)))
    except InputError as exc:
        outputs += exc.problems
    base, base_path, based = load_base(args.base)
    resolutions, rules = None, []
    if args.resolve:
        resolutions, rules = read_resolutions(args.resolve, base, args.files)
    problems = [*im.problems, *outputs, *based, *rules]
    if problems:
        raise InputError(problems, heading(rules=len(rules), base=len(based), tables=len(im.problems),
                                           outputs=len(outputs)))
    if im.values.empty:
        raise InputError([NOTHING.format(why="表格中没有导入的数值")])
    merged = merge_into(base, im.values, resolutions)
    if merged.problems:
        raise InputError(list(merged.problems), merged.heading)
    if (merged.replaced.empty and merged.added.empty and merged.agreed.empty and not merged.derived
            and not merged.resolved):       # values agreeing with real ones are confirmed: the copy is written
        raise InputError([NOTHING.format(why="导入的数值都不在对标面板的年份、县中")
                          + "".join(f"；{n}" for n in merged.summary)])
    return merged, base_path


def _written(args: argparse.Namespace, im, merged, base_path: Path) -> int:
    from ..yearbook.coverage import coverage, coverage_text
    from ..yearbook.merge import write_panel

    inputs = [("年鉴表格", f) for f in args.files] + [("映射文件", args.mapping), ("裁定文件", args.resolve),
                                                   ("基础对标面板", str(base_path))]
    inputs = [(role, p) for role, p in inputs if p]
    out = write_panel(merged, args.out, [p for _, p in inputs])
    for line in merged.summary:
        print(line)
    cov = coverage(merged.panel)
    print(coverage_text(cov))
    print(f"对标面板已写入 {out}")
    if args.report:
        frames = {"匹配": im.matches.rename(columns=ZH), "行匹配": im.rows.rename(columns=ROWS_ZH),
                  "导入值": im.values.rename(columns=ZH),
                  "冲突": merged.conflicts.rename(columns=MERGE_ZH), "替换": merged.replaced.rename(columns=MERGE_ZH),
                  "覆盖情况": cov, "提醒": pd.DataFrame({"提醒": im.notes or ["无"]})}
        about = About.of("年鉴表格导入报告", None, inputs)
        notes: list[str] = []
        frames_to_xlsx(frames, args.report, index=False, what="导入报告输出文件", notes=notes, about=about)
        for n in notes:
            print(f"提醒：{n}", file=sys.stderr)
        print(f"导入报告已写入 {args.report}")
    return 0
