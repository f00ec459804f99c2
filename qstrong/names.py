"""Names as they enter the program (counties, departments, measure ids): normalised once, at the boundary.

What people paste carries invisible differences — a zero-width space (U+200B), a BOM, a no-break or
full-width space, full-width letters. Two spellings that look the same must be one name, so every
input boundary passes names through :func:`normalise_name`, and text meant to be read as it is
(remarks, evidence) through :func:`clean_text`.
"""

from __future__ import annotations

import re
import unicodedata

# Format characters (Cf: zero-width spaces and joiners, BOM, bidi marks, soft hyphen …) and every
# kind of white space: nothing of it belongs in a name.
_INVISIBLE = re.compile(r"[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]")
# Chinese names write their parentheses full-width (市中区（济南市）); NFKC made them ASCII: back again.
_CJK_PARENS = str.maketrans({"(": "（", ")": "）"})
# C0/C1 control characters other than tab and newline: not text a person can see or a file can hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalise_name(text: object) -> str:
    """NFKC (full-width → half-width, NBSP → space), then no invisible or control characters, no spaces;
    parentheses full-width, as Chinese names write them."""
    if text is None:
        return ""
    t = unicodedata.normalize("NFKC", str(text))
    t = "".join(ch for ch in t if unicodedata.category(ch) not in ("Cf", "Cc"))
    return _INVISIBLE.sub("", t).translate(_CJK_PARENS)


def name_changes(text: object) -> str:
    """A Chinese note of what :func:`normalise_name` changed ('' when nothing)."""
    raw = "" if text is None else str(text)
    if normalise_name(raw) == raw:
        return ""
    hidden = [f"U+{ord(ch):04X}" for ch in raw if unicodedata.category(ch) in ("Cf", "Zs", "Cc") and ch != " "]
    what = "含不可见字符（" + "、".join(dict.fromkeys(hidden)) + "）" if hidden else "含空格或全角字符"
    return f"名称“{raw}”{what}，已规范为“{normalise_name(raw)}”"


def clean_text(text: object) -> str:
    """Free text kept as written, control characters (a bell, an escape, NUL) shown as visible ``\\x07``."""
    if text is None:
        return ""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(text))
