"""A complete five-county panel scored by hand from the seed (临政办字〔2022〕17号 附件2).

Every measure of measures.csv is given for all five counties. The expected scores below are
literal numbers worked out by hand from each indicator's 评价标准 and the documented defaults of
the efficacy-coefficient method (功效系数法):

    d = 60 + 40·(x − x_s)/(x_h − x_s),  score = W·d/100,  x_h/x_s = panel max/min.

The efficacy inputs were chosen so that every county sits at 0, ¼, ½, ¾ or 1 of the panel range
(d = 60, 70, 80, 90, 100), which keeps the arithmetic exact. Nothing here calls the engine to
compute an expectation.
"""

import json

import pandas as pd
import pytest

from qstrong.catalog import load_catalog
from qstrong.config import ScoringConfig
from qstrong.measures import load_measures
from qstrong.scoring import score_panel

YEAR = 2023
COUNTIES = ("甲县", "乙县", "丙县", "丁县", "戊县")
T, F = "是", "否"

# measure → values for (甲县, 乙县, 丙县, 丁县, 戊县)
PANEL: dict[str, tuple] = {
    # 一票否决项: none occurred
    "veto.major_safety_accident": (F, F, F, F, F),
    "veto.major_food_incident": (F, F, F, F, F),
    "veto.major_drug_incident": (F, F, F, F, F),
    "veto.major_quality_incident": (F, F, F, F, F),
    "veto.major_environmental_incident": (F, F, F, F, F),
    "veto.statistical_fraud": (F, F, F, F, F),
    "gdp": (100, 200, 400, 500, 1000),
    "population": (50, 100, 40, 80, 100),
    "q01.spirit_in_official_docs": (T, F, T, T, T),
    "q02.development_model": (F, F, T, T, T),
    "q03.mass_activities": (T, F, T, T, T),
    "q03.publicity": (T, F, F, T, T),
    "q04.national_commendations": (1, 0, 0, 2, 1),
    "q04.provincial_commendations": (3, 0, 0, 0, 1),
    "q04.municipal_commendations": (1, 0, 0, 0, 2),
    "q04.national_media_reports": (0, 0, 3, 0, 0),
    "q04.provincial_media_reports": (1, 0, 1, 0, 0),
    "q05.event_level": ("省级", "无", "国家级", "national", "national"),
    "q06.coordination_body": (T, F, F, T, T),
    "q06.meeting_top_attendee": ("县(市、区)长", "none", "party_secretary", "other_leader", "县(市、区)委书记"),
    "q07.work_plan": (T, F, T, T, T),
    "q07.mobilization_meeting": (F, F, T, T, T),
    "q08.credit_policy": (T, F, T, T, T),
    "q08.joint_punishment": (T, F, F, T, T),
    "q09.funded.quality_development": (T, F, T, T, T),
    "q09.funded.quality_supervision": (T, F, T, T, T),
    "q09.funded.standardization": (T, F, T, T, T),
    "q09.funded.metrology": (T, F, T, T, T),
    "q09.funded.inspection_testing": (T, F, T, T, T),
    "q09.funded.certification_accreditation": (T, F, T, T, T),
    "q09.funded.brand": (F, F, T, T, T),
    "q09.funded.credit": (F, F, T, T, T),
    "q09.funded.trademark_patent": (T, F, T, F, T),
    "q10.quality_funding": (1000, 800, 3000, 3000, 8000),
    "q10.public_expenditure": (50000, 80000, 100000, 60000, 200000),
    "q10.quality_funding_prev": (400, 1000, 3000, 1000, 2000),
    "q10.public_expenditure_prev": (40000, 50000, 100000, 50000, 100000),
    "q11.support_policies": (T, F, F, T, T),
    "q12.one_stop_platform": (T, F, F, T, T),
    "q13.in_development_plan": (T, F, T, F, T),
    "q13.policy_measures": (F, F, T, T, T),
    "q14.international": (0, 0, 1, 2, 1),
    "q14.national_led": (1, 0, 2, 0, 3),
    "q14.national_participated": (4, 0, 1, 0, 3),
    "q14.provincial_local_led": (2, 0, 3, 1, 1),
    "q15.intl_tc_members": (0, 0, 1, 0, 1),
    "q15.national_tc_secretariats": (1, 0, 0, 0, 1),
    "q15.provincial_tc_secretariats": (1, 0, 0, 3, 0),
    "q15.national_pilots": (0, 0, 3, 2, 1),
    "q15.provincial_pilots": (2, 0, 0, 1, 0),
    "q16.coordination_mechanism": (T, F, T, F, T),
    "q16.metrology_center": (F, F, T, T, T),
    "q17.verification_rate": (100, 99, 100, 100, 100),
    "q17.class_a_coverage": (95, 89, 100, 90, 100),
    "q17.energy_review_coverage": (100, 90, 97.5, 85, 100),
    "q18.enterprise_policy": (T, F, F, T, T),
    "q18.integrity_policy": (T, F, T, T, T),
    "q18.integrity_activities": (T, F, F, T, T),
    "q18.demo_streets": (1, 0, 0, 2, 1),
    "q18.demo_units": (80, 0, 0, 100, 150),
    "q18.public_benefit_activities": (T, F, T, F, T),
    "q19.smes_helped": (30, 10, 50, 20, 40),
    "q19.smes_helped_prev": (20, 10, 40, 10, 40),
    "q20.certificates": (200, 100, 300, 500, 400),
    "q20.certificates_prev": (160, 50, 300, 400, 320),
    "q21.plan.production_safety": (T, F, T, T, T),
    "q21.plan.environment": (T, F, T, F, T),
    "q21.plan.food": (T, F, T, F, T),
    "q21.plan.drug": (F, F, T, F, T),
    "q21.plan.other_products": (T, F, T, T, T),
    "q22.complaint_channel": (T, F, T, F, T),
    "q23.policy": (T, F, F, T, T),
    "q23.sampled": (10, 0, 5, 3, 1),
    "q23.sampled_compliant": (10, 0, 4, 3, 1),
    "q24.exchange_events": (2, 0, 1, 0, 1),
    "q24.training_events": (0, 0, 1, 3, 2),
    "q25.injury_monitoring": ("正在研究探索", "none", "implemented", "未研究", "已在骨干医院推行"),
    "q25.recall_system": (T, F, T, F, T),
    "q25.recall_policy": (F, F, T, T, T),
    "q26.disposal_rate": (92.5, 80, 100, 95, 90),
    "q27.status_analysis": ("conducted", "none", "published_regularly", "已开展未定期发布", "定期分析并向社会发布"),
    "q28.supervision_funding": (50, 50, 60, 200, 50),
    "q29.agri_safety_county": (T, F, F, T, T),
    "q30.food_safety_county": (F, F, T, T, T),
    "q31.drug_inspection_coverage": (100, 90, 100, 99.5, 100),
    "q32.green_design_rate": (99, 0, 100, 100, 100),
    "q33.prefab_bases": (2, 0, 1, 4, 3),
    "q34.smart_site_system": (T, F, T, F, T),
    "q34.online_rate": (100, 100, 95, 100, 100),
    "q35.service_value_added": (50, 80, 240, 225, 550),
    "q36.service_enterprises": (100, 60, 80, 140, 120),
    "q36.service_revenue": (50, 10, 90, 30, 70),
    "q37.energy_intensity_reduction": (3, -1, 1, 7, 5),
    "q38.good_days_ratio": (65, 70, 75, 85, 80),
    "q38.pm25": (45, 40, 45, 36, 40),
    "q38.pm25_prev": (50, 40, 50, 40, 50),
    "q39.hightech_share": (40, 20, 60, 30, 50),
    "q40.invention_patents": (500, 500, 1000, 1200, 2000),
    "q41.tech_trade": (5, 2, 8, 15, 40),
    "q42.national_first.lead": (1, 0, 0, 0, 0),
    "q42.national_first.partner": (0, 0, 0, 0, 2),
    "q42.national_second.lead": (0, 0, 0, 2, 0),
    "q42.national_second.partner": (1, 0, 0, 0, 0),
    "q42.provincial_first.lead": (0, 0, 0, 1, 0),
    "q42.provincial_first.partner": (0, 0, 2, 0, 0),
    "q42.provincial_second.lead": (0, 0, 0, 1, 3),
    "q42.provincial_second.partner": (0, 0, 0, 2, 0),
    "q42.provincial_third.lead": (1, 0, 0, 0, 0),
    "q42.provincial_third.partner": (2, 0, 0, 0, 0),
    "q43.national_honors": (1, 0, 0, 2, 0),
    "q43.provincial_honors": (2, 0, 1, 2, 4),
}

