"""The HTML report as a browser prints it: headless Chromium's own PDF of the file.

Proves the print style sheet works where it matters, in a real browser: the table starts on a
page of its own and its header row is printed again on every page it runs over.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from core.domain.samples import demo_inventory
from core.services.report.export import write_report
from tests.core.factories import NOW

pytestmark = pytest.mark.chromium

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed ({CHROMIUM}): apt-get install chromium")


def test_a_browser_prints_the_table_on_its_own_pages_with_its_header_on_each(
    tmp_path: Path,
) -> None:
    inventory, _ = demo_inventory(NOW, "print-test")
    page = write_report(inventory, "html", tmp_path / "report.html", NOW, version="1")
    printed = tmp_path / "printed.pdf"
    profile = tmp_path / "profile"
    profile.mkdir()
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={printed}", page.as_uri(),
        ],
        capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", str(printed), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    pages = [" ".join(p.split()) for p in text.split("\f") if p.strip()]
    start = next(i for i, p in enumerate(pages) if "All channels" in p)
    assert start > 0
    assert pages[start].startswith("All channels")  # a page of its own
    assert len(pages) - start >= 2  # the demo's table runs over a page
    for table_page in pages[start:]:
        assert all(h in table_page for h in ("Company", "Seller ID", "Last check", "App status"))
