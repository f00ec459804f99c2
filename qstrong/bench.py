"""Benchmarks that print figures (never assert time).

    python -m qstrong.bench score        # full-panel scoring of 136 and 2,844 synthetic counties
    python -m qstrong.bench intake       # intake of 30 filled department workbooks
    python -m qstrong.bench sensitivity  # weight Monte Carlo: vectorised vs loop, Sobol, memory
    python -m qstrong.bench combined     # combined uncertainty (readings × weights × the county's inputs)
    python -m qstrong.bench report       # a full report for one county
    python -m qstrong.bench explore      # the explorer: a changed figure → the updated state
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from .catalog import load_catalog
from .config import ScoringConfig
from .panel import Panel
from .scoring import score_arrays, score_panel
from .synthetic import random_env, random_panel_frame


def timeit(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, best) seconds over `repeat` runs after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def bench_score(sizes: list[int], repeat: int) -> None:
    cat = load_catalog()
    cfg = ScoringConfig.default(cat)
    print("qstrong.bench score — 43 indicators, default config; median / best of", repeat, "runs")
    print(f"{'counties':>9} {'score_arrays':>14} {'score_panel':>13} {'load+validate':>14} {'explain 1':>10}  target")
    for n in sizes:
        env = random_env(n, np.random.default_rng(n))
        arr_med, _ = timeit(lambda env=env: score_arrays(env, cfg, cat), repeat)
        frame = random_panel_frame(n, seed=n)
        t = time.perf_counter()
        panel = Panel.from_frame(frame, cat)
        load = time.perf_counter() - t
        panel.wide(2022)
        ps_med, _ = timeit(lambda panel=panel: score_panel(panel, 2022, cfg), repeat)
        ps = score_panel(panel, 2022, cfg)
        ex_med, _ = timeit(lambda ps=ps: ps.county(ps.counties[0]), repeat)
        target = "≤ 50 ms" if n <= 136 else "≤ 500 ms"
        print(f"{n:>9} {arr_med * 1e3:>11.1f} ms {ps_med * 1e3:>10.1f} ms {load * 1e3:>11.0f} ms "
              f"{ex_med * 1e3:>7.1f} ms  {target} per full panel score")
    draws = 1000
    env = random_env(136, np.random.default_rng(1), shape=(draws,))
    med, _ = timeit(lambda: score_arrays(env, cfg, cat), max(1, repeat // 2))
    print(f"stacked: {draws} draws × 136 counties in one call: {med * 1e3:.0f} ms "
          f"({draws / med:,.0f} panel scores/s)")


def bench_intake(n_files: int, repeat: int) -> None:
    """Intake of `n_files` filled department workbooks (templates of several counties, all filled)."""
    import tempfile
    from pathlib import Path

    from .departments import assignment
    from .intake.collect import intake
    from .intake.fill import excel_value, fill_template
    from .intake.templates import template_filename, write_templates

    frame = random_panel_frame(1, seed=7).set_index("measure")["value"]
    depts = list(assignment().by_department.items())
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for k in range(-(-n_files // len(depts))):     # one folder per county: an intake is one county's
            county, tpl = f"县{k:02d}", Path(tmp) / f"tpl{k}"
            write_templates(tpl, county=county, year=2022)
            folders.append(Path(tmp) / f"sub{k}")
            folders[-1].mkdir()
            for dept, ids in depts[: n_files - k * len(depts)]:
                fill_template(tpl / template_filename(dept), folders[-1] / template_filename(dept),
                              {m: excel_value(m, frame[m]) for m in ids}, evidence="统计年报")
        med, best = timeit(lambda: [intake(f) for f in folders], repeat)
        results = [intake(f) for f in folders]
        print(f"qstrong.bench intake — {sum(len(r.books) for r in results)} filled workbooks "
              f"({len(folders)} counties), {sum(len(r.reads) for r in results)} value cells: "
              f"median {med * 1e3:.0f} ms, best {best * 1e3:.0f} ms (target ≤ 1 s); "
              f"ok={all(r.ok for r in results)}")


def bench_sensitivity(draws: int, repeat: int) -> None:
    """Weight Monte Carlo: vectorised batch vs a per-draw loop over the same engine; Sobol; memory."""
    import resource
    import tracemalloc

    from .analysis.sensitivity import weight_draws, weight_mc
    from .analysis.sobol import sobol_indices

    cat = load_catalog()
    cfg = ScoringConfig.default(cat)
    env = random_env(136, np.random.default_rng(5))
    scores = score_arrays(env, cfg, cat)
    w = weight_draws(draws, seed=1)
    vec, _ = timeit(lambda: weight_mc(scores, w, progress=False), repeat)
    n_loop = min(draws, 500)
    frame = pd.DataFrame(scores)
    points = np.array([i.points for i in cat.indicators])

    def loop() -> None:  # what one would write: per draw, reweight the engine's scores and rank
        for d in range(n_loop):
            total = (frame * (w[d] / points)).sum(axis=1)
            total.rank(ascending=False, method="min")

    n_engine = min(draws, 200)

    def engine_loop() -> None:  # per draw: the engine scores the panel, then reweight and rank
        for d in range(n_engine):
            total = pd.DataFrame(score_arrays(env, cfg, cat)).mul(w[d] / points).sum(axis=1)
            total.rank(ascending=False, method="min")

    per, _ = timeit(loop, max(1, repeat // 2))
    eng, _ = timeit(engine_loop, 1)
    vec_rate, loop_rate, engine_rate = draws / vec, n_loop / per, n_engine / eng
    print(f"qstrong.bench sensitivity — 136 counties × 43 indicators, weight Monte Carlo ({draws} draws, ranks included)")
    print(f"  vectorised batch: {vec_rate:,.0f} runs/s (target ≥ 100,000)")
    print(f"  per-draw loop, engine re-scoring each draw: {engine_rate:,.0f} runs/s → ratio {vec_rate / engine_rate:,.0f}×"
          " (target ≥ 100)")
    print(f"  per-draw loop, reweighting the engine's scores in pandas: {loop_rate:,.0f} runs/s → ratio "
          f"{vec_rate / loop_rate:,.0f}×")
    s = np.nan_to_num(scores[0])
    problem = {"num_vars": 43, "names": [str(i) for i in range(43)],
               "bounds": [[p * 0.75, p * 1.25] for p in points]}
    t = time.perf_counter()
    sobol_indices(problem, lambda X: (X / X.sum(axis=1, keepdims=True) * 100 / points) @ s, 4096)
    print(f"  Sobol over 43 weights, N = 4096 ({4096 * 45:,} model runs): {time.perf_counter() - t:.1f} s (target ≤ 10 s)")
    big = score_arrays(random_env(2844, np.random.default_rng(6)), cfg, cat)
    wb = weight_draws(10_000, seed=2)
    tracemalloc.start()
    t = time.perf_counter()
    weight_mc(big, wb, progress=False)
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  2,844 counties × 10,000 draws: {elapsed:.1f} s, peak traced memory {peak / 2**20:,.0f} MB, "
          f"process peak RSS {rss:,.0f} MB (target ≤ 2 GB)")


def bench_combined(draws: int, counties: int = 136) -> None:
    """Combined uncertainty: runs/s of the whole analysis (draws, ranks, quantiles, Sobol groups) and of
    its model alone, with and without the readings and the county's input noise."""
    from .analysis.sensitivity import weight_draws
    from .analysis.uncertainty import combined
    from .analysis.uncertainty_model import Model, reading_configs
    from .benchmark import benchmark

    panel = Panel.from_frame(random_panel_frame(counties, seed=3))
    bench = benchmark(panel, panel.counties[0], config=ScoringConfig.default().with_vetoed_peers("keep"))
    ps = bench.scores
    print(f"qstrong.bench combined — {bench.n} counties, {draws:,} draws (target ≥ 20,000 runs/s)")
    for readings in (True, False):
        configs = reading_configs(bench.config, ps.catalog, readings)
        base = Model(ps, bench.county, [c for _, c in configs])
        for error in (0.0, 0.1):
            model = Model(ps, bench.county, [c for _, c in configs], error) if error else base
            rng = np.random.default_rng(0)
            n = draws if not error else min(draws, 4000)
            r = rng.integers(model.k, size=n)
            w = weight_draws(n, seed=1)
            mult = rng.uniform(1 - error, 1 + error, (n, len(model.measures))) if error else None
            t = time.perf_counter()
            for s in range(0, n, 2000):
                model.totals(r[s:s + 2000], w[s:s + 2000], None if mult is None else mult[s:s + 2000])
            alone = n / (time.perf_counter() - t)
            t = time.perf_counter()
            c = combined(bench, draws=n, readings=readings, input_error=error, progress=False)
            whole = time.perf_counter() - t
            sec = c.seconds
            what = f"{len(configs)} readings" if readings else "chosen reading"
            noise = f"inputs ±{error:.0%} ({len(model.measures)} measures, {len(model.affected)} indicators rescored)" \
                if error else "no input noise"
            print(f"  {what}, {noise}:\n    Monte Carlo (totals, ranks, quantiles): {n / sec['draws']:,.0f} runs/s "
                  f"(model alone {alone:,.0f} runs/s); whole analysis {whole:.2f} s for {n:,} draws = readings scored "
                  f"{sec['readings']:.2f} s + draws {sec['draws']:.2f} s + Sobol groups (N=256) {sec['sobol']:.2f} s")


