"""ScoringConfig: the configurable readings of the seed, as plain validated data.

Defaults come from the catalog (``efficacy_defaults`` and each efficacy item's own settings);
overrides are per indicator, or ``"*"`` for every efficacy indicator. The sensitivity work varies
exactly these fields. ``vetoed_peers`` says whether a peer whose veto is triggered (一票否决，“直接取消资格”)
stays in the benchmark: ``exclude`` (default: it sets no goalposts and takes no rank) or ``keep``;
``impute_peers`` whether peers' missing values are imputed (:mod:`qstrong.impute`): ``none`` (default)
or ``median``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .catalog import Catalog, load_catalog
from .efficacy import CHANGE_ZH, EfficacySettings, Goalposts, settings_problems, shown_value
from .errors import InputError
from .measures import load_measures
from .rules.efficacy import Efficacy
from .textfiles import parse_json, unreported

_SETTING_KEYS = {f.name for f in fields(EfficacySettings)}
VETOED_PEERS = {"exclude": "触发一票否决的对标县不参与对标（不设标杆、不排名）",
                "keep": "触发一票否决的对标县照常参与对标（设标杆、排名）"}
IMPUTE_PEERS = {"none": "对标县的缺失值不插补", "median": "对标县的缺失值按同市（否则同类型）对标县中位数插补"}
TOP_KEYS = ("efficacy", "variants", "vetoed_peers", "impute_peers")


def _default_settings(catalog: Catalog, ident: int) -> EfficacySettings:
    base = dict(catalog.efficacy_defaults)
    base["goalposts"] = Goalposts(**base["goalposts"])
    item = next(it for it in catalog.indicator(ident).items if isinstance(it, Efficacy))
    base.update(item.defaults)
    return EfficacySettings(**base)


def _coerce(changes: Mapping[str, Any], where: str) -> dict[str, Any]:
    unknown = set(changes) - _SETTING_KEYS
    if unknown:
        raise InputError([f"{where}：未知的设置项 {'、'.join(sorted(unknown))}，可选：{'、'.join(sorted(_SETTING_KEYS))}"])
    out = dict(changes)
    if isinstance(out.get("goalposts"), Mapping):
        out["goalposts"] = Goalposts(**out["goalposts"])
    return out


@dataclass(frozen=True)
class ScoringConfig:
    """Efficacy settings per efficacy indicator, and the chosen variant per ambiguous indicator."""

    efficacy: Mapping[int, EfficacySettings]
    variants: Mapping[int, str] = field(default_factory=dict)
    vetoed_peers: str = "exclude"      # a peer whose veto is triggered: exclude / keep (VETOED_PEERS)
    impute_peers: str = "none"         # peers' missing values: none / median (IMPUTE_PEERS)

    @classmethod
    def default(cls, catalog: Catalog | None = None) -> ScoringConfig:
        catalog = catalog or load_catalog()
        return cls({i.id: _default_settings(catalog, i.id) for i in catalog.indicators if i.is_efficacy})

    def settings(self, ident: int) -> EfficacySettings | None:
        return self.efficacy.get(int(ident))

    def with_efficacy(self, indicators: int | Iterable[int] | str = "*", **changes: Any) -> ScoringConfig:
        """A copy with `changes` (base, span, gate, change, goalposts) applied to some indicators."""
        targets = self._targets(indicators)
        changes = _coerce(changes, "功效系数设置")
        new = dict(self.efficacy)
        for t in targets:
            new[t] = replace(new[t], **changes)
        return replace(self, efficacy=new)

    def with_variant(self, ident: int, variant: str | None, catalog: Catalog | None = None) -> ScoringConfig:
        catalog = catalog or load_catalog()
        catalog.indicator(ident).items_for(variant)  # validates
        new = dict(self.variants)
        if variant is None:
            new.pop(int(ident), None)
        else:
            new[int(ident)] = variant
        return replace(self, variants=new)

    def with_vetoed_peers(self, mode: str) -> ScoringConfig:
        """A copy where peers whose veto is triggered are excluded from the benchmark or kept."""
        problems = _vetoed_problems(mode)
        if problems:
            raise InputError(problems, "计分配置有{n}处问题")
        return replace(self, vetoed_peers=mode)

    def with_impute_peers(self, mode: str) -> ScoringConfig:
        """A copy where peers' missing values are imputed (median) or not (none)."""
        problems = _choice_problems(mode, IMPUTE_PEERS, "impute_peers")
        if problems:
            raise InputError(problems, "计分配置有{n}处问题")
        return replace(self, impute_peers=mode)

    def _targets(self, indicators: int | Iterable[int] | str) -> list[int]:
        if indicators == "*":
            return sorted(self.efficacy)
        ids = [indicators] if isinstance(indicators, int | str) else list(indicators)
        out = []
        for i in ids:
            try:
                i = int(i)
            except ValueError:
                raise ValueError(f"指标编号 {i!r} 无效") from None
            if i not in self.efficacy:
                raise ValueError(f"指标{i}不按功效系数法计分，可设置的指标：{sorted(self.efficacy)}")
            out.append(i)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], catalog: Catalog | None = None, source: str = "") -> ScoringConfig:
        """{"efficacy": {"*": {...}, "10": {"change": "relative"}}, "variants": {"15": "..."},
        "vetoed_peers": "keep", "impute_peers": "median"}

        Validated as a whole: InputError lists every problem with its path (``efficacy.10.base``)."""
        return cls._checked(data, catalog, source, [])

    @classmethod
    def _checked(cls, data: object, catalog: Catalog | None, source: str, refused: list[str]) -> ScoringConfig:
        catalog = catalog or load_catalog()
        cfg = cls.default(catalog)
        efficacy, variants, problems = _check_config(data, cfg, catalog)
        problems = refused + unreported(problems)
        if problems:
            raise InputError(problems, f"计分配置{source}有{{n}}处问题")
        new = dict(cfg.efficacy)
        for ident, changes in efficacy.items():
            new[ident] = replace(new[ident], **_coerce(changes, "功效系数设置"))
        top = data if isinstance(data, Mapping) else {}
        return replace(cfg, efficacy=new, variants=variants, vetoed_peers=top.get("vetoed_peers", cfg.vetoed_peers),
                       impute_peers=top.get("impute_peers", cfg.impute_peers))

    @classmethod
    def from_json(cls, path: str | Path, catalog: Catalog | None = None) -> ScoringConfig:
        """A config from a strict JSON file (see :func:`qstrong.textfiles.parse_json`), registered as an
        input; values the reader refuses (NaN, duplicate keys) are listed with the config's own problems."""
        data, refused = parse_json(Path(path))
        return cls._checked(data, catalog, f"“{path}”", refused)

    def to_dict(self) -> dict[str, Any]:
        return {"efficacy": {str(k): v.to_dict() for k, v in sorted(self.efficacy.items())},
                "variants": {str(k): v for k, v in sorted(self.variants.items())},
                "vetoed_peers": self.vetoed_peers, "impute_peers": self.impute_peers}

    def differences(self, catalog: Catalog | None = None) -> list[str]:
        """What this reading changes from the catalog's default, in Chinese (one phrase per change;
        indicators sharing a change named together; [] for the default)."""
        catalog = catalog or load_catalog()
        default = ScoringConfig.default(catalog)
        groups: dict[str, list[int]] = {}
        for ident, s in sorted(self.efficacy.items()):
            d = default.efficacy.get(ident)
            for name in (f.name for f in fields(EfficacySettings)):     # declaration order: stable text
                value = getattr(s, name)
                if d is None or value != getattr(d, name):
                    groups.setdefault(_setting_text(name, value), []).append(ident)
        everyone = sorted(self.efficacy)
        out = [f"{'全部功效系数法指标' if ids == everyone else '指标' + '、'.join(map(str, ids))}{text}"
               for text, ids in groups.items()]
        for ident, name in sorted(self.variants.items()):
            note = catalog.indicator(ident).variants[name][0]
            out.append(f"指标{ident}：{note}")
        if self.vetoed_peers != default.vetoed_peers:
            out.append("一票否决的同行照常参与对标" if self.vetoed_peers == "keep" else "一票否决的同行不参与对标")
        if self.impute_peers != default.impute_peers:
            out.append("同行缺失值按中位数插补" if self.impute_peers == "median" else "同行缺失值不插补")
        return out


