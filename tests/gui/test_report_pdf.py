"""The PDF report: painted by Qt's own writer, readable by poppler, holding no secret.

Each PDF is checked as a reader gets it: poppler's ``pdftoppm`` renders its first page (it must
not be blank) and ``pdftotext`` reads its words. Both come with ``poppler-utils``, which
``scripts/setup.sh`` installs.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage, QPageSize
from PySide6.QtWidgets import QMenu

from core.domain.plan import build_plan
from core.services.demo import open_demo
from core.services.report.export import report_of, write_report
from core.services.report.model import PLAN_TITLE
from core.storage.keychain import MemorySecretStore
from gui.report_pdf import ensure_gui_application, write_pdf
from tests.core.factories import NOW


def first_page_png(pdf: Path, folder: Path) -> QImage:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(folder / "page")],
        check=True, timeout=60,
    )  # fmt: skip
    image = QImage(str(folder / "page.png"))
    assert not image.isNull()
    return image


def ink(image: QImage) -> float:
    """The share of pixels that are not (near) white."""
    step = 2
    dark = total = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            total += 1
            dark += image.pixelColor(x, y).lightness() < 235
    return dark / total


def pdf_text(pdf: Path) -> str:
    """The PDF's words in reading order, pages split by form feeds, lines joined by spaces
    (a name wrapped in a table cell reads whole)."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], check=True, timeout=60, capture_output=True)
    return "\f".join(" ".join(page.split()) for page in done.stdout.decode("utf-8").split("\f"))


def test_the_pdf_renders_with_its_pictures_plan_and_every_company(
    qapp: Any, tmp_path: Path
) -> None:
    assert ensure_gui_application() is None  # the test's own application is used
    workspace = open_demo(amazon=False, now=NOW)
    try:
        out = write_report(workspace, "pdf", tmp_path / "report.pdf", NOW, render_pdf=write_pdf)
        inventory = workspace.current
    finally:
        workspace.close()
    assert out.read_bytes().startswith(b"%PDF-")
    page = first_page_png(out, tmp_path)
    assert page.width() < page.height()  # portrait
    assert 0.03 < ink(page) < 0.6, ink(page)  # words and two charts, not an empty page
    text = pdf_text(out)
    assert PLAN_TITLE in text
    for company in inventory.companies.values():
        assert company.name in text
    for item in build_plan(inventory, NOW):
        assert item.seller_central_url in text
    assert "Need reauthorization" in text
    assert "Page 1 of" in text
    pages = text.count("\f")
    assert f"Page {pages} of {pages}" in text
    table_pages = text.split("All channels", 1)[1].split("\f")[:-1]
    assert len(table_pages) >= 2  # the demo's table runs over a page
    assert all("App status" in page for page in table_pages)  # its header repeats on each


def test_the_pdf_holds_no_secret_value_or_keychain_entry_name(qapp: Any, tmp_path: Path) -> None:
    store = MemorySecretStore()
    workspace = open_demo(amazon=False, now=NOW, secrets=store)
    try:
        out = write_report(workspace, "pdf", tmp_path / "r.pdf", NOW, render_pdf=write_pdf)
    finally:
        workspace.close()
    names = store.names()
    values = [secret.reveal() for n in names if (secret := store.get(n)) is not None]
    assert values
    text = pdf_text(out)
    raw = out.read_bytes()
    for forbidden in (*values, *names):
        assert forbidden not in text
        assert forbidden.encode() not in raw


@pytest.mark.parametrize(
    ("size", "points"),
    [(QPageSize.PageSizeId.A4, "595 x 842"), (QPageSize.PageSizeId.Letter, "612 x 792")],
)
def test_the_paper_size_can_be_chosen(
    qapp: Any, tmp_path: Path, size: QPageSize.PageSizeId, points: str
) -> None:
    workspace = open_demo(amazon=False, now=NOW)
    try:
        report = report_of(workspace, NOW, version="1")
    finally:
        workspace.close()
    out = tmp_path / "r.pdf"
    write_pdf(report, out, page_size=QPageSize(size))
    info = subprocess.run(["pdfinfo", str(out)], check=True, timeout=60, capture_output=True)
    assert f"Page size:       {points} pts" in info.stdout.decode()


def _menu_ink_width(menu: QMenu) -> int:
    menu.adjustSize()
    image = menu.grab().toImage()  # drawn as it would show, without a popup
    xs = [
        x
        for x in range(image.width())
        for y in range(0, image.height(), 2)
        if image.pixelColor(x, y).lightness() < 128
    ]
    return max(xs) - min(xs) if xs else 0


def test_painting_a_pdf_leaves_the_window_s_fonts_alone(qtbot: Any, tmp_path: Path) -> None:
    # Regression: chart words drawn by Qt's SVG renderer on the 300 dpi PDF before the screen
    # had drawn that font left menus in tiny letters (89 pixels of ink became 25), whether
    # the menu was drawn before the PDF or only after it.
    workspace = open_demo(amazon=False, now=NOW)
    try:
        write_report(workspace, "pdf", tmp_path / "first.pdf", NOW, render_pdf=write_pdf)
        menu = QMenu()
        qtbot.addWidget(menu)
        menu.addAction("&Save")
        menu.addAction("E&xport report…")
        first = _menu_ink_width(menu)
        assert first > 60  # about 89 at the tests' font; 25 when the bug is back
        write_report(workspace, "pdf", tmp_path / "again.pdf", NOW, render_pdf=write_pdf)
    finally:
        workspace.close()
    assert _menu_ink_width(menu) == first
