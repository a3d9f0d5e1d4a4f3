"""What the bundle leaves out although PyInstaller found it (used by sp-connect.spec and build).

* Qt's translations (7 MB): the app is in English and loads no ``QTranslator``, so they are
  never read.
* The GTK 3 platform theme and the libraries only it needs (about 20 MB): it would carry the
  build machine's GTK, Pango, Cairo and ATK into the folder, and a bundled GTK next to the
  seller's own GTK modules and themes is a classic source of crashes. Without it Qt draws its
  own style and, on GNOME, uses the portal theme (file choosers through the desktop portal).
  ``packaging/build`` checks that nothing left in the folder links to a library removed here.
"""

from __future__ import annotations

from pathlib import PurePosixPath

GTK_THEME = "PySide6/Qt/plugins/platformthemes/libqgtk3.so"

#: File-name prefixes of the libraries that only the GTK theme plug-in links to (on Linux).
GTK_ONLY = (
    "libgtk-3.", "libgdk-3.", "libgdk_pixbuf-2.0.", "libatk-1.0.", "libatk-bridge-2.0.",
    "libatspi.", "libpango-1.0.", "libpangocairo-1.0.", "libpangoft2-1.0.", "libcairo.",
    "libcairo-gobject.", "libepoxy.", "libthai.", "libdatrie.", "libfribidi.", "libpixman-1.",
    "libXcomposite.", "libXdamage.", "libXinerama.", "libXcursor.", "libXi.", "libXrandr.",
    "libgraphite2.", "libharfbuzz.", "libjpeg.",
)  # fmt: skip


def kept(entry: tuple[str, ...]) -> bool:
    """Whether a PyInstaller TOC entry (destination name first) stays in the folder."""
    name = PurePosixPath(entry[0].replace("\\", "/"))
    if name.parts[:3] == ("PySide6", "Qt", "translations"):
        return False
    if str(name) == GTK_THEME:
        return False
    # Only Linux bundles carry the build machine's GTK; elsewhere these names never occur.
    return not name.name.startswith(GTK_ONLY)
