"""Files shipped in ``resources/`` (the hand-off page, icons, style sheet), wherever the app runs.

From a source checkout they sit next to ``core/``; in a PyInstaller bundle under the bundle's
extraction directory (``sys._MEIPASS``), where the spec must add ``resources`` as data
(``datas=[("resources", "resources")]``).
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

RESOURCES_DIR = "resources"


def resources_dir() -> Path:
    """The folder holding the shipped resources."""
    bundle = getattr(sys, "_MEIPASS", None)
    if isinstance(bundle, str) and bundle:
        return Path(bundle) / RESOURCES_DIR
    return Path(__file__).resolve().parents[2] / RESOURCES_DIR


def resource_path(name: str) -> Path:
    """The path of ``resources/<name>`` (``name`` may have ``/`` separated sub-folders).

    Raises:
        ValueError: ``name`` is absolute or climbs out of ``resources/``.
        FileNotFoundError: No such resource was shipped.
    """
    relative = PurePosixPath(name.replace("\\", "/"))
    if not name or relative.is_absolute() or ".." in relative.parts or ":" in name:
        raise ValueError(f"not a resource name: {name!r}")
    path = resources_dir().joinpath(*relative.parts)
    if not path.is_file():
        raise FileNotFoundError(f"SP Connect's resource {name!r} is missing from {path.parent}")
    return path
