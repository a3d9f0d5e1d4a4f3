#!/usr/bin/env python3
"""SP Connect's icons, all rendered from resources/icons/sp-connect.svg with Qt's SVG renderer.

    python packaging/icons.py pngs           re-render the committed hicolor PNGs (after editing
                                             the SVG; tests/test_packaging.py checks they match)
    python packaging/icons.py build OUTDIR   write OUTDIR/sp-connect.ico and OUTDIR/sp-connect.icns
                                             (packaging/build does this before PyInstaller runs)

Both containers hold PNG images, which every supported system reads (Windows Vista and later for
ICO, macOS 10.7 and later for ICNS), so they are written here in a few lines rather than with an
image library:

* ICO: https://learn.microsoft.com/en-us/previous-versions/ms997538(v=msdn.10) — a 6-byte header,
  one 16-byte directory entry per image (a width or height of 0 means 256), then the images.
* ICNS: https://en.wikipedia.org/wiki/Apple_Icon_Image_format — ``icns`` and the file's length
  (big-endian), then per image a 4-character type and the entry's length including its 8-byte
  header. The types name a size and a density (``ic11`` is 16 pt at 2x, i.e. 32 px).

This folder has no ``__init__.py`` on purpose: as a namespace portion it never shadows the
``packaging`` distribution that pip and PyInstaller import.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "sp-connect.svg"

#: The sizes inside the Windows icon (256 is the largest ICO allows).
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

#: ICNS types by pixel size; some sizes serve two (one size at 1x, half of it at 2x).
ICNS_TYPES: dict[int, tuple[str, ...]] = {
    16: ("icp4",),
    32: ("icp5", "ic11"),
    64: ("icp6", "ic12"),
    128: ("ic07",),
    256: ("ic08", "ic13"),
    512: ("ic09", "ic14"),
    1024: ("ic10",),
}


def render_png(size: int, svg: Path = SVG) -> bytes:
    """The SVG drawn on a transparent ``size`` x ``size`` square, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        render_png.app = QGuiApplication([sys.argv[0]])  # type: ignore[attr-defined]
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not an SVG Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"Qt could not write a {size} px PNG")
    buffer.close()
    return bytes(data.data())


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon holding each PNG (sizes 1 to 256)."""
    sizes = sorted(pngs)
    if not sizes or sizes[0] < 1 or sizes[-1] > 256:
        raise ValueError(f"an ICO holds sizes 1 to 256, not {sizes}")
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        png = pngs[size]
        side = 0 if size == 256 else size  # one byte: 0 stands for 256
        # width, height, palette colours, reserved, colour planes, bits per pixel, length, offset
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        images += png
        offset += len(png)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon family holding each PNG under every type its size serves."""
    body = b""
    for size in sorted(pngs):
        for kind in ICNS_TYPES.get(size, ()):
            body += kind.encode("ascii") + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
    if not body:
        raise ValueError(f"no ICNS type for the sizes {sorted(pngs)}")
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_pngs() -> list[Path]:
    """Re-render the committed hicolor PNGs from the SVG."""
    sys.path.insert(0, str(ROOT))
    from core.services.desktop import ICON_SIZES, icon_resource

    written = []
    for size in ICON_SIZES:
        path = ROOT / "resources" / icon_resource(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_png(size))
        written.append(path)
    return written


def write_containers(out: Path) -> tuple[Path, Path]:
    """Write ``sp-connect.ico`` and ``sp-connect.icns`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    pngs = {size: render_png(size) for size in sorted({*ICO_SIZES, *ICNS_TYPES})}
    ico, icns = out / "sp-connect.ico", out / "sp-connect.icns"
    ico.write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    icns.write_bytes(icns_bytes({size: pngs[size] for size in ICNS_TYPES}))
    return ico, icns


def main(argv: list[str]) -> int:
    if argv == ["pngs"]:
        for path in write_pngs():
            print(path.relative_to(ROOT))
        return 0
    if len(argv) == 2 and argv[0] == "build":
        for path in write_containers(Path(argv[1])):
            print(path)
        return 0
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
