"""The benchmark: the one object every analysis takes, and every output names.

A benchmark is the county, the counties it is scored against (a peer panel and a peer group), the
evaluation year and the reading of the seed (a ScoringConfig). Every analysis takes one (as
scikit-criteria's DecisionMatrix), so one question asked twice gets one answer; every output states it
in one line:

    对标：全省132个县（市、区）· 2022年 · 默认解读 · 真实数据占比3%（合成97%）

"排名" is always the rank of the total among the benchmark's counties, ties sharing the best rank,
shown as 第k名/共N个. A peer whose veto is triggered in the benchmark year (一票否决，“直接取消资格”) is not
one of them under the default reading (``ScoringConfig.vetoed_peers``: exclude); the evaluated county
always is. Which peers were left out, or kept with an unreported veto, is said in ``notes``. Under
``ScoringConfig.impute_peers = "median"`` the peers' gaps are filled (:mod:`qstrong.impute`), flagged,
counted apart (:attr:`Benchmark.imputed`) and said in the line (插补N个), the notes and the notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .config import ScoringConfig
from .errors import InputError
from .impute import Imputation, impute_peers, is_imputed, without_imputed
from .names import normalise_name
from .panel import Panel, PanelError, Problem, load_panel, with_peers
from .paths import real_path
from .peers import GROUPS, select
from .scoring import PanelScores, score_panel

SYNTHETIC_MARKS = ("synthetic", "示例", "虚构", "合成")
SHIPPED = "shandong"


def is_synthetic(source: object) -> bool:
    """A value whose source column says it is synthetic or invented (示例/虚构/合成)."""
    return any(mark in str(source) for mark in SYNTHETIC_MARKS)


def shares(prov: pd.DataFrame, catalog) -> tuple[float, float, float | None]:
    """(real, synthetic, efficacy measures' real) shares of a :func:`peer_provenance` count (0 when empty;
    the efficacy share None when no efficacy measure's value is counted)."""
    from .yearbook.coverage import components

    total = int(prov.to_numpy().sum())
    eff = prov[prov.index.isin(components(catalog)["measure"])]
    n = int(eff.to_numpy().sum())
    return (float(prov["real"].sum() / total) if total else 0.0, float(prov["synthetic"].sum() / total) if total else 0.0,
            float(eff["real"].sum() / n) if n else None)


def share_words(real: float, synthetic: float, efficacy: float | None) -> str:
    """真实数据占比3%（合成97%；功效系数法数据项真实5%）: the one wording of the real share."""
    part = "" if efficacy is None else f"；功效系数法数据项真实{share_percent(efficacy)}"
    return f"真实数据占比{share_percent(real)}（合成{share_percent(synthetic)}{part}）"


def peer_provenance(panel: Panel, county: str, year: int) -> pd.DataFrame:
    """Per measure, how many of the peers' values in `year` are real, how many synthetic/invented and how
    many imputed (:mod:`qstrong.impute`; neither real nor synthetic)."""
    if "source" not in panel.data.columns:
        return pd.DataFrame(columns=["real", "synthetic", "imputed"], dtype=int)
    d = panel.data[(panel.data["year"] == year) & (panel.data["county"] != county)]
    imputed = is_imputed(d)
    flag = d["source"].map(is_synthetic).astype(bool) & ~imputed
    return pd.DataFrame({"real": (~flag & ~imputed).groupby(d["measure"]).sum(),
                         "synthetic": flag.groupby(d["measure"]).sum(),
                         "imputed": imputed.groupby(d["measure"]).sum()}).astype(int)


@dataclass(frozen=True)
class Benchmark:
    """County + peers (panel and group) + year + reading. Build with :func:`benchmark`."""

    panel: Panel                       # the benchmark's counties only (the peer group), every year
    county: str
    year: int
    peers: str = SHIPPED               # the peer-group spec (shandong, prefecture, type, strong2022, a,b,c, @file)
    config: ScoringConfig = field(default=None, repr=False)   # type: ignore[assignment]
    peer_source: str = ""              # where the peers' figures come from, in words
    notes: tuple[str, ...] = ()        # choices made when it was built (said, not hidden)
    reading_label: str = ""            # the reading's name when it has one (the explorer's readings)
    group: Panel | None = field(default=None, repr=False)  # the peer group before vetoed peers are left out
    vetoed_peers: tuple[str, ...] = ()  # peers whose veto is triggered in the year (left out under exclude)
    veto_unknown: tuple[str, ...] = ()  # peers kept although some veto item is unreported
    imputation: Imputation | None = field(default=None, repr=False, compare=False)  # impute_peers != none

    # ── what it is ──
    @property
    def counties(self) -> list[str]:
        return self.scores.counties

    @property
    def n(self) -> int:
        return len(self.counties)

    @property
    def group_label(self) -> str:
        if self.peers in GROUPS:
            return GROUPS[self.peers]
        return "自定义对标组"

    @cached_property
    def reading(self) -> str:
        """默认解读 when the config is the catalog's default, else 自定义解读 naming what it changes
        (worked out once: every output states it)."""
        if self.reading_label:
            return self.reading_label
        changes = self.config.differences(self.panel.catalog)
        return "默认解读" if not changes else f"自定义解读（{'；'.join(changes)}）"

    @cached_property
    def provenance(self) -> pd.DataFrame:
        """Per measure, how many of the peers' values in the benchmark year are real and how many
        synthetic/invented (the one count behind every notice and the share below)."""
        return peer_provenance(self.panel, self.county, self.year)

    @cached_property
    def synthetic_share(self) -> float | None:
        """Share of the peers' values in the benchmark year marked synthetic/invented (None: no source
        column in the reported data: the one imputed values bring is not counted)."""
        if "source" not in self.full_group.data.columns:
            return None
        total = int(self.provenance.to_numpy().sum())
        return float(self.provenance["synthetic"].sum() / total) if total else 0.0

    @cached_property
    def real_share(self) -> float | None:
        """Share of the peers' values in the benchmark year that are real (neither synthetic/invented nor
        imputed; None exactly when :attr:`synthetic_share` is None)."""
        if self.synthetic_share is None:
            return None
        total = int(self.provenance.to_numpy().sum())
        return float(self.provenance["real"].sum() / total) if total else 0.0

    @cached_property
    def efficacy_real_share(self) -> float | None:
        """The real share among the peers' benchmark-year values of the measures efficacy items use (the 34
        points scored against peers, and what a yearbook import raises; rule measures can only be reported).
        None without a source column or when the benchmark holds no such value."""
        return None if self.real_share is None else shares(self.provenance, self.panel.catalog)[2]

    @property
    def share_text(self) -> str:
        """真实数据占比3%（合成97%；功效系数法数据项真实5%） ('' without a source column): the real share on
        every benchmark line, over all the peers' values and over the efficacy measures' values."""
        if self.real_share is None:
            return ""
        return share_words(self.real_share, self.synthetic_share, self.efficacy_real_share)

    @cached_property
    def own_invented(self) -> int:
        """The county's own values in the benchmark year marked synthetic or invented."""
        d = self.panel.data
        return count_invented(d[(d["county"] == self.county) & (d["year"] == self.year)])

    @cached_property
    def invented(self) -> int:
        """Synthetic/invented values the result rests on: the peers' in the benchmark year (as counted in
        :attr:`provenance`) and the county's own that year — the one count behind every data notice."""
        return int(self.provenance["synthetic"].sum()) + self.own_invented

    @property
    def imputed(self) -> pd.DataFrame:
        """Every peer value imputed (:data:`qstrong.impute.COLUMNS`: county, year, measure, name, value,
        basis, basis_name, n); empty unless ``config.impute_peers`` says to impute."""
        from .impute import COLUMNS

        return pd.DataFrame(columns=COLUMNS) if self.imputation is None else self.imputation.imputed

    @property
    def notice(self) -> str:
        """The 示例数据提示 every output carries when :attr:`invented` is not 0, and the 插补提示 when peer
        values were imputed ('' when neither)."""
        from .writers.about import data_notice, imputed_notice

        return " ".join(t for t in (data_notice(self.invented), imputed_notice(len(self.imputed))) if t)

    def describe(self) -> str:
        """The one line every output carries."""
        if self.peers != SHIPPED:
            where = f"{self.group_label}{self.n}个县（市、区）"
        elif self.peer_source.startswith("随包附带"):
            where = f"全省{self.n}个县（市、区）"
        else:
            where = f"{self.peer_source}中全部{self.n}个县（市、区）"
        parts = [f"对标：{where}", f"{self.year}年", self.reading]
        if self.share_text:
            parts.append(self.share_text)
        if self.imputation is not None:
            parts.append(f"插补{len(self.imputed)}个")
        return " · ".join(parts)

    def _repr_html_(self) -> str:
        """The line (bold) and the notes, as the top of a report page; every text escaped."""
        from html import escape

        notes = "".join(f"<br>提醒：{escape(n)}" for n in self.notes)
        return f"<p><b>{escape(self.describe())}</b>{notes}</p>"

    def to_dict(self) -> dict:
        return {"county": self.county, "year": self.year, "peers": self.peers, "peer_group": self.group_label,
                "counties": self.n, "peer_source": self.peer_source, "reading": self.reading, "config": self.config.to_dict(),
                "synthetic_share": self.synthetic_share, "real_share": self.real_share, "efficacy_real_share": self.efficacy_real_share, "description": self.describe(), "notes": list(self.notes),
                "vetoed_peers": self.config.vetoed_peers, "vetoed": list(self.vetoed_peers),
                "veto_unknown": list(self.veto_unknown), "impute_peers": self.config.impute_peers,
                "imputed": self.imputed.to_dict(orient="records")}

    # ── the one score and the one rank ──
    @cached_property
    def scores(self) -> PanelScores:
        return score_panel(self.panel, self.year, self.config)

    @property
    def total(self) -> float:
        return self.scores.county(self.county).total

    def ranks(self, totals: pd.Series | None = None) -> pd.Series:
        """Rank of each total among the benchmark's counties (1 = best; ties share the best rank)."""
        return ranks(self.scores.totals if totals is None else totals)

    def rank(self, totals: pd.Series | None = None, county: str | None = None) -> int:
        return int(self.ranks(totals)[county or self.county])

    def rank_text(self, totals: pd.Series | None = None, county: str | None = None) -> str:
        return rank_text(self.rank(totals, county), self.n)

    @property
    def full_group(self) -> Panel:
        """The peer group with the peers left out for their veto (the benchmark's panel under keep)."""
        return self.panel if self.group is None else self.group

    def with_config(self, config: ScoringConfig | Mapping | None) -> Benchmark:
        """The same benchmark under another reading (vetoed peers left out or brought back by it)."""
        return _make(self.full_group, self.county, self.year, self.peers, config, self.peer_source, self.notes)

    def with_panel(self, panel: Panel) -> Benchmark:
        """The same benchmark over other figures for the same counties (a scenario applied, say); the peers
        left out for their veto stay left out (and reachable by :meth:`with_config`)."""
        out = self.full_group.data
        out = out[out["county"].isin(set(self.vetoed_peers) - set(panel.counties))]
        full = Panel(pd.concat([panel.data, out], ignore_index=True), panel.catalog, panel.source) \
            if len(out) else panel
        return _make(full, self.county, self.year, self.peers, self.config, self.peer_source, self.notes)

    def regrouped(self, peers: str | list[str], config: ScoringConfig | Mapping | None = None) -> Benchmark:
        """The same county and year against the peer group `peers` drawn from this benchmark's counties
        (vetoed ones included), under `config` (None: this benchmark's reading)."""
        spec = peers if isinstance(peers, str) else ",".join(peers)
        group = select(self.full_group, self.county, peers)
        return _make(group, self.county, self.year, spec, self.config if config is None else config,
                     self.peer_source, self.notes)


def _same_file(a: object, b: object) -> bool:
    return bool(a) and bool(b) and real_path(str(a)) == real_path(str(b))


def share_percent(x: float) -> str:
    """A 0–1 share as a whole percent that never hides a few values: 0 < x < 0.5 % is 不足1%, and
    99.5 % ≤ x < 1 is 超过99%."""
    if 0 < x < 0.005:
        return "不足1%"
    if 0.995 <= x < 1:
        return "超过99%"
    return f"{x:.0%}"


def rank_text(rank: int, n: int) -> str:
    return f"第{rank}名/共{n}个"


def ranks(totals: pd.Series) -> pd.Series:
    """The one rank: 1 = the highest total, ties sharing the best rank."""
    return totals.rank(method="min", ascending=False).astype(int)


def count_invented(data: pd.DataFrame) -> int:
    """How many rows of long data (a panel's) have a source marked synthetic or invented (0: no source)."""
    if "source" not in data.columns:
        return 0
    return int(data["source"].astype(str).str.contains("|".join(SYNTHETIC_MARKS), regex=True).sum())


ALONE = ("对标组中只有本县一个县（市、区）：功效系数法指标的标杆就是本县自己的值（得满分），"
         "排名（第1名/共1个）没有意义；请用 --peer-panel 加入对标县")
COLUMN = "对标基准"
NOTICE_COLUMN = "数据提示"


def stamp(df: pd.DataFrame, line: str = "", notice: str = "") -> pd.DataFrame:
    """`df` with the benchmark's line (column 对标基准) and, when one applies, the data notice (数据提示)
    on every row: how a CSV carries what an xlsx's 说明 sheet says."""
    cols = {**({COLUMN: line} if line else {}), **({NOTICE_COLUMN: notice} if notice else {})}
    return df.assign(**cols)


def stamped(df: pd.DataFrame, bench: Benchmark) -> pd.DataFrame:
    """`df` stamped (:func:`stamp`) with the benchmark's line and its data notice, for CSV outputs."""
    return stamp(df, bench.describe(), bench.notice)


def veto_split(panel: Panel, county: str, year: int) -> tuple[list[str], list[str]]:
    """(peers whose veto is triggered in `year`, peers not triggered but with a veto item unreported),
    in the panel's order; `county` is in neither."""
    veto = list(panel.catalog.veto.measures)
    if not veto or year not in panel.years:
        return [], []
    w = panel.wide(year)[veto]
    w = w[w.index != county]
    hit = (w > 0.5).any(axis=1)
    unknown = w.isna().any(axis=1) & ~hit
    return list(w.index[hit]), list(w.index[unknown])


def _names(names: list[str], most: int = 10) -> str:
    more = f"等{len(names)}个" if len(names) > most else ""
    return "、".join(names[:most]) + more


def _veto_notes(vetoed: list[str], unknown: list[str], year: int, mode: str) -> list[str]:
    """What the benchmark says about its vetoed peers and those whose veto cannot be judged."""
    out = []
    if vetoed:
        head = f"对标组中{len(vetoed)}个县（市、区）{year}年触发一票否决，"
        how = ("按“直接取消资格”不参与对标（不设标杆、不排名）" if mode == "exclude" else
               "按所选解读仍参与对标（设标杆、排名）")
        out.append(f"{head}{how}：{_names(vetoed)}")
    if unknown:
        out.append(f"对标组中{len(unknown)}个县（市、区）{year}年有一票否决项未填报，无法判断是否触发，"
                   f"仍参与对标：{_names(unknown)}")
    return out


def _own_note(note: str) -> bool:
    """A note :func:`_make` writes (and rewrites for every new membership)."""
    return note == ALONE or (note.startswith("对标组中") and "一票否决" in note) or note.startswith("同行缺失值")


def _make(panel: Panel, county: str, year: int, peers: str, config, peer_source: str,
          notes: tuple[str, ...]) -> Benchmark:
    """The Benchmark over the peer group `panel`: peers whose veto is triggered in `year` left out when
    the reading says so (the group kept in ``group``), the peers' gaps imputed when the reading says so
    (from the reported values: an earlier imputation's rows are dropped first), and the notes about them
    and a lone county."""
    panel = without_imputed(panel)
    cat = panel.catalog
    if config is None:
        config = ScoringConfig.default(cat)
    elif isinstance(config, Mapping):
        config = ScoringConfig.from_dict(config, cat)
    vetoed, unknown = veto_split(panel, county, year)
    group = panel
    if vetoed and config.vetoed_peers == "exclude":
        d = panel.data
        panel = Panel(d[~d["county"].isin(vetoed)].reset_index(drop=True), cat, panel.source)
    kept = [n for n in notes if not _own_note(n)] + _veto_notes(vetoed, unknown, year, config.vetoed_peers)
    imputation = None
    if config.impute_peers != "none":
        imputation = impute_peers(panel, county, year, dict(config.variants))
        panel = imputation.panel
        kept += imputation.notes()
    if len(panel.counties) == 1:
        kept.append(ALONE)
    return Benchmark(panel, county, year, peers, config, peer_source, tuple(kept), group=group,
                     vetoed_peers=tuple(vetoed), veto_unknown=tuple(unknown), imputation=imputation)


def benchmark(panel: Panel | pd.DataFrame | str | Path | Benchmark, county: str | None = None,
              year: int | None = None, peers: str | list[str] | None = None, config=None,
              peer_panel: str | Path | Panel | None = None, panel_counties_as_peers: bool = False) -> Benchmark:
    """The benchmark for `county`: its data in `panel`; peers from `peer_panel` (``shandong``: the
    shipped 136-county panel; None: the panel's own counties), restricted to the group `peers`.

    With a peer panel, the other counties of `panel` are added to the peers only when
    `panel_counties_as_peers` is True — an explicit choice, recorded in ``notes``, never a side effect.
    A Benchmark passed in is returned as it is (its own county, year and peers), under `config` when
    one is given."""
    if isinstance(panel, Benchmark):
        return panel if config is None else panel.with_config(config)
    if county is None:
        raise InputError(["需要被评价的县（市、区）"], "无法确定对标基准")
    county = normalise_name(county)
    own = load_panel(panel)
    notes: list[str] = []
    if peer_panel is not None:
        from .peerdata import peer_panel_path

        peer_obj = peer_panel if isinstance(peer_panel, Panel) else Panel.from_csv(peer_panel_path(peer_panel))
        others = [c for c in own.counties if c != county]
        same_file = _same_file(own.source, peer_obj.source)
        if others and not panel_counties_as_peers:
            own = Panel(own.data[own.data["county"] == county].reset_index(drop=True), own.catalog, own.source)
            if not same_file:
                names = f"{'、'.join(others[:5])}{'等' if len(others) > 5 else ''}"
                notes.append(f"面板中的其他{len(others)}个县（{names}）的数据未用于对标：对标县的数据取自对标面板"
                             "（需要时请明确选择加入）")
        elif others:
            notes.append(f"面板中的其他{len(others)}个县已按选择加入对标")
        full = with_peers(own, peer_obj, county)
        source = "随包附带的山东省136个县（市、区）面板" if str(peer_panel) == SHIPPED else \
            f"对标面板 {Path(str(peer_obj.source)).name}"
    else:
        full, source = own, f"面板 {Path(str(own.source)).name}" if own.source else "面板"
    if county not in full.counties:
        raise PanelError([Problem(f"面板中没有县（市、区）“{county}”", source=own.source)])
    spec = peers if isinstance(peers, str) or peers is None else ",".join(peers)
    spec = spec or SHIPPED
    group = select(full, county, peers)
    year = group.latest_year() if year is None else int(year)
    return _make(group, county, year, spec, config, source, tuple(notes))
