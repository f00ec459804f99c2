"""Department task packages: for every responsible department that owns an indicator, its indicators
and lost points, its actions on the cheapest path to a target, what it has not reported and what it
wrote as evidence and remarks (with an intake), the deadline and a cover notice (通知) — as data.

Lost points of a shared indicator count in full in each of its departments' packages, as the gap
analysis's department roll-up counts them (``GapReport.by_department``): the packages' lost points add up
to the roll-up, which exceeds the county's lost points by the shared part. Column ``lost_share`` (lost ÷
number of departments) adds up over the packages to the county's lost points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..benchmark import Benchmark
from ..catalog import load_catalog
from ..dates import chinese, read_date
from ..errors import InputError
from ..measures import fmt_num
from ..params import param_problems
from .gaps import GapReport, gaps
from .path import EFFORT_UNIT, EffortTable, PathPlan, cheapest_path
from .summary import veto_departments, veto_sentence, veto_status

__all__ = ["NO_DEADLINE", "Package", "TaskContext", "about_rows", "check_task_options", "department_packages",
           "notice_text", "package_title", "parse_deadline", "shared_rule"]

SEP = "、"                      # how gaps and path join an indicator's departments
NO_DEADLINE = "以领导小组办公室通知为准"


def parse_deadline(text: object) -> tuple[str, str]:
    """(the deadline as 2023年3月31日, '') or ('', Chinese problem). None or empty: the default wording."""
    if text is None or isinstance(text, str) and not text.strip():
        return NO_DEADLINE, ""
    day, problem = read_date(text, "--deadline（报送截止日期）")
    return (chinese(day), "") if day else ("", problem)


def check_task_options(target: object = 85.0, deadline: object = None) -> tuple[float, str]:
    """(target, deadline text); InputError listing every bad value together."""
    parsed, problems = param_problems(target=target)
    when, problem = parse_deadline(deadline)
    if problem:
        problems.append(problem)
    if target is None:
        problems.insert(0, "--target（目标总分）：缺少取值")
    if problems:
        raise InputError(problems, "参数有{n}处问题")
    return parsed["target"], when


@dataclass
class TaskContext:
    """What every package of one run shares: benchmark, gap report, plan, target, deadline, intake."""

    benchmark: Benchmark
    report: GapReport
    plan: PathPlan
    target: float
    deadline: str
    lead_office: str
    intake: object | None = None                       # IntakeResult, when one was given
    unassigned: dict[str, int] = field(default_factory=dict)   # unreported rows of departments without a package
    veto: str = "not"                                  # triggered / not / unknown (analysis.summary.veto_status)
    veto_items: tuple[str, ...] = ()
    veto_departments: tuple[str, ...] = ()             # catalog veto.departments (canonical names)

    @property
    def vetoed(self) -> bool:
        return self.veto == "triggered"

    @property
    def veto_text(self) -> str:
        """The veto in one phrase, as the brief and the front page say it."""
        return veto_sentence(self.veto, self.veto_items)

    @property
    def invented(self) -> int:
        """How many of the benchmark's values are synthetic or invented (the one count of every notice)."""
        return self.benchmark.invented

    @property
    def synthetic(self) -> bool:
        return self.invented > 0

    @property
    def county_lost(self) -> float:
        return self.report.lost

    @property
    def rollup_lost(self) -> float:
        """The department roll-up's lost points (shared indicators in full for each department)."""
        return float(self.report.by_department()["lost"].sum())


@dataclass
class Package:
    """One department's package. Frames keep English columns (API); ``None`` frames: no intake given."""

    department: str
    indicators: pd.DataFrame        # index indicator: criterion, points, score, lost, lost_share, shared, co_owners,
    #                                 missing (measures without data: unscored, 0 lost), reason, recovery
    actions: pd.DataFrame           # indicator, action, gain, effort, targets, shared, co_owners
    unreported: pd.DataFrame | None  # measure, name, indicator, file, cell, status, covered_by_other
    filled: pd.DataFrame | None     # indicator, measure, original, value, status, evidence, remark, file, cell
    context: TaskContext = field(repr=False)

    lost = property(lambda self: float(self.indicators["lost"].sum()), doc="lost points, shared ones in full")
    lost_share = property(lambda self: float(self.indicators["lost_share"].sum()), doc="lost points, shared split")
    gain = property(lambda self: float(self.actions["gain"].sum()), doc="points its path actions bring")

    @property
    def shared(self) -> pd.DataFrame:
        return self.indicators[self.indicators["shared"]]

    def notice(self) -> list[str]:
        """The cover notice (通知), one paragraph per item, the department's numbers filled in."""
        return notice_text(self)