# ── 甲县: every indicator by hand ──
JIA = {
    1: 2,      # 质量精神在党委政府文件中体现：有 → 2
    2: 0,      # 质量发展模式：无 → 0
    3: 2,      # 群众性活动 1 + 多途径宣传 1
    4: 4,      # 国家级表彰 1×2=2；省级 3×1=3→封顶2；市级 1×0.5=0.5；国家级媒体 0；省级媒体 1×0.5=0.5
               # 合计 5 → 累计不超过4分 → 4
    5: 1,      # 省级示范性活动 → 1
    6: 3,      # 议事协调机构 2 + 县长参会 1
    7: 1,      # 工作方案 1 + 动员大会(无) 0
    8: 1,      # 信用政策 0.5 + 联合惩戒 0.5
    9: 2,      # 9 项缺 2 项（品牌、信用）：3 − 2×0.5 = 2
    10: 1.48,  # 占比 1000/50000×100 = 2%；上年 400/40000×100 = 1% → 变动 +1 个百分点
               # 占比：面板 min 1 (乙) max 5 (丁) → d = 60+40×(2−1)/4 = 70
               # 变动：乙 1−2 = −1，丙 0，丁 5−2 = +3，戊 4−2 = +2 → min −1 max 3 → d = 60+40×2/4 = 80
               # 2×(0.6×70 + 0.4×80)/100 = 2×74/100 = 1.48
    11: 3,     # 扶持政策 → 3
    12: 2,     # 一站式平台 → 2
    13: 0.5,   # 纳入规划 0.5 + 政策措施(无) 0
    14: 1.5,   # 国际标准 0 → 0；主导国标 1 项 → 0.5；参与国标 4 项(≥3) → 0.5；主导省地标 2 项(1-2) → 0.5
    15: 3,     # 国家秘书处 1×1.5 = 1.5；省秘书处 1×1 = 1（“最高2分”只限省秘书处，未达）
               # 国家级试点 0 → 0；省级试点 2 项(1-4) → 0.5；合计 3（≤ 3）
    16: 1,     # 协调机制 1 + 计量测试中心(无) 0
    17: 2.8,   # 检定率 100% → 1；A类覆盖率 95 ≥ 90 → d = 60+40×(95−90)/10 = 80 → 0.8；
               # 能源计量审查 100 → d = 100 → 1；合计 2.8
    18: 1.5,   # 企业计量政策 0.5；诚信政策+活动，但示范单位 80 < 100 → 0.5；惠民活动 0.5
    19: 1.6,   # 数量 30：min 10 max 50 → d = 60+40×20/40 = 80
               # 增长率 (30/20−1)×100 = 50%：乙 0%、丙 25%、丁 100%、戊 0% → min 0 max 100 → d = 80
               # 2×(0.6×80 + 0.4×80)/100 = 1.6
    20: 1.4,   # 数量 200：min 100 max 500 → d = 60+40×100/400 = 70
               # 增长率 (200/160−1)×100 = 25%：乙 100%、丙 0%、丁 25%、戊 25% → d = 60+40×25/100 = 70
               # 2×70/100 = 1.4
    21: 1,     # 5 个领域缺 1 项（药品）：2 − 1 = 1
    22: 1,     # 投诉渠道畅通 → 1
    23: 1,     # 政策措施 0.5；抽查 10 家均建立 → 0.5
    24: 0.5,   # 交流观摩 2 次 → 0.5；培训 0 次 → 0
    25: 1,     # 伤害监测正在研究探索 0.5；仅建立召回体系 0.5
    26: 1.4,   # 处置率 92.5 ≥ 90：d = 60+40×2.5/10 = 70 → 2×0.7 = 1.4
    27: 0.5,   # 已开展未定期发布 → 0.5
    28: 0.7,   # 50/50 = 1.0 万元/万人：乙 0.5、丙 1.5、丁 2.5、戊 0.5 → d = 60+40×0.5/2 = 70 → 0.7
    29: 2,     # 农产品质量安全县 → 2
    30: 0,     # 食品安全县：未达标 → 0
    31: 1,     # 药品监督检查覆盖率 100% → 1
    32: 0,     # 绿色节能设计执行率 99% < 100% → 0
    33: 1.6,   # 基地 2 个：min 0 max 4 → d = 80 → 2×0.8 = 1.6
    34: 2,     # 智慧工地系统 且 上线率 100% → 2
    35: 2.4,   # 50/100×100 = 50%：乙 40、丙 60、丁 45、戊 55 → d = 60+40×10/20 = 80 → 3×0.8 = 2.4
    36: 2.4,   # 企业数 100：min 60 max 140 → d = 80；营业收入 50：min 10 max 90 → d = 80
               # 平均 80 → 3×0.8 = 2.4
    37: 2.4,   # 降低率 3：min −1 max 7 → d = 60+40×4/8 = 80 → 3×0.8 = 2.4
    38: 2.1,   # 0.4×65 + 0.6×(50−45)/50×100 = 26 + 6 = 32
               # 乙 0.4×70+0 = 28；丙 30+6 = 36；丁 34+0.6×10 = 40；戊 32+0.6×20 = 44
               # min 28 max 44 → d = 60+40×4/16 = 70 → 3×0.7 = 2.1
    39: 1.6,   # 40%：min 20 max 60 → d = 80 → 2×0.8 = 1.6
    40: 1.4,   # 500/50 = 10 件/万人：乙 5、丙 25、丁 15、戊 20 → d = 60+40×5/20 = 70 → 1.4
    41: 2.0,   # 5/100×100 = 5%：乙 1、丙 2、丁 3、戊 4 → 最高 → d = 100 → 2
    42: 2.55,  # 积分 3×1 + 2×0.5×1 + 0.5×1 + 0.5×0.5×2 = 3 + 1 + 0.5 + 0.5 = 5
               # 乙 0；丙 2×0.5×2 = 2；丁 2×2 + 2×1 + 1×1 + 1×0.5×2 = 8；戊 3×0.5×2 + 1×3 = 6
               # min 0 max 8 → d = 60+40×5/8 = 85 → 3×0.85 = 2.55
    43: 7,     # 国家级 1×3 + 省级 2×2 = 7（≤ 9）
}
# 1–9: 2+0+2+4+1+3+1+1+2 = 16; 10–18: 1.48+3+2+0.5+1.5+3+1+2.8+1.5 = 16.78;
# 19–27: 1.6+1.4+1+1+1+0.5+1+1.4+0.5 = 9.4; 28–36: 0.7+2+0+1+0+1.6+2+2.4+2.4 = 12.1;
# 37–43: 2.4+2.1+1.6+1.4+2+2.55+7 = 19.05
JIA_TOTAL = 73.33  # 16 + 16.78 + 9.4 + 12.1 + 19.05