def _setting_text(name: str, value: Any) -> str:
    """One efficacy setting's value as a phrase (“标杆取前/后3名均值”, “上年为0的增长率不计分”)."""
    if name == "goalposts":
        return f"标杆取{value.describe()}"
    if name == "change":
        return "变动幅度按" + CHANGE_ZH.get(value, str(value))
    if name == "zero_base":
        return "上年为0的增长率" + {"top": "按高于所有对标县计", "null": "不计分（无法计算）",
                                   "pp": "按增加量计"}.get(value, str(value))
    if name == "gate_inclusive":
        return "恰为门槛值" + ("计为达到" if value else "计为未达到（不得分）")
    if name == "gate":
        return "不设门槛" if value is None else f"门槛为{value:g}"
    return {"base": "基础分", "span": "分值跨度"}[name] + f"为{value:g}"


def _vetoed_problems(mode: object, where: str = "vetoed_peers") -> list[str]:
    """A problem when `mode` is not one of VETOED_PEERS (said with its meaning)."""
    return _choice_problems(mode, VETOED_PEERS, where)


def _choice_problems(mode: object, choices: Mapping[str, str], where: str) -> list[str]:
    """A problem when `mode` is not one of `choices` (each said with its meaning)."""
    if isinstance(mode, str) and mode in choices:
        return []
    options = "；".join(f"{k}：{v}" for k, v in choices.items())
    return [f"{where}：应为 {' 或 '.join(choices)}（{options}），而不是{shown_value(mode)}"]


