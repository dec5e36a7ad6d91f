"""Check the lock files against the requirement files (run by `make lint`; `make lock` writes them).

    python tools/check_lock.py

Fails, naming each problem, when
- a locked package is a pre-release (a, b, rc) or a development release (.devN): the lock holds
  only final releases, and a package that exists only as a pre-release must be replaced;
- a locked package has no hash (pip's --require-hashes would refuse the whole file anyway);
- a direct requirement is not pinned with == or is locked at another version (a pin changed
  without `make lock`);
- a package is locked at two different versions in the runtime and the development lock.
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

BASE_DIR = Path(__file__).resolve().parent.parent
# requirement file -> the lock generated from it
PAIRS = {
    "requirements.txt": "requirements.lock",
    "requirements-dev.txt": "requirements-dev.lock",
    "requirements-xsd.txt": "requirements-xsd.lock",
}
_ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>\S+)")


@dataclass
class Locked:
    name: str
    version: str
    hashes: int
    line: int


def read_lock(path: Path) -> list[Locked]:
    """Every entry: `name==version` (and markers) at the start of a line, followed by `--hash=`
    continuation lines (pip's hash-checking format). A package may have several entries, one per
    environment marker (a universal lock forks on Python versions and platforms)."""
    entries: list[Locked] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = _ENTRY.match(line)
        if match:
            entries.append(Locked(canonicalize_name(match.group("name")), match.group("version"), 0, number))
        elif entries and line.strip().startswith("--hash="):
            entries[-1].hashes += 1
    return entries


def versions(entries: list[Locked]) -> dict[str, set[str]]:
    """Package -> every version the lock installs for it (one per environment marker)."""
    found: dict[str, set[str]] = {}
    for entry in entries:
        found.setdefault(entry.name, set()).add(entry.version)
    return found


def read_requirements(path: Path) -> tuple[dict[str, str], list[str]]:
    """The direct requirements of one file (not those it includes with -r): name -> pinned version,
    and the problems found (a requirement that is not an exact pin)."""
    pins: dict[str, str] = {}
    problems: list[str] = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            problems.append(f"{path.name}:{number}: cannot read {line!r}: {error}")
            continue
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            problems.append(f"{path.name}:{number}: {line!r} is not pinned with == to one version")
            continue
        pins[canonicalize_name(requirement.name)] = specifiers[0].version
    return pins, problems


def problems(base: Path = BASE_DIR) -> list[str]:
    found: list[str] = []
    locks: dict[str, dict[str, set[str]]] = {}
    for requirements_name, lock_name in PAIRS.items():
        lock_path = base / lock_name
        if not lock_path.exists():
            found.append(f"{lock_name} is missing: run `make lock`")
            continue
        entries = read_lock(lock_path)
        lock = locks[lock_name] = versions(entries)
        if not entries:
            found.append(f"{lock_name} locks no package")
        for entry in entries:
            where = f"{lock_name}:{entry.line}: {entry.name}=={entry.version}"
            try:
                version = Version(entry.version)
            except InvalidVersion:
                found.append(f"{where} is not a valid version")
                continue
            if version.is_prerelease:
                found.append(f"{where} is a pre-release or development release: pin a final release or replace it")
            if entry.hashes == 0:
                found.append(f"{where} has no --hash")
        pins, pin_problems = read_requirements(base / requirements_name)
        found += pin_problems
        for name, pinned in sorted(pins.items()):
            if name not in lock:
                found.append(f"{requirements_name} pins {name}=={pinned}, which {lock_name} lacks: run `make lock`")
            elif {Version(v) for v in lock[name]} != {Version(pinned)}:
                found.append(
                    f"{requirements_name} pins {name}=={pinned} but {lock_name} has {', '.join(sorted(lock[name]))}: "
                    "run `make lock`"
                )
    runtime, dev = locks.get("requirements.lock", {}), locks.get("requirements-dev.lock", {})
    for name in sorted(runtime.keys() & dev.keys()):
        if runtime[name] != dev[name]:
            found.append(
                f"{name} is {', '.join(sorted(runtime[name]))} in requirements.lock but "
                f"{', '.join(sorted(dev[name]))} in requirements-dev.lock: run `make lock`"
            )
    for name in sorted(runtime.keys() - dev.keys()):
        found.append(f"{name} is in requirements.lock but not in requirements-dev.lock: run `make lock`")
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        return 1
    count = len(versions(read_lock(BASE_DIR / "requirements-dev.lock")))
    print(f"lock files: {count} packages, all final releases with hashes, matching the pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
