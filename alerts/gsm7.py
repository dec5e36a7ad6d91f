"""The GSM 03.38 7-bit alphabet that wireless emergency alerts are sent in, in one place.

The WEA rules (alerts.texts), the CAP builder (alerts.cap) and the drafting form's live counters
(static/alerts/alert_edit.js, which reads `tables()` from the page through `json_script`) all use
this module, so a text the form accepts is a text the CAP message carries unchanged.

A handset counts septets, not characters: a character of the extension table (`[`, `€`...) is sent
as ESC plus the character and takes two.
"""

from __future__ import annotations

import unicodedata

# The basic table: 128 septets (ESC, 0x1B, is not a character of its own).
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (ESC + the character).
EXTENSION = frozenset("^{}\\[~]|€\f")

# Typographic characters people paste from word processors, and their plain equivalents (smart
# quotes have broken real IPAWS deliveries). Replaced in every channel text before it is checked.
TYPOGRAPHIC = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u200b": "",
    "\u2022": "-",
    "\u00b7": "-",
    "\u2116": "No.",
}
_TYPO_TABLE = str.maketrans(TYPOGRAPHIC)


def replace_typography(text: str) -> str:
    """Curly quotes, dashes, ellipsis and odd spaces become their plain equivalents."""
    return (text or "").translate(_TYPO_TABLE)


def is_gsm7(text: str) -> bool:
    """Every character is in the basic or the extension table."""
    return all(ch in BASIC or ch in EXTENSION for ch in text)


def septets(text: str) -> int:
    """The length a handset counts: extension characters take two septets."""
    return sum(2 if ch in EXTENSION else 1 for ch in text)


def invalid_chars(text: str) -> list[str]:
    """Characters outside both tables, each once, in order of appearance."""
    seen: list[str] = []
    for ch in text:
        if ch not in BASIC and ch not in EXTENSION and ch not in seen:
            seen.append(ch)
    return seen


def fold(text: str, *, drop_others: bool = False) -> str:
    """Text the portal generates, made sendable: typography replaced and the accents the alphabet
    lacks taken off their letter (á -> a, ç -> c; é and ñ are in the alphabet and stay). Other
    characters are kept (so the WEA rules still flag them) or, with `drop_others`, left out.

    Never applied to a text a person approved: such a text is carried as it is, or refused
    (alerts.texts.wea_problems)."""
    out = []
    for ch in replace_typography(text):
        if ch in BASIC or ch in EXTENSION:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base and is_gsm7(base):
            out.append(base)
        elif not drop_others:
            out.append(ch)
    return "".join(out)


def clip(text: str, limit: int) -> str:
    """`text` if it fits in `limit` septets, else cut (in septets) and ended with "..."."""
    if septets(text) <= limit:
        return text
    cut = text
    while cut and septets(cut) > limit - 3:
        cut = cut[:-1]
    return cut.rstrip() + "..."


def tables() -> dict[str, object]:
    """What the drafting form's counters need, for `json_script`: the same tables, never a copy."""
    return {
        "basic": "".join(sorted(BASIC)),
        "extension": "".join(sorted(EXTENSION)),
        "typographic": TYPOGRAPHIC,
    }
