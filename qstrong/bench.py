"""Benchmarks that print figures (never assert time).

    python -m qstrong.bench score     # full-panel scoring of 136 and 2,844 synthetic counties
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

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
        sub = Path(tmp) / "sub"
        sub.mkdir()
        for k in range(-(-n_files // len(depts))):
            county, tpl = f"县{k:02d}", Path(tmp) / f"tpl{k}"
            write_templates(tpl, county=county, year=2022)
            for dept, ids in depts[: n_files - k * len(depts)]:
                fill_template(tpl / template_filename(dept), sub / f"{county}_{template_filename(dept)}",
                              {m: excel_value(m, frame[m]) for m in ids})
        med, best = timeit(lambda: intake(sub), repeat)
        res = intake(sub)
        print(f"qstrong.bench intake — {len(res.books)} filled workbooks, {len(res.reads)} value cells: "
              f"median {med * 1e3:.0f} ms, best {best * 1e3:.0f} ms (target ≤ 1 s); ok={res.ok}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m qstrong.bench")
    p.add_argument("what", choices=["score", "intake"])
    p.add_argument("--files", type=int, default=30)
    p.add_argument("--sizes", type=int, nargs="+", default=[136, 2844])
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args(argv)
    if args.what == "score":
        bench_score(args.sizes, args.repeat)
    else:
        bench_intake(args.files, min(args.repeat, 5))


if __name__ == "__main__":
    main()
