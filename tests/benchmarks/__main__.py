"""``python -m tests.benchmarks NAME [ARGS...]``: run ``tests/benchmarks/NAME.py``'s ``main``.

Every benchmark module has ``main(argv: list[str]) -> int``; its last line of output is one
JSON object with its figures.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    here = [str(Path(__file__).parent)]
    return sorted(m.name for m in pkgutil.iter_modules(here) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = available()
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m tests.benchmarks NAME [ARGS...]")
        print(f"benchmarks: {', '.join(names)}")
        return 0 if argv else 2
    name = argv[0]
    if name not in names:
        print(f"no benchmark {name!r}; there are: {', '.join(names)}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"tests.benchmarks.{name}")
    return int(module.main(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
