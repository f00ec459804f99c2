"""Peer-county panel of all 136 county-level divisions of Shandong (示例数据/合成数据 + real figures).

Efficacy-coefficient indicators score a county against its peers, so they need a peer panel.
``generate`` builds one in the long panel format (county, year, measure, value, source, code,
prefecture, type) for every measure an efficacy indicator uses, plus ``gdp`` and ``population``, and
synthetic values of every rule measure (so that peers have totals and ranks under weight changes).

Real figures win (``source = "real:…"``): population 2020 = census total / 10000 (exact); where
data/shandong/county_figures_partial.csv gives GDP, tertiary value added (or its share × GDP),
high-tech share, good-air days (ratio = days / 365 or 366 · 100), PM2.5 or year-end population for
a county and year, that value is used and the county's synthetic series is shifted (or scaled)
through it, interpolating the adjustment between real years. Previous-year air values stated in a
figure's note ("比上年改善8.1%", "同比增加24天") are derived and marked so.

Everything else is synthetic (``source = "synthetic"``), calibrated on
data/shandong/provincial_city_reference.csv:

* GDP per capita: 92068.7亿元 / 10122.97万人 = 9.095万元/人 (2023), deflated 5 %/yr; type factors
  区 1.35, 县级市 1.0, 县 0.75 (population-weighted mean 1), county lognormal σ 0.35, county growth
  ±1.5 %/yr, yearly noise 1 %. Population: census 2020, drifting 区 +0.6, 县级市 −0.2, 县 −0.6 %/yr.
* Tertiary share (province 53.8 %, 2023): 区 58, 县级市 50, 县 45 %, county σ 5 pp, +0.4 pp/yr.
* High-tech share: 区 50, 县级市 48, 县 44 %, county σ 9 pp, +1 pp/yr.
* PM2.5: 40 μg/m³ in 2022 (province H1 2022: 40; 2023: 37.4), improving 4 %/yr; prefecture σ 3.5,
  county σ 3; 淄博 centred on its 2022 value 43. Good days: 68 % − 1.1·(PM2.5 − 40) + 1 pp/yr, σ 2 pp
  (淄博 → 64.7 % = 236/365; province 69.3 % in 2023), stored as whole days.
* Invention patents per 10k residents: 28.17 (2024), 23.56 (2023), growing 19.6 %/yr; 区 1.8,
  县级市 0.9, 县 0.45 (population-weighted mean 1) × GDP level^0.7, county lognormal σ 0.5.
* Technology-contract turnover: 区 3, 县级市 2, 县 1.2 % of GDP, lognormal σ 0.7, +15 %/yr.
* Public expenditure 13 % of GDP (poorer counties higher), 万元 = 亿元 × 10000; quality funding
  ≈0.22 % of it (0.05–0.8 %); supervision funding ≈12 元/人 (3–40), 万元 = 元/人 × 万人.
* SMEs helped ≈0.08 and certificates ≈0.9 per 亿元 GDP (+10 and +8 %/yr); 规上服务业企业 ≈0.3 per
  亿元 tertiary value added, revenue 0.25–0.4 × tertiary value added; prefab bases 0–3 (cumulative);
  energy-intensity reduction ≈N(3, 3) %; coverage and disposal rates 100 (35 %) or 100 − Exp(≈5),
  ≥ 60; award counts Poisson, small, scaled by GDP.

County levels persist across years (fixed effects + trend + noise); every ``*_prev`` measure of
year Y is the current measure of year Y − 1. Same seed → byte-identical CSV.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Iterable
from importlib import resources
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

SHANDONG = "data/shandong"
PEERS_FILE = "data/peers/shandong.csv"
SHIPPED = Path(str(resources.files("qstrong").joinpath(PEERS_FILE)))   # the shipped peer panel
CENSUS_SOURCE = "real:census2020 (leiii/census data/census/census_county_2020_v1.xlsx)"
SYNTHETIC = "synthetic"
COLUMNS = ["county", "year", "measure", "value", "source", "code", "prefecture", "type"]

PC_GDP_2023 = 92068.7 / 10122.97         # 万元/人 (亿元 / 万人)
PATENTS_2024, PATENTS_2023 = 28.17, 28.17 - 4.61
PM25_2022, ZIBO_PM25_2022 = 40.0, 43.0

PREV = {"q10.quality_funding_prev": "q10.quality_funding", "q10.public_expenditure_prev": "q10.public_expenditure",
        "q19.smes_helped_prev": "q19.smes_helped", "q20.certificates_prev": "q20.certificates",
        "q38.pm25_prev": "q38.pm25"}
AWARDS = {"national_first": (0.01, 0.02), "national_second": (0.04, 0.08), "provincial_first": (0.15, 0.2),
          "provincial_second": (0.4, 0.5), "provincial_third": (0.5, 0.5)}   # Poisson rates (lead, partner)
COUNTS = {"q19.smes_helped", "q20.certificates", "q33.prefab_bases", "q36.service_enterprises",
          "q40.invention_patents"} | {f"q42.{a}.{r}" for a in AWARDS for r in ("lead", "partner")}
DECIMALS = {"q38.pm25": 1, "q37.energy_intensity_reduction": 2, "q17.class_a_coverage": 2,
            "q17.energy_review_coverage": 2, "q26.disposal_rate": 2, "q10.public_expenditure": 1,
            "q10.quality_funding": 1, "q28.supervision_funding": 1}       # 万元 to 1 decimal (1000 元)
REAL_KEYS = {"GDP": "gdp", "tertiary_value_added": "tva", "tertiary_share_of_GDP": "tshare",
             "hightech_share_of_industrial_output": "hightech", "good_air_days": "gdays",
             "PM2.5_annual_mean": "pm25", "resident_population_year_end": "pop"}


def _read(name: str) -> pd.DataFrame:
    text = resources.files("qstrong").joinpath(name).read_text(encoding="utf-8-sig")
    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


def load_counties() -> pd.DataFrame:
    """The 136 divisions: code, name, county (panel name; 市中区 carries its prefecture), prefecture,
    type (区/县级市/县), population_2020 (万人 = census total / 10000)."""
    c = _read(f"{SHANDONG}/counties.csv")
    census = _read(f"{SHANDONG}/census2020_population.csv").set_index("code")
    dup = c["name"].duplicated(keep=False)
    c["county"] = c["name"].where(~dup, c["name"] + "（" + c["prefecture"] + "）")
    c["population_2020"] = census.loc[c["code"], "pop_census2020_total"].astype(int).to_numpy() / 10000
    return c[["code", "name", "county", "prefecture", "type", "population_2020"]]


def real_figures() -> pd.DataFrame:
    """Usable real county figures: code, year, key, value, source (plus derived previous-year air values)."""
    f = _read(f"{SHANDONG}/county_figures_partial.csv")
    f = f[f["indicator"].isin(REAL_KEYS) & f["year"].str.fullmatch(r"\d{4}")]
    rows = [(r.county_code, int(r.year), REAL_KEYS[r.indicator], float(r.value), f"real:{r.source_url}")
            for r in f.itertuples()]
    for r in f.itertuples():
        pm = re.search(r"比上年改善(\d+(?:\.\d+)?)%", r.note)
        if r.indicator == "PM2.5_annual_mean" and pm:
            rows.append((r.county_code, int(r.year) - 1, "pm25", round(float(r.value) / (1 - float(pm[1]) / 100), 1),
                         f"real:{r.source_url} (derived: {r.year}年{r.value}，{pm[0]})"))
        days = re.search(r"同比增加(\d+)天", r.note)
        if r.indicator == "good_air_days" and days:
            rows.append((r.county_code, int(r.year) - 1, "gdays", float(r.value) - int(days[1]),
                         f"real:{r.source_url} (derived: {r.year}年{r.value}天，{days[0]})"))
    out = pd.DataFrame(rows, columns=["code", "year", "key", "value", "source"])
    return out.drop_duplicates(["code", "year", "key"]).sort_values(["key", "code", "year"], ignore_index=True)


def _anchor(x: np.ndarray, src: np.ndarray, rows: pd.DataFrame, mode: str) -> None:
    """Pass each anchored county's series (column `i`) through its real values (rows t, i, value, source):
    shift (``add``) or scale (``mul``) it, interpolating the adjustment between real years."""
    for i, g in rows.sort_values("t").groupby("i"):
        t, v = g["t"].to_numpy(), g["value"].to_numpy(float)
        off = np.interp(np.arange(len(x)), t, v / x[t, i] if mode == "mul" else v - x[t, i])
        x[:, i] = x[:, i] * off if mode == "mul" else x[:, i] + off
        x[t, i] = v
        src[t, i] = g["source"].to_numpy()


def generate(seed: int = 2022, years: Iterable[int] = (2019, 2020, 2021, 2022)) -> pd.DataFrame:
    """The peer panel (long format) of all 136 counties: real figures where known, synthetic elsewhere."""
    years = sorted({int(y) for y in years})
    grid = np.arange(years[0] - 1, years[-1] + 1)        # one earlier year feeds the *_prev measures
    c = load_counties()
    n, T = len(c), len(grid)
    rng = np.random.default_rng(seed)
    typ = c["type"].to_numpy()
    dt = (grid - 2022)[:, None].astype(float)            # (T, 1) years from 2022

    def by_type(qu: float, shi: float, xian: float) -> np.ndarray:
        return np.select([typ == "区", typ == "县级市"], [qu, shi], xian).astype(float)

    def lognorm(sigma: float, shape: tuple[int, ...] = (n,)) -> np.ndarray:
        return np.exp(rng.normal(-sigma**2 / 2, sigma, shape))

    def noise(sd: float) -> np.ndarray:
        return rng.normal(0.0, sd, (T, n))

    pop20 = c["population_2020"].to_numpy()
    w = pop20 / pop20.sum()
    V: dict[str, np.ndarray] = {}
    S: dict[str, np.ndarray] = {}
    real = real_figures()
    real = real[real["year"].between(grid[0], grid[-1])].assign(
        i=lambda d: d["code"].map({k: i for i, k in enumerate(c["code"])}), t=lambda d: d["year"] - grid[0])

    def put(m: str, x: np.ndarray, key: str | None = None, mode: str = "mul") -> np.ndarray:
        V[m], S[m] = x.astype(float), np.full((T, n), SYNTHETIC, dtype=object)
        if key is not None:
            _anchor(V[m], S[m], real[real["key"] == key], mode)
        return V[m]

    # population: census 2020 exact, drift by type; real year-end figures anchored with 2020 kept
    drift = np.exp((by_type(0.006, -0.002, -0.006) + rng.normal(0, 0.004, n)) * (grid[:, None] - 2020))
    pop = put("population", pop20 * drift * np.exp(noise(0.002) * (grid[:, None] != 2020)))
    t20 = np.flatnonzero(grid == 2020)
    anchors = real[real["key"] == "pop"]
    if t20.size:
        S["population"][t20[0]] = CENSUS_SOURCE
        ii = anchors["i"].unique()
        anchors = pd.concat([anchors, pd.DataFrame({"i": ii, "t": t20[0], "value": pop20[ii], "source": CENSUS_SOURCE})])
    _anchor(pop, S["population"], anchors, "mul")

    # GDP per capita around the province, by type, persistent county level
    tf = by_type(1.35, 1.0, 0.75)
    level = tf / (tf * w).sum() * lognorm(0.35)
    pc = PC_GDP_2023 / 1.05 ** (2023 - grid[:, None])
    gdp = put("gdp", pc * level * np.exp(rng.normal(0, 0.015, n) * dt + noise(0.01)) * pop, "gdp")

    # tertiary share (anchored on real value added / GDP or real share), value added = share × GDP
    share = np.clip(by_type(58, 50, 45) + rng.normal(0, 5, n) + 0.4 * dt + noise(0.7), 20, 88)
    tva, tsh = real[real["key"] == "tva"], real[real["key"] == "tshare"]
    tsh = tsh[~tsh.set_index(["i", "t"]).index.isin(tva.set_index(["i", "t"]).index)]
    anchors = pd.concat([tva.assign(value=tva["value"] / gdp[tva["t"], tva["i"]] * 100), tsh])
    _anchor(share, np.full((T, n), "", dtype=object), anchors, "add")
    va = put("q35.service_value_added", share / 100 * gdp)
    src = S["q35.service_value_added"]
    va[tva["t"], tva["i"]], src[tva["t"], tva["i"]] = tva["value"].to_numpy(), tva["source"].to_numpy()
    real_gdp = S["gdp"][tsh["t"], tsh["i"]] != SYNTHETIC
    src[tsh["t"], tsh["i"]] = np.where(real_gdp, tsh["source"], tsh["source"] + " (real share × synthetic GDP)")

    put("q39.hightech_share", np.clip(by_type(50, 48, 44) + rng.normal(0, 9, n) + dt + noise(1.5), 5, 90),
        "hightech", "add")

    # air quality: PM2.5 with prefecture and county effects (淄博 centred on 43), good days from PM2.5
    pref_names, pref = np.unique(c["prefecture"].to_numpy(), return_inverse=True)
    pref_eff = np.where(pref_names == "淄博市", ZIBO_PM25_2022 - PM25_2022, rng.normal(0, 3.5, len(pref_names)))
    pm_level = np.maximum(PM25_2022 + pref_eff[pref] + rng.normal(0, 3, n), 15)
    trend = 1.04 ** -dt
    pm = put("q38.pm25", np.round(pm_level * trend * np.exp(noise(0.035)), 1), "pm25")
    ndays = np.where((grid % 4 == 0) & ((grid % 100 != 0) | (grid % 400 == 0)), 366, 365)[:, None]
    ratio = np.clip(68 + dt - 1.1 * (pm / trend - PM25_2022) + noise(2), 30, 97)
    days = np.round(ratio / 100 * ndays)
    src = np.full((T, n), SYNTHETIC, dtype=object)
    _anchor(days, src, real[real["key"] == "gdays"], "add")
    put("q38.good_days_ratio", np.round(days) / ndays * 100)
    S["q38.good_days_ratio"] = src

    # innovation
    pat = PATENTS_2024 / (PATENTS_2024 / PATENTS_2023) ** (2024 - grid[:, None])
    ptf = by_type(1.8, 0.9, 0.45)
    rate = pat * ptf / (ptf * w).sum() * (level / tf) ** 0.7 * lognorm(0.5) * np.exp(noise(0.05))
    put("q40.invention_patents", np.round(rate * pop))
    put("q41.tech_trade", by_type(3, 2, 1.2) * lognorm(0.7) * 1.15**dt * np.exp(noise(0.2)) / 100 * gdp)

    # money: public expenditure, quality funding, supervision funding
    pe = put("q10.public_expenditure", gdp * 1e4 * 0.13 * (level / (level * w).sum()) ** -0.3
             * lognorm(0.2) * np.exp(noise(0.04)))
    qshare = np.clip(0.22 * lognorm(0.4), 0.08, 0.6) * np.exp(0.05 * dt + noise(0.15))
    put("q10.quality_funding", pe * np.clip(qshare, 0.05, 0.8) / 100)
    per_head = np.clip(12 * lognorm(0.45), 3, 40) * np.exp(0.05 * dt + noise(0.1))
    put("q28.supervision_funding", np.clip(per_head, 3, 45) * pop)

    # enterprises and certification
    put("q19.smes_helped", np.maximum(1, rng.poisson(gdp * 0.08 * lognorm(0.5) * 1.10**dt * np.exp(noise(0.15)))))
    put("q20.certificates", np.maximum(1, np.round(gdp * 0.9 * lognorm(0.5) * 1.08**dt * np.exp(noise(0.04)))))
    put("q36.service_enterprises", np.maximum(1, np.round(va * 0.3 * lognorm(0.4) * 1.06**dt * np.exp(noise(0.05)))))
    put("q36.service_revenue", va * by_type(0.4, 0.3, 0.25) * lognorm(0.5) * np.exp(noise(0.08)))
    put("q37.energy_intensity_reduction", np.clip(rng.normal(3, 1.5, n) + noise(2.6), -30, 30))
    for m in ("q17.class_a_coverage", "q17.energy_review_coverage", "q26.disposal_rate"):
        gap = rng.exponential(1.0, (T, n)) * 5 * lognorm(0.4)
        put(m, np.where(rng.random((T, n)) < 0.35, 100.0, np.clip(100 - gap, 60, 100)))

    # prefab bases: up to 3 per county, each established in some year (cumulative counts)
    final = rng.binomial(3, by_type(0.3, 0.25, 0.15))
    est = rng.integers(grid[0] - 4, grid[-1] + 1, (n, 3))
    active = (np.arange(3) < final[:, None])[None] & (est[None] <= grid[:, None, None])
    put("q33.prefab_bases", active.sum(axis=2))

    # science and technology awards: small Poisson counts scaled by GDP
    weight = (gdp[-1] / np.median(gdp[-1])) ** 0.7 * by_type(1.5, 1.0, 0.7)
    for award, rates in AWARDS.items():
        for role, lam in zip(("lead", "partner"), rates, strict=True):
            put(f"q42.{award}.{role}", rng.poisson(lam * weight, (T, n)))

    _rule_measures(typ, grid, np.random.default_rng(seed + 1), V, S)
    return _assemble(c, grid, years, V, S)


def _rule_measures(typ: np.ndarray, grid: np.ndarray, rng: np.random.Generator, V: dict, S: dict) -> None:
    """Synthetic values of every rule measure (documents, meetings, counts, 100 % rates, veto), so
    that peers have totals to rank on. A persistent county capability (区 higher) plus a yearly
    improvement drives them; a separate random stream keeps the efficacy measures unchanged."""
    from .measures import load_measures

    n, T = len(typ), len(grid)
    cap = np.select([typ == "区", typ == "县级市"], [0.5, 0.3], 0.0) + rng.normal(0, 0.8, n)
    latent = cap[None, :] + 0.25 * (grid - grid[-1])[:, None]                       # (T, n)
    count_rate = {"q04": 0.6, "q14": 0.7, "q15": 0.5, "q24": 2.0, "q43": 0.8, "q18": 0.7}
    for mid, m in load_measures().items():
        if mid in V or mid in PREV or mid in ("q23.sampled", "q23.sampled_compliant"):
            continue
        if mid.startswith("veto."):
            x = (rng.random((T, n)) < 0.003).astype(float)
        elif m.kind == "bool":
            x = (rng.random((T, n)) < 1 / (1 + np.exp(-(1.2 + latent + rng.normal(0, 0.5))))).astype(float)
        elif m.kind == "level":
            k = len(m.levels)  # levels are listed best first
            score = latent + rng.normal(0, 0.9, (T, n))
            x = np.clip(np.round((k - 1) / 2 - score), 0, k - 1)
        elif m.kind == "percent":
            x = np.where(rng.random((T, n)) < 1 / (1 + np.exp(-(0.6 + latent))), 100.0,
                         np.clip(100 - rng.exponential(3, (T, n)), 60, 100))
        else:  # counts
            lam = count_rate.get(mid[:3], 1.0) * np.exp(0.6 * latent)
            x = rng.poisson(lam * (300 if mid == "q18.demo_units" else 1)).astype(float)
        V[mid], S[mid] = x, np.full((T, n), SYNTHETIC, dtype=object)
    V["q23.sampled"] = np.full((T, n), 10.0)
    V["q23.sampled_compliant"] = 10.0 - rng.binomial(2, 1 / (1 + np.exp(2 + latent)))
    for mid in ("q23.sampled", "q23.sampled_compliant"):
        S[mid] = np.full((T, n), SYNTHETIC, dtype=object)
    COUNTS.update(mid for mid, m in load_measures().items() if m.kind in ("count", "bool", "level"))


def _assemble(c: pd.DataFrame, grid: np.ndarray, years: list[int], V: dict[str, np.ndarray],
              S: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long frame of the requested years; *_prev measures come from the year before; sorted rows."""
    n = len(c)
    t = np.searchsorted(grid, years)
    frames = []
    for m in sorted([*V, *PREV]):
        base, tt = (PREV[m], t - 1) if m in PREV else (m, t)
        x = np.round(V[base][tt], 0 if base in COUNTS else DECIMALS.get(base, 4)) + 0.0
        frames.append(pd.DataFrame({
            "county": np.tile(c["county"], len(t)), "year": np.repeat(years, n), "measure": m,
            "value": x.ravel(), "source": S[base][tt].ravel(), "code": np.tile(c["code"], len(t)),
            "prefecture": np.tile(c["prefecture"], len(t)), "type": np.tile(c["type"], len(t))}))
    df = pd.concat(frames, ignore_index=True)
    df["value"] = df["value"].astype(object)
    from .measures import load_measures

    for mid, m in load_measures().items():  # levels are written as their ids, as departments report them
        if m.kind == "level" and mid in V:
            rows = df["measure"] == mid
            df.loc[rows, "value"] = np.asarray(m.levels, dtype=object)[df.loc[rows, "value"].astype(int)]
    return df.sort_values(["code", "year", "measure"], ignore_index=True)[COLUMNS]