def bench_report() -> None:
    """A full report (four notebooks executed and rendered) for the sample county."""
    import tempfile
    from pathlib import Path

    from .reports.build import build_report

    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        build_report("临淄区", intake=str(root / "data" / "sample" / "submissions"), out=tmp, progress=False)
        print(f"qstrong.bench report — full report for one county (intake → 4 notebooks → HTML, 10,000 weight draws): "
              f"{time.perf_counter() - t:.1f} s (target ≤ 20 s)")


def _random_value(m, rng: np.random.Generator, base: float | None) -> object:
    """An admissible new figure for measure `m` (the kind decides), near the county's own when it has one."""
    if m.kind == "bool":
        return bool(rng.integers(2))
    if m.kind == "level":
        return m.levels[int(rng.integers(len(m.levels)))]
    low = m.low if m.low is not None else 0.0
    high = m.high if m.high is not None else max(10.0, 3 * (base or 10.0))
    x = float(rng.uniform(low, high))
    x = max(x, low + 1e-6) if m.low_open else x
    return int(round(x)) if m.kind == "count" else round(x, 2)


def bench_explore(changes: int = 200, seed: int = 0) -> None:
    """From a changed figure to the updated model state (engine for the indicators it feeds, every
    county; total, rank, lost points by level 2, the changed indicators explained), 136 counties."""
    from .errors import InputError
    from .explorer import session
    from .explorer.app import Explorer

    s = session(None, "临淄区")
    model = s.model
    rng = np.random.default_rng(seed)
    ids = [m for m in model.measures if not m.startswith("veto.")]
    model_t, widget_t, calls = [], [], 0
    app = Explorer(s)
    while len(model_t) < changes:
        mid = ids[int(rng.integers(len(ids)))]
        raw = _random_value(model.measures[mid], rng, model.baseline(mid))
        try:
            if model.parse(mid, raw) == model.value(mid):
                continue               # not a change
        except InputError:
            continue
        before = model.engine_calls
        t = time.perf_counter()
        try:
            model.set(mid, raw)
        except InputError:             # a constraint between figures refused it: not a timed change
            continue
        model_t.append(time.perf_counter() - t)
        calls += model.engine_calls - before
        t = time.perf_counter()
        app._refresh()                 # the HTML the widgets show (no browser)
        widget_t.append(time.perf_counter() - t)
    full = timeit(lambda: score_panel(s.panel(), s.bench.year, s.bench.config).county("临淄区"), 5)[0]
    ms = np.array(model_t) * 1e3
    wt = np.array(widget_t) * 1e3
    print(f"qstrong.bench explore — {len(ms)} changed figures of 临淄区 against {s.bench.n} counties "
          f"({calls} engine calls)")
    print(f"  model state (engine + rank + lost points by level 2 + explanations): median {np.median(ms):.1f} ms, "
          f"95th percentile {np.percentile(ms, 95):.1f} ms (target ≤ 20 ms median)")
    print(f"  + the widgets' HTML: median {np.median(wt):.1f} ms, 95th percentile {np.percentile(wt, 95):.1f} ms")
    print(f"  for comparison, the changes applied to the panel and every county re-scored from scratch: {full * 1e3:.0f} ms")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m qstrong.bench")
    p.add_argument("what", choices=["score", "intake", "sensitivity", "combined", "report", "explore"])
    p.add_argument("--draws", type=int, default=10_000)
    p.add_argument("--files", type=int, default=30)
    p.add_argument("--sizes", type=int, nargs="+", default=[136, 2844])
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args(argv)
    if args.what == "score":
        bench_score(args.sizes, args.repeat)
    elif args.what == "report":
        bench_report()
    elif args.what == "explore":
        bench_explore()
    elif args.what == "combined":
        bench_combined(args.draws)
    elif args.what == "sensitivity":
        bench_sensitivity(args.draws, min(args.repeat, 3))
    else:
        bench_intake(args.files, min(args.repeat, 5))


if __name__ == "__main__":
    main()
