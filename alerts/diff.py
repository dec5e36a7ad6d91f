"""Field-by-field difference between two alert snapshots: what an update changes."""

from typing import Any

# Bookkeeping that differs between a message and the working copy without being a change of content.
IGNORED = {"version", "status", "outcome", "outcome_label", "outcome_note", "public_id"}
LABELS = {
    "texts": "Text",
    "last_seen": "Last seen",
    "incident": "Incident",
    "internal": "Internal",
    "officer": "Officer",
    "suspects": "Suspect",
    "vehicles": "Vehicle",
    "photos": "Photo",
}


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, item in enumerate(value, start=1):
            _flatten(item, f"{path} {i}", out)
    else:
        out[path] = value


def _label(path: str) -> str:
    head, _, rest = path.partition(".")
    word, _, number = head.partition(" ")
    label = LABELS.get(word, word.replace("_", " ").capitalize())
    if number:
        label += f" {number}"
    return f"{label}: {rest.replace('_', ' ')}" if rest else label


def snapshot_diff(old: dict, new: dict) -> list[dict[str, Any]]:
    """[{"field", "label", "old", "new"}] for every leaf that differs (added and removed rows too)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten({k: v for k, v in (old or {}).items() if k not in IGNORED}, "", before)
    _flatten({k: v for k, v in (new or {}).items() if k not in IGNORED}, "", after)
    rows = []
    for path in list(before) + [p for p in after if p not in before]:
        a, b = before.get(path), after.get(path)
        if a != b and not (a in (None, "", []) and b in (None, "", [])):
            rows.append({"field": path, "label": _label(path), "old": a, "new": b})
    return rows
