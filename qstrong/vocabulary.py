"""The one Chinese vocabulary for tables that leave the program for people (xlsx, csv, html, docx).

API frames keep English columns (they are API); :func:`for_people` turns one into what a reader sees:
a named index as columns, measure ids as names, percentages as people write them, kinds in Chinese,
columns named in Chinese, booleans 是/否. JSON output stays English.
"""

from __future__ import annotations

import re

import pandas as pd

COLUMNS = {
    "points": "分值", "score": "得分", "lost": "失分", "quick_win_points": "速赢分", "departments": "责任部门",
    "department": "部门", "criterion": "三级指标", "recovery": "挽回办法", "level1": "一级指标", "level2": "二级指标",
    "indicators": "指标", "indicator": "指标", "shared_lost": "其中共担", "shared": "共担", "action": "措施",
    "gain": "增分", "effort": "工作量", "component": "分项", "value": "数值", "d": "功效系数d",
    "max_points": "满分", "peer_best": "对标最优", "best_county": "最优县", "peer_median": "对标中位数",
    "total": "总分", "delta": "变化", "complete": "数据完整", "vetoed": "一票否决", "rank": "排名", "n": "对标县数",
    "efficacy_subscore": "功效系数部分", "year": "年份", "lower": "下限", "upper": "上限", "actual": "实际值",
    "name": "数据项", "measure": "数据项", "current": "现值", "required": "所需值", "current_points": "现得分",
    "target_points": "目标分", "reading": "解读选择", "options": "选项", "effect": "总分差", "rank_effect": "排名差",
    "goalposts": "标杆取值", "scale": "分值区间", "gated": "门槛比率标杆", "change10": "指标10变动幅度",
    "variant15": "指标15解读", "variant38": "指标38解读",
    "counting": "计数口径（评价标准原文）",
    "default": "默认", "nominal": "基准总分", "nominal_rank": "基准排名", "total_p05": "总分5%", "total_median": "总分中位数",
    "total_p95": "总分95%", "rank_p05": "排名5%", "rank_median": "排名中位数", "rank_p95": "排名95%",
    "p_top10": "前10概率", "p_top30": "前30概率", "factor": "变动因素", "kind": "类型", "actions": "措施数",
    "file": "文件", "cell": "单元格", "status": "状态", "original": "原始填报", "evidence": "佐证材料", "remark": "备注",
    "scenario": "情景", "county": "县（市、区）",
    "S1": "一阶指数", "S1_conf": "一阶指数置信半宽", "ST": "总效应指数", "ST_conf": "总效应指数置信半宽",
    "rule": "计分方式", "missing": "缺失数据", "reason": "得分说明", "best_step_gain": "最大单步增分",
    "lever": "数据项", "lever_name": "数据项", "unit": "单位", "rung": "目标档", "peer_value": "对标值",
    "outlier": "离群值", "fence": "离群界限（Q3+3×IQR）", "headline": "主要目标", "reached": "已达到",
    "lever_current": "数据项现值", "lever_needed": "数据项所需值", "rung_points": "该档得分",
    "marginal": "每多0.1分所需", "marginal_text": "边际说明", "value_required": "分项所需值",
    "new_best": "成为新的最优", "method": "方法", "measures": "数据项", "targets": "目标值",
    "peers_with_value": "有数据的对标县数", "x_high": "标杆上限", "x_low": "标杆下限", "note": "说明",
    "covered_by_other": "他人已填报", "sheet": "工作表", "message": "问题", "level": "级别", "bytes": "字节数",
    "values": "数值个数", "problems": "问题数", "modified": "修改时间", "down": "数值下调", "up": "数值上调",
    "option_gain": "该措施单独增分", "explanation": "计分说明", "level1_points": "一级指标分值",
    "level2_points": "二级指标分值", "standard": "评价标准", "source": "数据来源", "sha256": "SHA-256校验值",
    "rank_note": "排名说明", "co_owners": "共担部门", "resolution": "裁定", "lost_share": "分摊失分", "synthetic_share": "合成数据占比", "share": "占比",
    "real_share": "真实数据占比", "panel_counties": "面板县数", "real_counties": "有真实数据的县数",
    "old": "原值", "new": "新值", "old_source": "原来源", "was_real": "原值为真实数据", "derived": "由上年值推得",
    "origin": "来自", "chosen": "裁定采用", "rule_line": "裁定文件行号", "tolerance": "舍入容差",
    "other_value": "另一来源的数值", "other_source": "另一来源",
    "place": "位置", "other_place": "另一来源的位置", "order": "表中序号", "fate": "结果代码",
}
KINDS = {"efficacy": "功效系数法", "rule": "规则计分", "mixed": "规则与功效系数法", "document": "文件/会议/机制",
         "count": "数量", "rate": "比率"}
METHODS = {"linear": "线性趋势", "compound": "复合增长", "flat": "持平（不足三年数据）", "carry": "沿用上年（是/否、等级）",
           "prev": "取上一年的值", "actual": "实际值"}
