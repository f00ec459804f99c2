"""Shandong's county-level divisions through time: a county name as a table of year Y prints it → its code.

Data (GitHub yescallop/areacodes, see data/shandong/README.md): ``divisions.csv`` holds one row per
division and period, valid in the years ``valid_from <= Y < valid_to`` of the national code tables
(each as of 31 December; ``valid_to`` empty = still valid); ``division_changes.csv`` one row per old →
new code of every change since 2012 (kind, date or only the year, document, source file).

:func:`match` resolves a name in three steps — the exact name (valid in Y, else today's, else any
period's), then the variants a table prints (full or half width, spaces, the prefecture before the
name or in brackets, 县级/县级市, the name without 县/市/区) — and returns the code valid in Y, today's
code(s), whether a merger or split lies between them, and a Chinese explanation. A name shared by two
divisions (市中区) without its prefecture, or an unknown name, gives candidates, never a guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from io import StringIO

import pandas as pd

from .names import name_changes, normalise_name

FIRST_YEAR = 2011  # the 2011 table: divisions on 2012-01-01; earlier changes are not recorded
START_ZH = "2012年1月1日（即2011年末）"   # the data's start, in every message (the README says since 2012-01-01)
LAST_YEAR = 2024   # the newest code table in the source; later years are read as this one
KIND_ZH = {"rename": "更名", "to_district": "撤县（市）设区", "to_city": "撤县设市", "merger": "合并",
           "split": "拆分", "prefecture_transfer": "改属地级市", "part_transfer": "部分区域划出"}
_SEPARATORS = "·・-—/、,，"
_SUFFIX_NOTES = ("县级市", "县级", "市辖区")


@dataclass(frozen=True)
class Division:
    """One county-level division over one period (code, name and prefecture unchanged)."""

    code: str
    name: str
    prefecture: str
    prefecture_code: str
    type: str
    valid_from: int
    valid_to: int | None  # first year whose table no longer lists it; None: still valid

    def valid(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year < self.valid_to)

    @property
    def current(self) -> bool:
        return self.valid_to is None

    @property
    def label(self) -> str:
        return f"{self.name}（{self.prefecture}，{self.code}）"


@dataclass(frozen=True)
class Change:
    """One old → new step of a change of divisions (a merger of two counties is two steps)."""

    year: int          # the first code table showing it
    date: str          # ISO date of the approval as the source gives it; '' when it gives only the year
    kind: str          # a key of KIND_ZH
    old: Division
    new: Division
    share: str         # whole / main / part (of the old division's area)
    document: str

    def describe(self) -> str:
        when = (f"{int(self.date[:4])}年{int(self.date[5:7])}月{int(self.date[8:])}日" if self.date
                else f"{self.year}年（来源未给出具体日期）")
        doc = f"（{self.document}）" if self.document and self.document not in when else ""
        if self.kind == "merger":
            what = f"{self.old.label}并入{self.new.label}"
        elif self.share == "part":
            what = f"{self.old.label}部分区域划归{self.new.label}"
        elif self.kind == "split":
            what = f"{self.old.label}主体改设为{self.new.label}"
        else:
            what = f"{self.old.label} → {self.new.label}"
        return f"{when}{doc}{KIND_ZH[self.kind]}：{what}"


@dataclass(frozen=True)
class Match:
    """What a name means in `year`: ``status`` ok / ambiguous / unknown; for ok, the division the name
    denotes, the codes valid in `year` covering it and today's codes (main successor first)."""

    query: str
    year: int
    status: str
    message: str
    kind: str = ""                           # exact / history / alias
    division: Division | None = None
    year_codes: tuple[str, ...] = ()
    today: tuple[str, ...] = ()
    merged: bool = False                     # a merger, or a split of this unit, between `year` and today
    boundary: bool = False                   # a town or a split's part moved in or out in between
    changes: tuple[Change, ...] = ()
    candidates: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def code(self) -> str:
        """The code valid in `year` ('' when the name covers several divisions of that year)."""
        return self.year_codes[0] if len(self.year_codes) == 1 else ""


def _read(name: str) -> pd.DataFrame:
    text = resources.files("qstrong").joinpath(f"data/shandong/{name}").read_text(encoding="utf-8-sig")
    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class _Data:
    divisions: tuple[Division, ...]
    changes: tuple[Change, ...]
    by_name: dict[str, tuple[Division, ...]]
    prefectures: dict[str, str]  # full name, short name and code → full name


