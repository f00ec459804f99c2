"""What a report rests on: the county's data (a panel file or an intake folder), its benchmark (the
peers), and the provenance of every input file (SHA-256), with a plain flag when peer values are synthetic."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..benchmark import Benchmark, benchmark
from ..panel import Panel, with_peers
from ..writers.about import sha256


@dataclass
class Inputs:
    panel: Panel                                         # the benchmark's counties, every year
    county: str
    benchmark: Benchmark
    files: list[dict] = field(default_factory=list)     # name, role, sha256, bytes
    intake: object | None = None                         # IntakeResult when read from an intake folder
    synthetic_values: int = 0

    def provenance(self) -> pd.DataFrame:
        return pd.DataFrame(self.files, columns=["role", "name", "sha256", "bytes"])


def load_inputs(county: str, panel: str | None = None, intake: str | None = None,
                peer_panel: str | None = "shandong", year: int | None = None, peers: str | None = None,
                panel_counties_as_peers: bool = False, resolutions: str | None = None,
                config: str | None = None) -> Inputs:
    """The benchmark a report scores: the county's own data (an intake folder, a panel CSV, or both —
    the intake for its year, the panel for the other years) against the peer panel's counties (rows of
    the county in the peer panel are dropped) in the group `peers`. With a peer panel, the panel's other
    counties join the peers only when `panel_counties_as_peers` (the benchmark's notes say which);
    `resolutions` settles conflicting reports in the intake (``qstrong intake --resolve``); `config` is a
    scoring-config JSON (the reading; None: the default).
    Raises PanelError with every problem when the data are bad."""
    files: list[dict] = []
    intake_result = None
    if intake:
        from ..intake.collect import intake as run_intake

        intake_result = run_intake(intake, year=year, resolutions=resolutions)
        if not intake_result.ok:
            from ..panel import PanelError, Problem

            raise PanelError([Problem(str(i)) for i in intake_result.errors])
        own = intake_result.to_panel()
        files += [{"role": "部门填报", "name": b.info.name, "sha256": b.info.sha256, "bytes": b.info.size}
                  for b in intake_result.books]
    if panel:
        history = Panel.from_csv(panel)
        # with an intake folder, the panel adds the other years (history) and other counties
        own = with_peers(own, history, None) if intake else history
        files.append({"role": "面板（历年数据）" if intake else "面板", "name": Path(panel).name,
                      "sha256": sha256(Path(panel)), "bytes": Path(panel).stat().st_size})
    if not intake and not panel:
        raise ValueError("需要 panel（面板CSV）或 intake（填报目录），或两者（填报为当年，面板补历年）")
    if peer_panel:
        from ..peerdata import peer_panel_path

        peer_path = peer_panel_path(peer_panel)
        files.append({"role": "对标面板", "name": peer_path.name, "sha256": sha256(peer_path),
                      "bytes": peer_path.stat().st_size})
    reading = None
    if config:
        from ..config import ScoringConfig

        reading = ScoringConfig.from_json(config)
        files.append({"role": "计分配置", "name": Path(config).name, "sha256": sha256(Path(config)),
                      "bytes": Path(config).stat().st_size})
    bench = benchmark(own, county, year, peers, reading, peer_panel or None, panel_counties_as_peers)
    return Inputs(bench.panel, bench.county, bench, files, intake_result, bench.invented)
