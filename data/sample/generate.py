"""Regenerate zibo_panel.csv: an INVENTED example panel (示例数据，虚构) for the demo and tests.

Counties and their names are real (淄博市's eight districts and counties); every value is made up
with a fixed seed: 2021 and 2022 drawn per year, 2019 and 2020 traced back from 2021 so that trends
can be fitted. Run: python data/sample/generate.py
"""

import csv
from pathlib import Path

import numpy as np

from qstrong.measures import load_measures

COUNTIES = ["淄川区", "张店区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"]
POPULATION = {"淄川区": 70.6, "张店区": 103.5, "博山区": 40.4, "临淄区": 64.9,
              "周村区": 38.9, "桓台县": 51.5, "高青县": 35.0, "沂源县": 53.7}   # 万人 (census 2020, rounded)
GDP = {"淄川区": 420.0, "张店区": 1010.0, "博山区": 260.0, "临淄区": 860.0,
       "周村区": 330.0, "桓台县": 520.0, "高青县": 200.0, "沂源县": 280.0}   # 亿元, invented
YEARS = [2021, 2022]
BACKCAST = [2019, 2020]          # earlier years, traced back from 2021 (separate random stream)
SOURCE = "示例数据（虚构）"


def values(county: str, year: int, rng: np.random.Generator) -> dict[str, object]:
    strong = 1.0 if county in ("临淄区", "张店区") else 0.7
    grow = 1.0 + 0.06 * (year - 2021)
    gdp = GDP[county] * grow
    v: dict[str, object] = {}
    for mid, m in load_measures().items():
        if m.kind == "bool":
            v[mid] = "否" if mid.startswith("veto.") else ("是" if rng.random() < 0.55 + 0.4 * strong else "否")
        elif m.kind == "level":
            v[mid] = m.level_labels[min(int(rng.random() * len(m.levels) * (1.2 - 0.5 * strong)), len(m.levels) - 1)]
        elif m.kind == "count":
            v[mid] = int(rng.poisson(1.2 * strong))
        elif m.kind == "percent":
            v[mid] = round(float(np.clip(rng.normal(95, 4), 80, 100)), 1)
    v.update({
        "gdp": round(gdp, 1), "population": POPULATION[county],
        "q04.national_commendations": int(rng.integers(0, 2)), "q04.provincial_commendations": int(rng.integers(0, 4)),
        "q10.quality_funding": round(gdp * 1.5 * strong * rng.uniform(0.8, 1.2), 1),
        "q10.public_expenditure": round(gdp * 95, 0),
        "q10.quality_funding_prev": round(gdp * 1.4 * strong * rng.uniform(0.8, 1.2), 1),
        "q10.public_expenditure_prev": round(gdp * 90, 0),
        "q17.verification_rate": 100.0 if rng.random() < 0.6 else 98.5,
        "q18.demo_units": int(rng.integers(40, 140)),
        "q19.smes_helped": int(rng.integers(20, 120) * strong), "q19.smes_helped_prev": int(rng.integers(20, 100)),
        "q20.certificates": int(gdp * rng.uniform(1.5, 2.5)), "q20.certificates_prev": int(gdp * rng.uniform(1.3, 2.2)),
        "q23.sampled": 10, "q23.sampled_compliant": int(rng.choice([8, 9, 10, 10])),
        "q28.supervision_funding": round(POPULATION[county] * rng.uniform(8, 20), 1),
        "q33.prefab_bases": int(rng.integers(0, 4)),
        "q35.service_value_added": round(gdp * rng.uniform(0.38, 0.6), 1),
        "q36.service_enterprises": int(gdp * rng.uniform(0.15, 0.3)),
        "q36.service_revenue": round(gdp * rng.uniform(0.08, 0.2), 1),
        "q37.energy_intensity_reduction": round(float(rng.normal(3.5, 2.0)), 2),
        "q38.good_days_ratio": round(float(rng.uniform(55, 72)), 1),
        "q38.pm25": round(float(rng.uniform(36, 48)), 1), "q38.pm25_prev": round(float(rng.uniform(40, 52)), 1),
        "q39.hightech_share": round(float(rng.uniform(30, 60)), 1),
        "q40.invention_patents": int(POPULATION[county] * rng.uniform(8, 30)),
        "q41.tech_trade": round(gdp * rng.uniform(0.01, 0.05), 2),
    })
    return v


def backcast(v2021: dict[str, object], year: int, rng: np.random.Generator) -> dict[str, object]:
    """Values of an earlier year: numbers smaller by a few percent a year, rates a little lower,
    PM2.5 higher, yes/no and levels as in 2021 (so every county has a four-year history)."""
    k = 2021 - year
    out: dict[str, object] = {}
    for mid, val in v2021.items():
        m = load_measures()[mid]
        if m.kind in ("bool", "level") or mid.startswith("veto.") or mid == "population":
            out[mid] = val
        elif mid in ("q38.pm25", "q38.pm25_prev"):
            out[mid] = round(float(val) * (1 + 0.05 * k) * rng.uniform(0.97, 1.03), 1)
        elif m.kind == "percent":
            out[mid] = round(float(np.clip(float(val) - k * rng.uniform(0.0, 1.5), m.low, m.high)), 2)
        elif m.kind == "count":
            out[mid] = int(round(float(val) * (0.94 ** k) * rng.uniform(0.9, 1.1)))
        else:
            out[mid] = round(float(val) * (0.95 ** k) * rng.uniform(0.97, 1.03), 2)
    if int(out["q23.sampled_compliant"]) > int(out["q23.sampled"]):
        out["q23.sampled_compliant"] = out["q23.sampled"]
    return out


def main() -> None:
    rng = np.random.default_rng(20221205)
    by_year: dict[int, dict[str, dict[str, object]]] = {}
    for year in YEARS:
        by_year[year] = {county: values(county, year, rng) for county in COUNTIES}
    back = np.random.default_rng(20190101)
    for year in sorted(BACKCAST, reverse=True):
        by_year[year] = {county: backcast(by_year[2021][county], year, back) for county in COUNTIES}
    rows = []
    for year in sorted(by_year):
        for county in COUNTIES:
            for mid, val in by_year[year][county].items():
                if county == "沂源县" and mid == "q26.disposal_rate":
                    continue  # a peer that did not report: left out of that benchmark
                rows.append([county, year, mid, val, SOURCE])
    out = Path(__file__).with_name("zibo_panel.csv")
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["county", "year", "measure", "value", "source"])
        w.writerows(rows)
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
