"""Who SP Connect is to the desktop: its application id and the icon files launchers use.

The id is reverse-DNS and the same everywhere a desktop matches windows to launchers: the
``.desktop`` file's name, the AppStream metainfo's ``<id>``, ``QGuiApplication.setDesktopFileName``
and the PyInstaller spec's macOS bundle identifier (tests/test_packaging.py holds them equal). The
PNGs are rendered from ``resources/icons/sp-connect.svg`` by ``packaging/icons.py`` and committed in
the hicolor layout, so installing them is a copy (``packaging/linux/install``).
"""

from __future__ import annotations

from pathlib import Path

from core.storage.resources import resource_path

#: The reverse-DNS id. The domain is a placeholder until the project has a published home; it
#: only has to be unique and stable (a changed id is a new app to every desktop).
APP_ID = "io.github.spconnect.SPConnect"

#: The square sizes launchers and window managers ask for, in pixels.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

#: The drawing every PNG is rendered from.
ICON_SVG = "icons/sp-connect.svg"


def icon_resource(size: int) -> str:
    """The resource name of the ``size`` px PNG (hicolor's ``<size>x<size>/apps/<id>.png``)."""
    return f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"


def icon_files() -> tuple[tuple[int, Path], ...]:
    """Each size with its PNG file, smallest first.

    Raises:
        FileNotFoundError: A PNG was not shipped (a broken bundle or checkout).
    """
    return tuple((size, resource_path(icon_resource(size))) for size in ICON_SIZES)