def shared_rule(ctx: TaskContext) -> str:
    """How lost points are counted, with this run's figures (said in every package's 说明)."""
    return (f"共担指标（多个责任部门）的失分在每个责任部门的任务包中全额计入，与差距分析“按部门汇总”一致：各任务包失分之和"
            f"等于部门汇总之和{fmt_num(ctx.rollup_lost, 2)}分，大于{ctx.benchmark.county}实际失分{fmt_num(ctx.county_lost, 2)}分"
            f"（差额为共担部分的重复计入）。“分摊失分”列把共担指标的失分按责任部门数平均分摊，各任务包分摊失分之和"
            f"等于实际失分。共担指标的措施同样列入每个责任部门的任务包，由各部门共同落实。")


def _split(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (row, department): column `department`, `co_owners` the others, `shared`."""
    deps = frame["departments"].str.split(SEP)
    out = frame.assign(department=deps, _n=deps.map(len)).explode("department")
    out["co_owners"] = [SEP.join(d for d in all_.split(SEP) if d != me)
                        for all_, me in zip(out["departments"], out["department"], strict=True)]
    out["shared"] = out["_n"] > 1
    return out


def _intake_frames(res, catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(unreported, filled) of every department: the chase list and every cell read with its evidence."""
    from ..intake.templates import _indicator_label  # 一票否决项 / 基础数据, as the templates say it

    chase = res.chase(catalog)
    cells = res.cells()
    ind = {m.id: int(m.indicator) if str(m.indicator).isdigit() else _indicator_label(catalog, m)
           for m in catalog.measures.values()}
    number = pd.to_numeric(cells["value"], errors="coerce")       # figures as numbers, 是/否 and levels as text
    cells = cells.assign(indicator=cells["measure"].map(ind),
                         value=cells["value"].astype(object).where(number.isna(), number.astype(object)))
    cols = ["department", "indicator", "measure", "original", "value", "status", "evidence", "remark", "file", "cell"]
    return chase.assign(indicator=chase["measure"].map(ind)), cells[cols]


def department_packages(bench: Benchmark, target: float = 85.0, intake=None, deadline: object = None,
                        effort: EffortTable | str | Path | None = None, resolutions=None) -> dict[str, Package]:
    """One Package per department owning an indicator (most lost points first).

    `intake`: an IntakeResult or a folder of submissions (read for the benchmark's county and year;
    `resolutions` settles conflicts); an intake with errors is an InputError listing them."""
    target, when = check_task_options(target, deadline)
    catalog = load_catalog()
    if intake is not None and not hasattr(intake, "chase"):
        from ..intake.collect import intake as read_intake

        intake = read_intake(intake, year=bench.year, county=bench.county, resolutions=resolutions)
    if intake is not None and not intake.ok:
        raise InputError(intake.errors, "填报目录有{n}处错误（请先用 qstrong intake 查看并改正）")
    rep = gaps(bench)
    plan = cheapest_path(bench, target=target, effort=effort)
    veto, items = veto_status(bench)
    ctx = TaskContext(bench, rep, plan, target, when, catalog.department_table["lead_office"], intake,
                      veto=veto, veto_items=items, veto_departments=veto_departments(catalog))
    inds = _split(rep.indicators.reset_index())
    acts = _split(plan.to_frame())
    inds["lost_share"] = inds["lost"] / inds["_n"]
    ind_cols = ["indicator", "level2", "criterion", "points", "score", "lost", "lost_share", "shared", "co_owners",
                "missing", "reason", "recovery"]
    act_cols = ["indicator", "action", "gain", "effort", "targets", "shared", "co_owners"]
    chase = cells = None
    if intake is not None:
        chase, cells = _intake_frames(intake, catalog)
    order = list(rep.by_department().index)          # the roll-up's departments, most lost points first
    packages = {}
    for dept in order:
        packages[dept] = Package(
            dept, inds.loc[inds["department"] == dept, ind_cols].set_index("indicator"),
            acts.loc[acts["department"] == dept, act_cols].reset_index(drop=True),
            None if chase is None else chase[chase["department"] == dept].drop(columns="department").reset_index(drop=True),
            None if cells is None else cells[cells["department"] == dept].drop(columns="department").reset_index(drop=True),
            ctx)
    if chase is not None:
        rest = chase[~chase["department"].isin(order)]
        ctx.unassigned = {str(k): int(v) for k, v in rest.groupby("department", sort=False).size().items()}
    return packages


def _actions_text(pkg: Package) -> str:
    return "；".join(f"指标{r.indicator}：{r.action}（+{r.gain:.2f}分）" for r in pkg.actions.itertuples())


def notice_text(pkg: Package) -> list[str]:
    """通知 paragraphs: addressee, the county's standing, the department's lost points, its actions, its
    missing data, the deadline, contact placeholders, sender; the data notice when values are synthetic."""
    ctx, bench = pkg.context, pkg.context.benchmark
    county, year = bench.county, bench.year
    ids = SEP.join(map(str, pkg.indicators.index))
    shared = pkg.shared
    standing = f"排名{bench.rank_text()}" + (f"；{ctx.veto_text}" if ctx.vetoed else "")
    lines = [f"关于落实{county}{year}年度质量强县（市、区）评价任务的通知", f"{pkg.department}：",
             f"按照山东省质量强县（市、区）评价工作安排，{ctx.lead_office}对{county}{year}年度指标进行了测算"
             f"（{bench.describe()}）：总分{bench.total:.2f}分，{standing}。"
             f"贵单位负责的指标{len(pkg.indicators)}项（指标{ids}），失分{pkg.lost:.2f}分"
             + (f"，其中与其他部门共担的指标{len(shared)}项（指标{SEP.join(map(str, shared.index))}），"
                f"失分{float(shared['lost'].sum()):.2f}分，请与共担部门共同落实" if len(shared) else "") + "。"]
    if ctx.vetoed and pkg.department in ctx.veto_departments:
        lines.append(f"首要任务：贵单位是一票否决事项的责任部门，{ctx.veto_text}。请立即核实该事项（是否属实、"
                     f"发生时间与认定依据），并将核实情况和佐证材料报送{ctx.lead_office}。")
    unscored = pkg.indicators[pkg.indicators["missing"].astype(str).str.len() > 0]
    if len(unscored):
        lines.append(f"指标{SEP.join(map(str, unscored.index))}缺少数据、暂未计分（其失分未计入上述数字），请尽快补报。")
    if len(pkg.actions):
        lines.append(f"为使总分达到{fmt_num(ctx.target, 2)}分，按最省力路径需贵单位落实措施{len(pkg.actions)}项，"
                     f"预计可增加{pkg.gain:.2f}分：{_actions_text(pkg)}。")
    elif ctx.plan.reached and ctx.plan.chosen:
        lines.append(f"达到{fmt_num(ctx.target, 2)}分的最省力路径未安排贵单位的措施，请保持现有得分，"
                     "并对失分指标研究改进办法（见“指标”表的挽回办法）。")
    else:
        lines.append(ctx.plan.message)
    if pkg.unreported is not None:
        n = len(pkg.unreported)
        lines.append(f"贵单位尚有{n}项数据未填报或缺佐证材料（见“未报数据”表），请一并补报。" if n
                     else "贵单位的填报数据已全部收到，请核对“填报情况”表中的填报值、佐证材料和备注。")
    when = f"请于{ctx.deadline}前" if ctx.deadline != NO_DEADLINE else f"请按{ctx.lead_office}通知的时间要求"
    lines += [f"{when}将落实情况和佐证材料报送{ctx.lead_office}。",
              "联系人：＿＿＿＿＿＿　　联系电话：＿＿＿＿＿＿", ctx.lead_office, "＿＿＿＿年＿＿月＿＿日"]
    if ctx.synthetic:
        lines.append("注：本通知中的分数基于示例数据或合成数据测算，仅供演示；正式下发前请以实际数据重新生成。")
    return lines


def package_title(pkg: Package) -> str:
    bench = pkg.context.benchmark
    return f"{bench.county}{bench.year}年度质量强县（市、区）评价 部门任务包：{pkg.department}"


def about_rows(pkg: Package) -> list[tuple[str, str]]:
    """(item, text) rows of the package's 说明 besides title, benchmark and data notice (the writer's
    ``About`` has those): what it is, standing, target, deadline, how lost points are counted, intake."""
    ctx, bench = pkg.context, pkg.context.benchmark
    rows = [("说明", f"{pkg.department}负责的指标、失分、需落实的措施、未报数据和填报情况，由{ctx.lead_office}下发。"),
            ("总分与排名", f"总分{bench.total:.2f}分，排名{bench.rank_text()}，失分{ctx.county_lost:.2f}分；{ctx.veto_text}"),
            ("目标与路径", f"目标{fmt_num(ctx.target, 2)}分。{ctx.plan.message}{EFFORT_UNIT}"),
            ("报送截止日期", ctx.deadline),
            ("失分计法", shared_rule(ctx)),
            ("填报数据", f"各部门报回的填报目录“{ctx.intake.folder}”" if ctx.intake is not None
             else "未提供填报目录（--intake）：“未报数据”“填报情况”两表无法列出")]
    return rows