# ── the other four: every indicator by hand (efficacy d's from the panel ranges above) ──
YI = [  # 乙县: nothing in place; efficacy values all at the panel minimum (d = 60)
    0, 0, 0, 0, 0, 0, 0, 0,
    0,      # 9: 缺 9 项，3 − 4.5 → 扣完为止 0
    1.2,    # 10: 占比 1%（min）d 60，变动 −1（min）d 60 → 2×0.6
    0, 0, 0, 0, 0, 0,
    0.6,    # 17: 检定率 99 → 0；A类 89 < 90 → 0；能源审查 90 → d 60 → 0.6
    0,
    1.2,    # 19: 数量 10（min）d 60；增长率 0%（min）d 60 → 1.2
    1.52,   # 20: 数量 100（min）d 60；增长率 100%（max）d 100 → 2×(36+40)/100 = 1.52
    0, 0,
    0,      # 23: 未出台；抽查 0 家 → 不算“均建立” → 0
    0, 0,
    0,      # 26: 80 < 90 → 0
    0,
    0.6,    # 28: 0.5 (min) → d 60
    0, 0,
    0,      # 31: 90 < 100
    0,
    1.2,    # 33: 0 (min)
    0,      # 34: 无系统
    1.8,    # 35: 40% (min)
    1.8,    # 36: 60 家 (min)、10 亿 (min)
    1.8,    # 37: −1 (min)
    1.8,    # 38: 28 (min)
    1.2,    # 39: 20 (min)
    1.2,    # 40: 5 (min)
    1.2,    # 41: 1% (min)
    1.8,    # 42: 0 (min)
    0,
]
# 1.2+0.6+1.2+1.52+0.6+1.2+1.8+1.8+1.8+1.8+1.2+1.2+1.2+1.8 = 18.92
YI_TOTAL = 18.92