def _ident(key: object, where: str, allowed: list[int], what: str, problems: list[str]) -> int | None:
    """An indicator id from a JSON key ("10") or an int; a problem naming `where` otherwise."""
    text = key.strip() if isinstance(key, str) else key
    if isinstance(text, int) and not isinstance(text, bool):
        ident = text
    elif isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 3:
        ident = int(text)
    else:
        problems.append(f"{where}.{key}：键应为指标编号{'或 *' if what == '功效系数' else ''}，而不是{shown_value(key)}")
        return None
    if ident not in allowed:
        why = "不按功效系数法计分，可设置的指标" if what == "功效系数" else "没有解读变体，有变体的指标"
        problems.append(f"{where}.{key}：指标{ident}{why}：{'、'.join(map(str, allowed))}")
        return None
    return ident


def _check_config(data: object, cfg: ScoringConfig, catalog: Catalog
                  ) -> tuple[dict[int, dict], dict[int, str], list[str]]:
    """(changes per indicator, variants, every problem with its JSON path)."""
    if not isinstance(data, Mapping):
        return {}, {}, [f"顶层应为键值对 {{\"efficacy\": …, \"variants\": …, \"vetoed_peers\": …, \"impute_peers\": …}}，"
                        f"而不是{shown_value(data)}"]
    problems = [f"{k}：未知的键，可选：{'、'.join(TOP_KEYS)}" for k in data if k not in TOP_KEYS]
    if "vetoed_peers" in data:
        problems += _vetoed_problems(data["vetoed_peers"])
    if "impute_peers" in data:
        problems += _choice_problems(data["impute_peers"], IMPUTE_PEERS, "impute_peers")
    eff, var = data.get("efficacy", {}), data.get("variants", {})
    changes: dict[int, dict] = {}
    if not isinstance(eff, Mapping):
        problems.append(f"efficacy：应为键值对（指标编号或 * → 设置），而不是{shown_value(eff)}")
        eff = {}
    star = eff.get("*", {})
    if not isinstance(star, Mapping):
        problems.append(f"efficacy.*：应为键值对（base、span、gate、change、goalposts、zero_base、gate_inclusive），而不是{shown_value(star)}")
        star = {}
    default = cfg.efficacy[min(cfg.efficacy)].to_dict() if cfg.efficacy else {}
    star_problems = settings_problems({**default, **star}, "efficacy.*")
    if not star_problems and star.get("gate") is not None:
        star_problems = [f"efficacy.*.gate：门槛只能按指标设置（有门槛的指标："
                         f"{'、'.join(str(i) for i in cfg.efficacy if cfg.efficacy[i].gate is not None)}）"]
    problems += star_problems
    star = {} if star_problems else dict(star)
    own = {}
    for key, value in eff.items():
        if key == "*":
            continue
        ident = _ident(key, "efficacy", sorted(cfg.efficacy), "功效系数", problems)
        if ident is None:
            continue
        if not isinstance(value, Mapping):
            problems.append(f"efficacy.{key}：应为键值对（base、span、gate、change、goalposts、zero_base、gate_inclusive），而不是{shown_value(value)}")
            continue
        if ident in own:
            problems.append(f"efficacy.{key}：与 efficacy.{own[ident][0]} 是同一个指标")
            continue
        own[ident] = (key, value)
        merged = {**cfg.efficacy[ident].to_dict(), **star, **value}
        found = settings_problems(merged, f"efficacy.{key}")
        if not found and value.get("gate") is not None:
            found = _gate_problems(ident, float(value["gate"]), f"efficacy.{key}.gate", cfg, catalog)
        found += _without_effect(ident, value, f"efficacy.{key}", cfg, catalog)
        problems += found
        if not found:
            changes[ident] = {**_meaningful(ident, star, cfg, catalog), **value}
    for ident in cfg.efficacy:
        if ident not in own and star:
            changes[ident] = _meaningful(ident, star, cfg, catalog)
    variants: dict[int, str] = {}
    if not isinstance(var, Mapping):
        problems.append(f"variants：应为键值对（指标编号 → 解读变体名），而不是{shown_value(var)}")
        var = {}
    with_variants = [i.id for i in catalog.indicators if i.variants]
    for key, name in var.items():
        ident = _ident(key, "variants", with_variants, "解读变体", problems)
        if ident is None:
            continue
        options = catalog.indicator(ident).variants
        if not isinstance(name, str) or name not in options:
            shown = f"“{name}”" if isinstance(name, str) else shown_value(name)
            problems.append(f"variants.{key}：指标{ident}没有名为{shown}的解读变体，可选：{'、'.join(options)}")
        else:
            variants[ident] = name
    return changes, variants, problems