def _fmt(x: float | str) -> str:
    if isinstance(x, str):  # a level id
        return x
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The panel as CSV bytes: UTF-8 with BOM, fixed number formatting."""
    out = df.assign(value=df["value"].map(_fmt))
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def write(path: str | Path, seed: int = 2022, years: Iterable[int] = (2019, 2020, 2021, 2022)) -> Path:
    """Generate the panel and write it as CSV (UTF-8 with BOM)."""
    from .paths import allow_package_output
    from .writers import write_atomic

    path = Path(path)
    if path.resolve() == SHIPPED.resolve():
        allow_package_output(path)       # the generator regenerates the shipped panel; nothing else writes it
    path.parent.mkdir(parents=True, exist_ok=True)
    data = to_csv_bytes(generate(seed, years))
    return write_atomic(path, lambda tmp: tmp.write_bytes(data), "对标面板")


def peer_panel_path(spec: str | Path) -> Path:
    """A peer-panel option as a file: ``shandong`` is the shipped panel, anything else a CSV path."""
    return SHIPPED if str(spec) == "shandong" else Path(spec)


def load_peers() -> pd.DataFrame:
    """The shipped peer panel qstrong/data/peers/shandong.csv (numbers as floats, level ids as text)."""
    df = _read(PEERS_FILE).astype({"year": int})
    num = pd.to_numeric(df["value"], errors="coerce")
    df["value"] = num.astype(object).where(num.notna(), df["value"])
    return df


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m qstrong.peerdata",
                                description="生成山东省136个县（市、区）对标面板（真实数据优先，其余为合成数据）")
    p.add_argument("--seed", type=int, default=2022, help="随机种子（默认 2022）")
    p.add_argument("--out", default=str(SHIPPED), help="输出CSV路径（默认：包内 data/peers/shandong.csv）")
    p.add_argument("--years", default="2019,2020,2021,2022", help="年份，逗号分隔")
    args = p.parse_args(argv)
    start = time.perf_counter()
    path = write(args.out, args.seed, [int(y) for y in args.years.split(",")])
    print(f"wrote {path} in {time.perf_counter() - start:.2f}s")


if __name__ == "__main__":
    main()