BING = [  # 丙县
    2, 2,
    1,      # 3: 活动 1，宣传 0
    2.5,    # 4: 国家级媒体 3×1 = 3 → 封顶2；省级媒体 0.5
    2,      # 5: 国家级
    2,      # 6: 无机构 0 + 书记参会 2
    2, 0.5, 3,
    1.52,   # 10: 占比 3% → d 80；变动 0 → d = 60+40×1/4 = 70 → 2×(48+28)/100
    0, 0,
    1,      # 13
    4,      # 14: 国际 2 + 主导国标 2 项 1 + 参与 1 项 0.25 + 省地标 3 项 1 = 4.25 → 封顶 4
    3,      # 15: 国际TC成员 1×2 = 2（组 ≤2）+ 国家级试点 3 项 2 = 4 → 累计不超过 3
    2,
    2.9,    # 17: 1 + A类 100 → 1 + 能源审查 97.5 → d 90 → 0.9
    0.5,    # 18: 无企业政策 0；诚信政策但未开展活动 0；惠民 0.5
    1.76,   # 19: 数量 50 → d 100；增长率 25% → d 70 → 2×(60+28)/100
    1.44,   # 20: 数量 300 → d 80；增长率 0% → d 60 → 2×(48+24)/100
    2, 1,
    0,      # 23: 无政策 0；抽查 5 家仅 4 家建立 → 0
    1,      # 24
    2,      # 25: 已推行 1 + 体系和政策 1
    2,      # 26: 100 → d 100
    1,      # 27
    0.8,    # 28: 60/40 = 1.5 → d 80
    0, 2, 1, 2,
    1.4,    # 33: 1 → d 70
    0,      # 34: 上线率 95 < 100
    3.0,    # 35: 240/400 = 60% (max)
    2.55,   # 36: 80 家 d 70，90 亿 d 100 → 平均 85 → 3×0.85
    2.1,    # 37: 1 → d 70
    2.4,    # 38: 36 → d 80
    2.0,    # 39: 60 (max)
    2.0,    # 40: 25 (max)
    1.4,    # 41: 2% → d 70
    2.1,    # 42: 2 → d 70
    2,      # 43: 省级 1×2
]
# 17 + 14.92 + 12.2 + 12.75 + 14.0
BING_TOTAL = 70.87