@cache
def _data() -> _Data:
    divs = tuple(Division(r.code, r.name, r.prefecture, r.prefecture_code, r.type, int(r.valid_from),
                          int(r.valid_to) if r.valid_to else None)
                 for r in _read("divisions.csv").itertuples(index=False))

    def period(code: str, name: str, year: int) -> Division:
        return next(d for d in divs if d.code == code and d.name == name and d.valid(year))

    changes = tuple(Change(int(r.year), r.date, r.kind, period(r.old_code, r.old_name, int(r.year) - 1),
                           period(r.new_code, r.new_name, int(r.year)), r.share, r.document)
                    for r in _read("division_changes.csv").itertuples(index=False))
    by_name: dict[str, tuple[Division, ...]] = {}
    for d in divs:
        by_name[d.name] = (*by_name.get(d.name, ()), d)
    prefectures = {}
    for d in divs:
        prefectures.update({d.prefecture: d.prefecture, d.prefecture.removesuffix("市"): d.prefecture,
                            d.prefecture_code: d.prefecture, d.prefecture_code[:4]: d.prefecture})
    return _Data(divs, changes, by_name, prefectures)


def divisions(year: int | None = None) -> tuple[Division, ...]:
    """The divisions valid in `year` (the newest table when None), in code order."""
    y = LAST_YEAR if year is None else min(int(year), LAST_YEAR)
    return tuple(sorted((d for d in _data().divisions if d.valid(y)), key=lambda d: d.code))


def changes() -> tuple[Change, ...]:
    return _data().changes


def _walk(d: Division, arrived, steps_of) -> tuple[list[Division], list[Change]]:
    """Follow `steps_of` from `d` until `arrived`: the divisions reached (in order) and the steps taken."""
    out: list[Division] = []
    steps: list[Change] = []
    todo = [d]
    while todo:
        x = todo.pop(0)
        if arrived(x):
            out += [x] if x not in out else []
            continue
        came = steps_of(x)
        steps += came
        todo += [c.old if c.new == x else c.new for c in came]
    return out, steps


def _forward(d: Division, until: int | None) -> tuple[list[Division], list[Change]]:
    """Where `d`'s area went: the divisions valid in `until` (today when None), main successor first;
    part transfers are not followed (the unit stays)."""
    return _walk(d, lambda x: x.current if until is None else x.valid(until),
                 lambda x: sorted((c for c in _data().changes if c.old == x and c.kind != "part_transfer"),
                                  key=lambda c: c.share == "part"))


def _backward(d: Division, year: int) -> tuple[list[Division], list[Change]]:
    """Which divisions valid in `year` became `d` (a later division): its predecessors, not part donors."""
    return _walk(d, lambda x: x.valid(year), lambda x: [c for c in _data().changes if c.new == x and c.share != "part"])


def _resolved(query: str, year: int, d: Division, kind: str, alias_note: str) -> Match:
    if d.valid(year):
        then, link = [d], []
    elif d.valid_to is not None and d.valid_to <= year:
        then, link = _forward(d, year)
    else:
        then, link = _backward(d, year)
    today: list[Division] = []
    steps: list[Change] = []
    for t in then:
        got, s = _forward(t, None)
        today += [g for g in got if g not in today]
        steps += s
    lineage = set(then) | set(today) | {c.new for c in steps} | {c.old for c in steps}
    later = [c for c in _data().changes if c.year > year and (c.old in lineage or c.new in lineage)]
    shown = sorted(dict.fromkeys(link + steps + later), key=lambda c: (c.year, c.date, c.old.code))
    ours = {d, *then, *(c.old for c in link + steps)}  # the units whose whole area is followed
    merged = any(c.kind == "merger" or (c.kind == "split" and c.old in ours) for c in shown)
    boundary = any(c.kind == "part_transfer" or (c.kind == "split" and c.old not in ours) for c in later)
    parts = [f"“{query}”{alias_note}→ {d.label}" + ("" if shown or not d.valid(year) else f"，{year}年至今未变")]
    if not d.valid(year):
        parts.append(f"该名称{year}年{'已不使用' if d.valid_to is not None and d.valid_to <= year else '尚未使用'}，"
                     f"{year}年对应{'、'.join(t.label for t in then)}")
    parts += [c.describe() for c in shown]
    if [t.code for t in today] != [d.code] or shown:
        parts.append(f"今对应{'、'.join(t.label for t in today)}")
    if merged:
        parts.append(f"涉及合并或拆分：{year}年的数据与今日区划的范围不一致，是否合计由使用者决定")
    elif boundary:
        parts.append("其间有乡镇划转，范围略有变化")
    return Match(query, year, "ok", "；".join(parts) + "。", kind, d, tuple(t.code for t in then),
                 tuple(t.code for t in today), merged, boundary, tuple(shown))


