"""ScoringConfig: the configurable readings of the seed, as plain validated data.

Defaults come from the catalog (``efficacy_defaults`` and each efficacy item's own settings);
overrides are per indicator, or ``"*"`` for every efficacy indicator. The sensitivity work varies
exactly these fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .catalog import Catalog, load_catalog
from .efficacy import EfficacySettings, Goalposts
from .rules.efficacy import Efficacy

_SETTING_KEYS = {f.name for f in fields(EfficacySettings)}


def _default_settings(catalog: Catalog, ident: int) -> EfficacySettings:
    base = dict(catalog.efficacy_defaults)
    base["goalposts"] = Goalposts(**base["goalposts"])
    item = next(it for it in catalog.indicator(ident).items if isinstance(it, Efficacy))
    base.update(item.defaults)
    return EfficacySettings(**base)


def _coerce(changes: Mapping[str, Any], where: str) -> dict[str, Any]:
    unknown = set(changes) - _SETTING_KEYS
    if unknown:
        raise ValueError(f"{where}：未知的设置项 {'、'.join(sorted(unknown))}，可选：{'、'.join(sorted(_SETTING_KEYS))}")
    out = dict(changes)
    if isinstance(out.get("goalposts"), Mapping):
        out["goalposts"] = Goalposts(**out["goalposts"])
    return out


@dataclass(frozen=True)
class ScoringConfig:
    """Efficacy settings per efficacy indicator, and the chosen variant per ambiguous indicator."""

    efficacy: Mapping[int, EfficacySettings]
    variants: Mapping[int, str] = field(default_factory=dict)

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
    def from_dict(cls, data: Mapping[str, Any], catalog: Catalog | None = None) -> ScoringConfig:
        """{"efficacy": {"*": {...}, "10": {"change": "relative"}}, "variants": {"15": "..."}}"""
        catalog = catalog or load_catalog()
        unknown = set(data) - {"efficacy", "variants"}
        if unknown:
            raise ValueError(f"计分配置中未知的键：{'、'.join(sorted(unknown))}")
        cfg = cls.default(catalog)
        eff = dict(data.get("efficacy", {}))
        if "*" in eff:
            cfg = cfg.with_efficacy("*", **eff.pop("*"))
        for key, changes in eff.items():
            cfg = cfg.with_efficacy(key, **changes)
        for key, variant in data.get("variants", {}).items():
            cfg = cfg.with_variant(int(key), variant, catalog)
        return cfg

    @classmethod
    def from_json(cls, path: str | Path, catalog: Catalog | None = None) -> ScoringConfig:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8-sig")), catalog)

    def to_dict(self) -> dict[str, Any]:
        return {"efficacy": {str(k): v.to_dict() for k, v in sorted(self.efficacy.items())},
                "variants": {str(k): v for k, v in sorted(self.variants.items())}}