DING = [  # 丁县
    2, 2, 2,
    4,      # 4: 国家级表彰 2×2 = 4（最高 4）
    2,
    2.5,    # 6: 机构 2 + 其他主要领导 0.5
    2, 1,
    2.5,    # 9: 缺 1 项 → 2.5
    2.0,    # 10: 占比 5% (max) d 100；变动 +3 (max) d 100
    3, 2,
    0.5,    # 13: 未纳入规划 0 + 政策 0.5
    2.5,    # 14: 国际 2 + 省地标 1 项 0.5
    3,      # 15: 省秘书处 3×1 = 3 → 组 2；国家级试点 2 项 1；省级 1 项 0.5 → 3.5 → 3
    1,      # 16: 仅计量测试中心
    1.6,    # 17: 1 + A类 90 → d 60 → 0.6 + 能源审查 85 < 90 → 0
    1.5,    # 18: 0.5 + 诚信达标（街 2、单位 100）1 + 惠民 0
    1.64,   # 19: 数量 20 → d 70；增长率 100% → d 100 → 2×(42+40)/100
    1.76,   # 20: 数量 500 → d 100；增长率 25% → d 70 → 2×(60+28)/100
    0,      # 21: 缺 3 项 → 2 − 3 → 0
    0,
    1,      # 23: 政策 0.5 + 抽查 3 家均建立 0.5
    0.5,    # 24: 仅培训
    0.5,    # 25: 未研究 0 + 仅出台扶持政策 0.5
    1.6,    # 26: 95 → d 80
    0.5,    # 27
    1.0,    # 28: 200/80 = 2.5 (max)
    2, 2,
    0,      # 31: 99.5 < 100
    2,
    2.0,    # 33: 4 (max)
    0,      # 34: 无系统
    2.1,    # 35: 225/500 = 45% → d 70
    2.55,   # 36: 140 家 d 100，30 亿 d 70 → 85
    3.0,    # 37: 7 (max)
    2.7,    # 38: 40 → d 90
    1.4,    # 39: 30 → d 70
    1.6,    # 40: 1200/80 = 15 → d 80
    1.6,    # 41: 15/500 = 3% → d 80
    3.0,    # 42: 8 (max)
    9,      # 43: 2×3 + 2×2 = 10 → 累计不超过 9
]
# 20 + 17.1 + 7.5 + 13.65 + 22.3
DING_TOTAL = 80.55