MEASURE_COLUMNS = ("measure", "lever")          # measure ids: shown as names
MEASURE_LIST_COLUMNS = ("measures",)            # space-separated measure ids: names joined by 、
PERCENT_COLUMNS = ("original", "value", "current", "required", "lever_current", "lever_needed")
YES_NO = {True: "是", False: "否"}
FRACTION_COLUMNS = ("p_top10", "p_top30", "synthetic_share", "real_share", "share")      # 0–1: shown as 12.50%
INTEGER_COLUMNS = ("rank", "n", "year", "nominal_rank", "rank_p05", "rank_median", "rank_p95", "actions",
                   "values", "problems", "bytes", "peers_with_value", "indicator")
# The data contract: the panel CSV's four columns as people read them (the panel reader accepts both).
PANEL_COLUMNS = {"county": COLUMNS["county"], "year": COLUMNS["year"], "measure": COLUMNS["measure"],
                 "value": COLUMNS["value"]}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def plain(df: pd.DataFrame, percent: bool = True) -> pd.DataFrame:
    """What a reader sees: measure ids as their names (dropped where a name column is already there),
    percentages as people write them (99.7%, never 0.997; `percent` False: left as numbers), kinds in
    Chinese, 指标N as the indicator."""
    from .charts import factor_label
    from .measures import fmt_num, load_measures

    names, df = load_measures(), df.copy()
    if percent and "measure" in df:
        pct = percent_rows(df)
        for c in (c for c in PERCENT_COLUMNS if c in df and (c != "original" or "value" in df)):
            num = pd.to_numeric(df["value" if c == "original" else c], errors="coerce")
            df[c] = df[c].astype(object).where(~(pct & num.notna()), num.map(lambda v: f"{fmt_num(v)}%"))
    if "measure" in df:                 # a level's id (county_head, national) as its label (县(市、区)长)
        levels = {m: dict(zip(names[m].levels, names[m].level_labels, strict=True))
                  for m in df["measure"].dropna().unique() if m in names and names[m].level_labels}
        for c in (c for c in PERCENT_COLUMNS if c in df and levels):
            label = [levels.get(m, {}).get(v) if isinstance(v, str) else None for m, v in zip(df["measure"], df[c], strict=True)]
            has = pd.Series([x is not None for x in label], index=df.index)
            if has.any():
                df[c] = df[c].astype(object).where(~has, pd.Series(label, index=df.index, dtype=object))
    for c in MEASURE_COLUMNS:
        if c in df:
            df[c] = df[c].map(lambda m: names[m].name_zh if m in names else m)
    for c in MEASURE_LIST_COLUMNS:
        if c in df:
            df[c] = df[c].map(lambda ms: "、".join(names[m].name_zh if m in names else m for m in str(ms).split())
                              if isinstance(ms, str) else ms)
    if "measure" in df and ("name" in df or "factor" in df):
        df = df.drop(columns="measure")
    for c in ("kind", "rule"):
        if c in df:
            df[c] = df[c].map(lambda k: KINDS.get(k, k))
    if "factor" in df:
        df["factor"] = df["factor"].map(factor_label)
    return df


def percent_rows(df: pd.DataFrame) -> pd.Series:
    """Per row of an API frame: does its measure have the unit %? (all False without a measure column)."""
    from .measures import load_measures

    if "measure" not in df.columns:
        return pd.Series(False, index=df.index)
    names = load_measures()
    return df["measure"].map(lambda m: m in names and names[m].unit == "%").astype(bool)


def for_people(df: pd.DataFrame, index: bool = True, percent: bool = True, transform: bool = True) -> pd.DataFrame:
    """An API frame as people read it: a named index (with `index`) reset into columns, :func:`plain`
    (`percent` False: % values left as numbers; `transform` False: no plain at all, the raw record),
    columns named in Chinese via :data:`COLUMNS`, booleans 是/否. A default index is never a column."""
    if index and any(n is not None for n in df.index.names):
        df = df.reset_index()
    elif index and not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()            # an unnamed index with meaning: kept, its column must be named
    df = plain(df, percent) if transform else df.copy()
    df = df.rename(columns=COLUMNS).reset_index(drop=True)
    if not isinstance(df.columns, pd.MultiIndex):
        df.columns.name = None
    for k in range(df.shape[1]):
        col = df.iloc[:, k]
        if pd.api.types.is_bool_dtype(col.dtype) or (col.dtype == object and len(col.dropna())
                                                      and col.dropna().map(lambda v: isinstance(v, bool)).all()):
            df.isetitem(k, col.map(lambda v: YES_NO.get(v, v) if isinstance(v, bool) else v))
    return df


def headers(df: pd.DataFrame) -> pd.DataFrame:
    """The data contract's header: columns named in Chinese (the panel's four as :data:`PANEL_COLUMNS`;
    ``Panel.from_csv`` reads them back), cells untouched (measure ids stay ids)."""
    return df.rename(columns=COLUMNS)


def unnamed(columns) -> list:
    """Column labels a person would read in English: neither in :data:`COLUMNS` nor Chinese already."""
    return [c for c in columns if c not in COLUMNS and not _CJK.search(str(c))]
