# ruff: noqa: E731, B023  (a one-off derivation script: helpers are called inside the loop that defines them)
"""Derive qstrong/data/shandong/{divisions,division_changes}.csv from GitHub yescallop/areacodes (CC0).

Not run at build or test time. To re-derive: fetch the repository (a bare mirror; set R below to its git
directory), then `python data/build_divisions.py qstrong/data/shandong`. Every row written names its file."""

import csv
import io
import re
import subprocess
import sys

R = "/work/.mirror/yescallop+areacodes/repo"
COMMIT = subprocess.run(["git", "-C", R, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
REPO = "github.com/yescallop/areacodes"
FIRST, LAST = 2011, 2024  # table of 2011 = divisions on 2012-01-01


def show(p):
    return subprocess.run(
        ["git", "-C", R, "show", f"HEAD:{p}"], capture_output=True, text=True, check=True
    ).stdout


def county(code):
    return code.startswith("37") and not code.endswith("00")


def ctype(name):
    return "区" if name.endswith("区") else "县级市" if name.endswith("市") else "县"


tables = {}
for y in range(FIRST, LAST + 1):
    rows = [ln.split(" ", 1) for ln in show(f"data/{y}.txt").splitlines() if ln.strip()]
    tables[y] = {c: n for c, n in rows if c.startswith("37")}
pref_name = lambda y, code: tables[y][code[:4] + "00"]

# periods: (code, name, prefecture) runs over the year tables
res = list(csv.DictReader(io.StringIO(show("result.csv").lstrip("\ufeff"))))
start = {(r["代码"], r["名称"]): r["启用时间"] for r in res}
periods = {}
for y in range(FIRST, LAST + 1):
    for code, name in tables[y].items():
        if not county(code):
            continue
        key = (code, name, pref_name(y, code))
        p = periods.setdefault(
            key,
            {
                "code": code,
                "name": name,
                "prefecture_code": code[:4] + "00",
                "prefecture": key[2],
                "type": ctype(name),
                "first": y,
                "last": y,
            },
        )
        assert p["last"] in (y, y - 1), key
        p["last"] = y
divs = []
for (code, name, pref), p in sorted(periods.items(), key=lambda kv: (kv[0][0], kv[1]["first"])):
    vf = p["first"] if p["first"] > FIRST else int(start[(code, name)])
    assert vf <= p["first"]
    vt = "" if p["last"] == LAST else p["last"] + 1
    divs.append(
        {
            "code": code,
            "name": name,
            "prefecture_code": p["prefecture_code"],
            "prefecture": pref,
            "type": p["type"],
            "valid_from": vf,
            "valid_to": vt,
            "source": f"{REPO} "
            + (
                f"data/{p['first']}.txt"
                if p["first"] == p["last"]
                else f"data/{p['first']}.txt…{p['last']}.txt"
            )
            + (", result.csv" if vf < p["first"] else ""),
        }
    )

# changes from diff files
changes = []
for y in range(FIRST, LAST):
    f = f"diff/{y}-{y + 1}.diff"
    old, new = tables[y], tables[y + 1]
    desc, title, doc, date = [], "", "", ""
    last_was_change = False
    for ln in show(f).splitlines():
        if ln.startswith("#"):
            if last_was_change:
                desc = []
            desc.append(ln)
            last_was_change = False
            continue
        if ln[:1] not in "-+=":
            continue
        last_was_change = True
        if not ln[1:3] == "37":
            continue
        m = re.match(r"([-+=])(\d{6}) (\S+?)([<>](.*))?$", ln)
        sign, code, name, _, attr = m.groups()
        if not county(code):
            continue
        title = next((d[3:].strip() for d in desc if d.startswith("## ")), "")
        doc = next((d.split("：", 1)[1].strip() for d in desc if d.startswith("# 文号：")), "")
        date = next((d.split("：", 1)[1].strip() for d in desc if d.startswith("# 日期：")), "")
        if not doc and re.match(r"鲁政字〔\d+〕\d+号$", title):
            doc = title
        body = "".join(d[1:].strip() for d in desc)
        if sign == "+":
            continue  # '-' and '=' lines carry old -> new; '+' lines are checked below

        def resolve(sel, table):
            if sel == ".":
                return code
            if sel == "_":
                sel = name
            hits = [c for c, n in table.items() if n == sel and county(c)]
            if len(hits) > 1:
                hits = [c for c in hits if c[:4] == code[:4]]
            assert len(hits) == 1, (ln, sel, hits)
            return hits[0]

        targets = [resolve(s, new) for s in attr.split(",")]
        assert name in body or title.startswith("鲁政字"), ln
        dm = re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日$", date)
        iso = f"{dm[1]}-{int(dm[2]):02d}-{int(dm[3]):02d}" if dm else ""
        for t in targets:
            changes.append(
                {
                    "year": y + 1,
                    "date": iso,
                    "date_given": "day" if iso else "year",
                    "sign": sign,
                    "old_code": code,
                    "old_name": name,
                    "old_prefecture": pref_name(y, code),
                    "new_code": t,
                    "new_name": new[t],
                    "new_prefecture": pref_name(y + 1, t),
                    "n_targets": len(targets),
                    "document": doc,
                    "title": title,
                    "source": f"{REPO} {f}",
                }
            )
# kinds
for c in changes:
    same_year = [d for d in changes if d["year"] == c["year"]]
    into = {d["old_code"] for d in same_year if d["new_code"] == c["new_code"] and d["sign"] == "-"}
    existed = c["new_code"] in tables[c["year"] - 1]
    if c["sign"] == "=":
        c["kind"], c["share"] = "part_transfer", "part"
    elif c["n_targets"] > 1:
        c["kind"] = "split"
        c["share"] = "part" if existed else "main"
    elif len(into) > 1 or (existed and c["new_code"] != c["old_code"]):
        c["kind"], c["share"] = "merger", "whole"
    elif c["old_prefecture"] != c["new_prefecture"]:
        c["kind"], c["share"] = "prefecture_transfer", "whole"
    elif c["old_code"] == c["new_code"]:
        c["kind"], c["share"] = "rename", "whole"
    elif ctype(c["new_name"]) == "区":
        c["kind"], c["share"] = "to_district", "whole"
    elif ctype(c["new_name"]) == "县级市":
        c["kind"], c["share"] = "to_city", "whole"
    else:
        sys.exit(f"unclassified {c}")
cols = [
    "year",
    "date",
    "date_given",
    "kind",
    "old_code",
    "old_name",
    "old_prefecture",
    "new_code",
    "new_name",
    "new_prefecture",
    "share",
    "document",
    "title",
    "source",
]
out = sys.argv[1]
with open(f"{out}/division_changes.csv", "w", encoding="utf-8", newline="") as fh:
    w = csv.DictWriter(fh, cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(sorted(changes, key=lambda c: (c["year"], c["date"], c["old_code"], c["new_code"])))
with open(f"{out}/divisions.csv", "w", encoding="utf-8", newline="") as fh:
    w = csv.DictWriter(fh, list(divs[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(divs)
print(COMMIT, len(divs), len(changes))