WU = [  # 戊县
    2, 2, 2,
    4,      # 4: 国家级 2 + 省级 1 + 市级 2×0.5 = 1 → 4
    2,
    4,      # 6: 机构 2 + 书记 2
    2, 1, 3,
    1.8,    # 10: 占比 4% d 90；变动 +2 d 90
    3, 2, 1,
    4,      # 14: 国际 2 + 主导 3 项 1 + 参与 3 项 0.5 + 省地标 1 项 0.5 = 4
    3,      # 15: 国际TC 2 + 国家秘书处 1.5 = 3.5 → 组 2；国家级试点 1 项 1 → 3
    2,
    3,      # 17: 100、100、100
    2,      # 18: 0.5 + 1（街 1、单位 150）+ 0.5
    1.56,   # 19: 数量 40 → d 90；增长率 0% → d 60 → 2×(54+24)/100
    1.64,   # 20: 数量 400 → d 90；增长率 25% → d 70 → 2×(54+28)/100
    2, 1,
    1,      # 23: 政策 + 抽查 1 家已建立
    1, 2,
    1.2,    # 26: 90 → d 60
    1,
    0.6,    # 28: 50/100 = 0.5 (min)
    2, 2, 1, 2,
    1.8,    # 33: 3 → d 90
    2,
    2.7,    # 35: 55% → d 90
    2.7,    # 36: 120 家 d 90，70 亿 d 90
    2.7,    # 37: 5 → d 90
    3.0,    # 38: 44 (max)
    1.8,    # 39: 50 → d 90
    1.8,    # 40: 20 → d 90
    1.8,    # 41: 4% → d 90
    2.7,    # 42: 6 → d 90
    8,      # 43: 省级 4×2
]
# 22 + 21.8 + 12.4 + 16.8 + 21.8
WU_TOTAL = 94.8

HAND = {"甲县": [JIA[i] for i in range(1, 44)], "乙县": YI, "丙县": BING, "丁县": DING, "戊县": WU}
TOTALS = {"甲县": JIA_TOTAL, "乙县": YI_TOTAL, "丙县": BING_TOTAL, "丁县": DING_TOTAL, "戊县": WU_TOTAL}


