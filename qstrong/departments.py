"""Which responsible department reports which measures — derived from the catalog.

Each department named in an indicator's 责任部门 reports all of that indicator's measures; group
entries and aliases are settled by the catalog's ``[departments]`` table; measures outside the
indicators or shared by many (gdp, population, the veto items) by its ``[[owners]]``, who alone
report them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .catalog import Catalog, load_catalog


@dataclass(frozen=True)
class Assignment:
    """Department → measure ids (catalog order), and the reverse."""

    by_department: dict[str, tuple[str, ...]]
    lead_office: str

    def departments_of(self, measure: str) -> tuple[str, ...]:
        return tuple(d for d, ms in self.by_department.items() if measure in ms)


def canonical(name: str, catalog: Catalog) -> str | None:
    """A department's canonical name; None for a group entry reported through others."""
    deps = catalog.department_table
    name = deps["aliases"].get(name, name)
    if name in deps["groups"]:
        return deps["groups"][name] or None
    return name


@cache
def assignment(catalog: Catalog | None = None) -> Assignment:
    catalog = catalog or load_catalog()
    order = list(catalog.measures)
    owned = {m for owner in catalog.owners for m in owner["measures"]}
    found: dict[str, set[str]] = {}
    for ind in catalog.indicators:
        names = [canonical(d, catalog) for d in ind.departments]
        names = [n for n in names if n]
        if not names:
            raise ValueError(f"指标{ind.id}没有可填报的责任部门")
        for n in names:  # a measure with a declared owner (gdp, population) is reported by its owner only
            found.setdefault(n, set()).update(m for m in ind.measures() if m not in owned)
    for owner in catalog.owners:
        for d in owner["departments"]:
            found.setdefault(canonical(d, catalog), set()).update(owner["measures"])
    covered = set().union(*found.values())
    if covered != set(order):
        raise ValueError(f"没有部门负责填报：{sorted(set(order) - covered)}")
    by_dep = {d: tuple(m for m in order if m in ms) for d, ms in found.items()}
    return Assignment(by_dep, catalog.department_table["lead_office"])
