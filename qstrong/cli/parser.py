"""The ``qstrong`` argument parser: every sub-command, its options and their Chinese help."""

from __future__ import annotations

import argparse

from . import audit, brief, explore, peers, tasks
from .analysis import cmd_gaps, cmd_path, cmd_project, cmd_report, cmd_required, cmd_sensitivity, cmd_whatif
from .common import AS_PEERS_HELP, IMPUTE_HELP, PEER_PANEL_HELP, PEERS_HELP
from .data import FORMAT_HELP, OUT_HELP, cmd_catalog, cmd_intake, cmd_measures, cmd_score, cmd_templates
from .options import ChineseParser

PANEL_HELP = ("面板CSV：county,year,measure,value 四列（或中文表头 县（市、区）,年份,数据项,数值）；"
              "UTF-8、GBK/GB18030 或 UTF-16（Excel“Unicode文本”）均可")
CONFIG_HELP = ("计分配置JSON（功效系数法设置、解读变体、触发一票否决的对标县是否参与对标 "
               "vetoed_peers、对标县缺失值是否插补 impute_peers；默认：目录的默认解读）")
IMPUTE_CHOICES = ("none", "median")


def _analysis_parser(sub, name: str, help: str, year: bool = True) -> argparse.ArgumentParser:
    """A sub-command over one county of a panel: PANEL, --county, --year, --peers, --peer-panel, --config,
    --impute-peers."""
    p = sub.add_parser(name, help=help)
    p.add_argument("panel", help=PANEL_HELP)
    p.add_argument("--county", required=True, help="被评价的县（市、区），如 临淄区")
    if year:
        p.add_argument("--year", help="评价年度（2000～2100；默认：面板中最新年份）")
    p.add_argument("--peers", default="shandong", help=PEERS_HELP)
    p.add_argument("--peer-panel", help=PEER_PANEL_HELP)
    p.add_argument("--panel-counties-as-peers", action="store_true", help=AS_PEERS_HELP)
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument("--impute-peers", choices=IMPUTE_CHOICES, help=IMPUTE_HELP)
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
    s.add_argument("panel", help=PANEL_HELP)
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--county", help="被评价的县（市、区），如 临淄区")
    who.add_argument("--all", action="store_true", help="为面板中所有县（市、区）计分")
    s.add_argument("--year", help="评价年度（2000～2100；默认：面板中最新年份）")
    s.add_argument("--format", choices=["table", "csv", "json"], help=FORMAT_HELP)
    s.add_argument("--config", help=CONFIG_HELP)
    s.add_argument("--impute-peers", choices=IMPUTE_CHOICES, help=IMPUTE_HELP)
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
    q.add_argument("--share", help="目标为各指标分值的比例（0～1；默认：1，即满分）")
    q.add_argument("--indicator", help="只看一个功效系数法指标（指标编号）")
    q.add_argument("--points", help="与 --indicator 一起：该指标的目标分（0～该指标分值）")
    q.add_argument("--out", help="CSV输出")
    q.set_defaults(func=cmd_required)

    pj = _analysis_parser(sub, "project", "趋势外推：各数据项按线性/复合增长外推至目标年，计分并给出区间", year=False)
    pj.add_argument("--to", default=2025, help="外推至哪一年（面板最后一年之后、至多30年）")
    pj.add_argument("--scenario", nargs="+", help="情景文件或预置情景 plan2025：在目标年与趋势比较")
    pj.add_argument("--draws", default=200, help="得分区间的抽样次数（1～1000000）")
    pj.add_argument("--seed", default=0, help="抽样随机种子（0～4294967295）")
    pj.add_argument("--out", help="外推数值CSV（county,year,measure,value,lower,upper,method,note,actual）")
    pj.add_argument("--charts", help="图表输出目录（各数据项轨迹；有情景时另加按二级指标比较）")
    pj.set_defaults(func=cmd_project)

    pa = _analysis_parser(sub, "path", "最省力路径：以最少工作量达到目标分数的措施清单（按责任部门）")
    pa.add_argument("--target", required=True, help="目标总分（0～100）")
    pa.add_argument("--effort", help="工作量表CSV：measure,effort,per,note（未列出的数据项取默认值）")
    pa.add_argument("--out", help="方案表CSV")
    pa.set_defaults(func=cmd_path)

    e = _analysis_parser(sub, "sensitivity", "敏感性分析：规则解读、权重不确定性、逐项变动、Sobol指数、综合不确定性")
    e.add_argument("--draws", default=10_000, help="权重抽样次数（1～1000000）")
    e.add_argument("--seed", default=0, help="随机种子（0～4294967295）")
    e.add_argument("--spread", default=0.25, help="权重扰动幅度（0≤s<1；0.25即各权重±25%%）")
    e.add_argument("--dirichlet", action="store_true", help="用Dirichlet分布抽样权重")
    e.add_argument("--sobol", choices=["weights", "inputs", "none"], default="weights",
                   help="Sobol指数：weights 按权重、inputs 按数据项、none 不计算")
    e.add_argument("--sobol-n", default=1024, help="Sobol基础样本数N（16～65536的2的整数次幂；也用于综合不确定性的分组Sobol指数）")
    e.add_argument("--input-error", default=0.0,
                   help="综合不确定性分析中本县数据的相对误差E（0≤E<1；0.05即本县每项功效系数法数据在±5%%内随机变动；"
                        "默认0：不考虑）")
    e.add_argument("--no-readings", action="store_true", help="综合不确定性分析中规则解读固定为所选解读（不随机抽取）")
    e.add_argument("--no-combined", action="store_true", help="不做综合不确定性分析（解读、权重与本县数据同时不确定）")
    e.add_argument("--out", help="结果表格（.xlsx）")
    e.add_argument("--charts", help="图表输出目录")
    e.set_defaults(func=cmd_sensitivity)

    r = sub.add_parser("report", help="执行分析笔记本并生成离线HTML报告（差距、情景与预测、敏感性、部门任务）")
    r.add_argument("--county", required=True, help="被评价的县（市、区），如 临淄区")
    r.add_argument("--panel", help="本县数据：面板CSV（与 --intake 同用时补充历年数据）")
    r.add_argument("--intake", help="本县数据：各部门报回的填报目录（当年）")
    r.add_argument("--year", help="评价年度（2000～2100；默认：数据中最新年份）")
    r.add_argument("--peers", default="shandong", help=PEERS_HELP)
    r.add_argument("--peer-panel", default="shandong", help=PEER_PANEL_HELP)
    r.add_argument("--panel-counties-as-peers", action="store_true", help=AS_PEERS_HELP)
    r.add_argument("--config", help=CONFIG_HELP)
    r.add_argument("--impute-peers", choices=IMPUTE_CHOICES, help=IMPUTE_HELP)
    r.add_argument("--scenario", action="append", help="情景文件或预置情景（默认 plan2025）；可重复")
    r.add_argument("--target", default=85.0, help="最省力路径的目标总分（0～100）")
    r.add_argument("--draws", default=10_000, help="敏感性分析的权重抽样次数（1～1000000）")
    r.add_argument("--seed", default=0, help="随机种子（0～4294967295）")
    r.add_argument("--out", default="reports", help="输出目录")
    r.add_argument("--notebooks", help="笔记本目录（默认：仓库中的 notebooks/）")
    r.set_defaults(func=cmd_report)

    t = sub.add_parser("templates", help="按责任部门生成Excel填报模板（另附全部数据项汇总表）")
    t.add_argument("--out", default="data/templates", help="模板输出目录")
    t.add_argument("--year", default=2022, help="模板年度（2000～2100）")
    t.add_argument("--county", default="临淄区", help="模板所填的县（市、区）名称")
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

    tasks.register(sub, _analysis_parser)
    brief.register(sub, _analysis_parser)
    explore.register(sub, _analysis_parser)
    audit.register(sub, _analysis_parser)
    peers.register(sub)
    return p