def _meaningful(ident: int, star: Mapping, cfg: ScoringConfig, catalog: Catalog) -> dict:
    """The “*” settings that mean something for indicator `ident` (a growth setting where it has a
    growth, gate_inclusive where it has a gate)."""
    return {k: v for k, v in star.items() if not _without_effect(ident, {k: v}, "", cfg, catalog)}


def _without_effect(ident: int, value: Mapping, where: str, cfg: ScoringConfig, catalog: Catalog) -> list[str]:
    """Settings given for one indicator that cannot change its score: a growth setting (change,
    zero_base) where it has no growth, gate_inclusive where it has no gate — unless equal to the default
    (a written-out config reads back). Under “*” they apply where they mean something."""
    items = [it for it in catalog.indicator(ident).items if isinstance(it, Efficacy)]
    growth = any(getattr(c, "is_change", False) for it in items for c in it.components)
    out = []
    for name in ("change", "zero_base"):
        if name in value and not growth and value[name] != getattr(cfg.efficacy[ident], name):
            with_growth = "、".join(str(i.id) for i in catalog.indicators if any(
                getattr(c, "is_change", False) for it in i.items if isinstance(it, Efficacy) for c in it.components))
            out.append(f"{where}.{name}：指标{ident}没有增长率（变动）分项，此设置不起作用；有增长率分项的指标：{with_growth}")
    gate = value.get("gate", cfg.efficacy[ident].gate)
    if "gate_inclusive" in value and gate is None and value["gate_inclusive"] != cfg.efficacy[ident].gate_inclusive:
        gated = "、".join(str(i) for i, s in cfg.efficacy.items() if s.gate is not None)
        out.append(f"{where}.gate_inclusive：指标{ident}的评价标准没有门槛，此设置不起作用；有门槛的指标：{gated}")
    return out


def _gate_problems(ident: int, gate: float, where: str, cfg: ScoringConfig, catalog: Catalog) -> list[str]:
    """A gate only where the standard has one (“X%以下不得分”), within the gated measures' allowed range."""
    if cfg.efficacy[ident].gate is None:
        gated = "、".join(str(i) for i, s in cfg.efficacy.items() if s.gate is not None)
        return [f"{where}：指标{ident}的评价标准没有门槛（“低于某值不得分”），不能设置 gate；有门槛的指标：{gated}"]
    measures = load_measures()
    item = next(it for it in catalog.indicator(ident).items if isinstance(it, Efficacy))
    for mid in item.measures():
        m = measures[mid]
        if (m.low is not None and gate < m.low) or (m.high is not None and gate > m.high):
            return [f"{where}：门槛{gate:g}超出{m.name_zh}的取值范围（{m.describe_allowed()}）"]
    return []