def _lookup(names: tuple[str, ...], year: int, prefecture: str | None) -> tuple[list[Division], list[Division]]:
    """Divisions called one of `names` (valid in `year`, else today's, else any period's), and those
    left out only because their prefecture differs."""
    named = [d for n in names for d in _data().by_name.get(n, ())]
    fits = [d for d in named if prefecture is None or d.prefecture == prefecture]
    for pick in (lambda d: d.valid(year), lambda d: d.current, lambda d: True):
        hits = [d for d in fits if pick(d)]
        if hits:
            return hits, []
    return [], named


def _variants(text: str, prefecture: str | None) -> list[tuple[tuple[str, ...], str | None]]:
    """(names, prefecture) readings of a printed name, the plain one first."""
    pref = _data().prefectures
    out: list[tuple[str, str | None]] = [(text, prefecture)]
    t = re.sub(r"^山东省?", "", text)
    m = re.fullmatch(r"(.+?)（(.+)）", t)
    if m and (m[2] in pref or m[2] in _SUFFIX_NOTES):
        p = pref.get(m[2])
        if p and prefecture not in (None, p):
            return [((text,), prefecture)]
        t, prefecture = m[1], p or prefecture
    t = t[2:] if t.startswith("县级") and len(t) > 4 else t
    out.append((t, prefecture))
    for p in sorted(pref, key=len, reverse=True):
        if t.startswith(p) and len(t) > len(p) and not p.isdigit() and prefecture in (None, pref[p]):
            out.append((t[len(p):].lstrip(_SEPARATORS), pref[p]))
    readings = [((n,) if n.endswith(("区", "市", "县")) else (n, n + "区", n + "市", n + "县"), p)
                for n, p in dict.fromkeys(out)]
    return list(dict.fromkeys(readings))


def _similar(name: str, year: int) -> tuple[str, ...]:
    labels = {d.label: d for d in _data().divisions}
    scored = sorted(((difflib.SequenceMatcher(None, name, d.name).ratio(), -abs(d.valid_from - year), lab)
                     for lab, d in labels.items()), reverse=True)
    return tuple(lab for score, _, lab in scored[:5] if score >= 0.5)


def match(name: object, year: int, prefecture: str | None = None) -> Match:
    """Resolve `name` as a table of `year` prints it (see the module's docstring); `prefecture` (济南市,
    济南 or 370100) narrows a name two prefectures share."""
    year = int(year)
    query = "" if name is None else str(name).strip()
    if year < FIRST_YEAR:
        return Match(query, year, "unknown", f"区划沿革数据始于{START_ZH}的区划，"
                                            f"无法解析{year}年的名称“{query}”。")
    y = min(year, LAST_YEAR)
    text = normalise_name(query)
    pref = None
    if prefecture is not None and normalise_name(prefecture):
        pref = _data().prefectures.get(normalise_name(prefecture))
        if pref is None:
            names = list(dict.fromkeys(d.prefecture for d in sorted(_data().divisions, key=lambda d: d.code)))
            return Match(query, year, "unknown", f"“{prefecture}”不是山东省的地级市；可选：{'、'.join(names)}。",
                         candidates=tuple(names))
    if not text:
        return Match(query, year, "unknown", "名称为空。")
    elsewhere: list[Division] = []
    where = pref
    for i, (names, p) in enumerate(_variants(text, pref)):
        hits, other = _lookup(names, y, p)
        if other and not elsewhere:
            elsewhere, where = other, p
        if len(hits) == 1:
            changed = name_changes(query)
            variant = bool(i) or hits[0].name != text
            kind = "alias" if variant or changed else ("exact" if hits[0].current else "history")
            note = f"（按“{p or ''}{hits[0].name}”识别）" if variant else ""
            m = _resolved(query, y, hits[0], kind, note)
            return replace(m, message=changed + "。" + m.message) if changed else m
        if hits:
            labels = tuple(d.label for d in sorted(hits, key=lambda d: d.code))
            return Match(query, year, "ambiguous",
                         f"“{query}”在{y}年对应{len(hits)}个区划：{'、'.join(labels)}；请写明所属地级市"
                         f"（如“{hits[0].prefecture}{hits[0].name}”）。", candidates=labels)
    if elsewhere:
        labels = tuple(d.label for d in elsewhere)
        return Match(query, year, "unknown", f"“{query}”不属于{where}；同名区划：{'、'.join(labels)}。",
                     candidates=labels)
    near = _similar(text, y)
    tail = f"相近的名称：{'、'.join(near)}" if near else "没有相近的名称"
    return Match(query, year, "unknown", f"“{query}”不是山东省{START_ZH}以来的县级区划名称；{tail}。",
                 candidates=near)