def long_frame(panel: dict[str, tuple] = PANEL) -> pd.DataFrame:
    rows = [{"county": c, "year": YEAR, "measure": m, "value": v}
            for m, values in panel.items() for c, v in zip(COUNTIES, values, strict=True)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def ps():
    return score_panel(long_frame())


def test_panel_gives_every_measure_for_every_county():
    assert set(PANEL) == set(load_measures())
    assert all(len(v) == len(COUNTIES) for v in PANEL.values())


def test_hand_tables_are_consistent():
    # the hand tables have 43 entries, and their sums are the hand totals
    for name, row in HAND.items():
        assert len(row) == 43, name
        assert sum(row) == pytest.approx(TOTALS[name], abs=1e-9), name


def test_jia_every_indicator(ps):
    got = ps.scores.loc["甲县"]
    for i in range(1, 44):
        assert got[i] == pytest.approx(JIA[i], abs=1e-9), f"指标{i}"


@pytest.mark.parametrize("name", COUNTIES)
def test_every_indicator_of_every_county(ps, name):
    got = ps.scores.loc[name]
    for i, want in enumerate(HAND[name], start=1):
        assert got[i] == pytest.approx(want, abs=1e-9), f"{name} 指标{i}"


def test_totals_of_all_five(ps):
    assert ps.totals["甲县"] == pytest.approx(73.33, abs=1e-9)
    assert ps.totals["乙县"] == pytest.approx(18.92, abs=1e-9)
    assert ps.totals["丙县"] == pytest.approx(70.87, abs=1e-9)
    assert ps.totals["丁县"] == pytest.approx(80.55, abs=1e-9)
    assert ps.totals["戊县"] == pytest.approx(94.8, abs=1e-9)
    assert ps.complete.all()
    assert not ps.vetoed.any()


def test_to_dict_shape(ps):
    d = ps.county("甲县").to_dict()
    json.loads(json.dumps(d, ensure_ascii=False))  # JSON-serialisable
    assert {"county", "year", "total", "vetoed", "veto_reasons", "complete", "indicators"} <= set(d)
    assert d["county"] == "甲县"
    assert d["year"] == YEAR
    assert d["total"] == pytest.approx(73.33, abs=1e-9)
    assert d["vetoed"] is False
    assert d["veto_reasons"] == []
    assert d["complete"] is True
    inds = d["indicators"]
    assert [x["indicator"] for x in inds] == list(range(1, 44))
    assert sum(x["points"] for x in inds) == pytest.approx(100)
    for x in inds:
        assert set(x) == {"indicator", "points", "score", "missing", "status", "explanation"}
        assert x["missing"] == []
        assert isinstance(x["explanation"], str) and x["explanation"]
        assert x["score"] == pytest.approx(JIA[x["indicator"]], abs=1e-9)
    assert inds[3]["points"] == 4 and inds[42]["points"] == 9


def test_veto_marks_county_but_total_still_computed():
    panel = dict(PANEL)
    panel["veto.major_food_incident"] = (F, F, F, T, F)  # 丁县 had a major food-safety incident
    ps = score_panel(long_frame(panel))
    assert ps.vetoed.tolist() == [False, False, False, True, False]
    d = ps.county("丁县").to_dict()
    assert d["vetoed"] is True
    assert d["veto_reasons"] == ["近三年发生重大及以上食品安全事故"]
    assert d["total"] == pytest.approx(80.55, abs=1e-9)  # scores are unchanged
    assert ps.county("甲县").to_dict()["vetoed"] is False


def test_missing_measure_nulls_its_indicator():
    df = long_frame()
    drop = (df["county"] == "甲县") & (df["measure"] == "q39.hightech_share")
    ps = score_panel(df[~drop])
    d = ps.county("甲县").to_dict()
    ind39 = d["indicators"][38]
    assert ind39["indicator"] == 39
    assert ind39["score"] is None
    assert ind39["missing"] == ["q39.hightech_share"]
    assert d["complete"] is False
    # 73.33 − 1.6 (甲县's indicator 39) = 71.73: the total sums the 42 scored indicators
    assert d["total"] == pytest.approx(71.73, abs=1e-9)
    assert pd.isna(ps.scores.loc["甲县", 39])
    assert ps.complete.tolist() == [False, True, True, True, True]
    # the others' 39 is unchanged: 甲县's 40 was neither the panel min (20) nor max (60)
    assert ps.scores.loc[["乙县", "丙县", "丁县", "戊县"], 39].tolist() == pytest.approx([1.2, 2.0, 1.4, 1.8])
    for i, x in enumerate(d["indicators"], start=1):
        if i != 39:
            assert x["score"] == pytest.approx(JIA[i], abs=1e-9)
            assert x["missing"] == []


def test_group_cap_variant_of_15(ps):
    # variant group_cap: “最高2分” caps the three committee items together → 甲县 min(1.5 + 1, 2) + 0.5 = 2.5
    cfg = ScoringConfig.default(load_catalog()).with_variant(15, "group_cap")
    alt = score_panel(long_frame(), config=cfg)
    assert alt.scores.loc["甲县", 15] == pytest.approx(2.5)
    assert alt.scores.loc["丁县", 15] == pytest.approx(3.0)  # min(3, 2) + 1 + 0.5 = 3.5 → 3
    assert alt.totals["甲县"] == pytest.approx(72.83, abs=1e-9)
    assert ps.scores.loc["甲县", 15] == pytest.approx(3.0)
