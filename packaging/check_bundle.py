#!/usr/bin/env python3
"""Check and measure a built bundle (run by packaging/build after PyInstaller; needs a display).

    python packaging/check_bundle.py [--build-seconds S] [--screenshot FILE]

Runs the frozen app the ways a seller and a scheduler would: ``--version``, the window on an
empty inventory (``--self-test``, timed against ``python main.py --self-test``: median of 3
each, after one untimed warm-up run each), the demo with its simulator (``--demo --self-test
--screenshot``), ``plan``, and ``export --format pdf`` and ``support-bundle`` with no display
at all. Every run logs into a temporary folder, and the demo's log must show the bundled start
line. Checks that the keychain backends and their helpers are inside the archive, that on Linux
no library in the folder links to one that packaging/trim.py left out, and that the screenshot
is not blank. Prints the figures and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from trim import GTK_ONLY  # noqa: E402

NAME = "sp-connect"
DIST = ROOT / "dist"
RUNS = 3
#: The issue's bar: the bundle starts within twice the time of the source.
START_FACTOR = 2.0
#: Modules PyInstaller cannot see (imported by name, or found through entry points).
HIDDEN = {
    "all": ("keyring", "keyring.backends.SecretService", "keyring.backends.Windows",
            "keyring.backends.macOS", "keyring.backends.kwallet", "keyring.backends.libsecret"),
    "linux": ("secretstorage", "jeepney", "jeepney.io.blocking"),
    "win32": ("win32ctypes.pywin32.win32cred",),
}  # fmt: skip


def executable() -> Path:
    if sys.platform == "darwin":
        return DIST / "SP Connect.app" / "Contents" / "MacOS" / NAME
    return DIST / NAME / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def folder() -> Path:
    return DIST / "SP Connect.app" if sys.platform == "darwin" else DIST / NAME


def run(
    args: list[str], env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, timeout=180, env=env, check=False)
    return time.perf_counter() - start, done


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def expect(self, ok: bool, what: str, detail: str = "") -> bool:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail and not ok else ""))
        if not ok:
            self.failed.append(what)
        return ok


def timed_self_test(command: list[str], data_dir: str) -> tuple[float, str]:
    """Median wall time of ``command --data-dir DIR --self-test`` (after a warm-up run)."""
    times, failure = [], ""
    for attempt in range(RUNS + 1):
        seconds, done = run([*command, "--data-dir", data_dir, "--self-test"])
        if done.returncode != 0:
            failure = (done.stdout + done.stderr).strip()[-400:]
            break
        if attempt:
            times.append(seconds)
    return (statistics.median(times) if times else float("nan")), failure


def not_blank(png: Path) -> tuple[bool, str]:
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    if image.isNull():
        return False, "not a readable PNG"
    step = max(1, image.width() // 200)
    colours = {
        image.pixel(x, y)
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
    }
    return len(colours) > 16, f"{image.width()}x{image.height()}, {len(colours)} colours sampled"


def archived_modules(exe: Path) -> set[str]:
    from PyInstaller.archive.readers import CArchiveReader

    archive = CArchiveReader(str(exe))  # a one-folder build appends its archive to the exe
    return set(archive.open_embedded_archive("PYZ.pyz").toc)


def gtk_links(bundle: Path) -> list[str]:
    """Libraries in the folder that link to one packaging/trim.py left out."""
    found = []
    for library in sorted(bundle.rglob("*.so*")):
        if not library.is_file() or library.is_symlink():
            continue
        ldd = subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=False)
        for line in ldd.stdout.splitlines():
            needed = line.strip().split(" ")[0]
            if needed.startswith(GTK_ONLY):
                found.append(f"{library.relative_to(bundle)} needs {needed}")
    return found


def size_mb(path: Path) -> float:
    # Symbolic links (PyInstaller links some libraries into place) count once, as on disk.
    files = (f for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return sum(f.stat().st_size for f in files) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-seconds", type=float)
    parser.add_argument("--screenshot", type=Path, default=ROOT / "build" / "bundle-self-test.png")
    options = parser.parse_args()
    exe, bundle = executable(), folder()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    checks = Checks()
    # Every start logs (core/services/logs.py): into a folder of this check's own, never the
    # person's log folder, and the demo's log is read back below.
    logs = tempfile.TemporaryDirectory(prefix="spconnect-check-logs-")
    os.environ["SPCONNECT_LOG_DIR"] = logs.name
    print(f"checking {exe}")
    if not checks.expect(exe.is_file(), "the executable exists"):
        return 1

    _, done = run([str(exe), "--version"])
    checks.expect(done.stdout.strip() == f"SP Connect {version}", "--version", done.stdout)

    modules = archived_modules(exe)
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    missing = [m for m in (*HIDDEN["all"], *HIDDEN.get(platform, ())) if m not in modules]
    checks.expect(not missing, "keychain backends and helpers are bundled", ", ".join(missing))
    if platform == "linux":
        links = gtk_links(bundle)
        checks.expect(not links, "nothing links to a library left out", "; ".join(links[:5]))

    with tempfile.TemporaryDirectory() as frozen_dir, tempfile.TemporaryDirectory() as source_dir:
        frozen, frozen_failure = timed_self_test([str(exe)], frozen_dir)
        checks.expect(not frozen_failure, "bundle --self-test", frozen_failure)
        source, source_failure = timed_self_test(
            [sys.executable, str(ROOT / "main.py")], source_dir
        )
        checks.expect(not source_failure, "python main.py --self-test", source_failure)
    ratio = frozen / source
    checks.expect(ratio <= START_FACTOR, f"starts within {START_FACTOR:g}x the source's time")

    options.screenshot.unlink(missing_ok=True)
    args = [str(exe), "--demo", "--self-test", "--screenshot", str(options.screenshot)]
    _, done = run(args)
    ok = checks.expect(done.returncode == 0, "--demo --self-test (the simulator, frozen)",
                       (done.stdout + done.stderr)[-400:])  # fmt: skip
    blank_ok, blank_detail = not_blank(options.screenshot) if ok else (False, "no screenshot")
    checks.expect(blank_ok, "the screenshot is not blank", blank_detail)
    demo_log = Path(logs.name) / "sp-connect-demo.log"
    logged = demo_log.read_text(encoding="utf-8") if demo_log.is_file() else ""
    checks.expect("bundled" in logged, "the frozen demo wrote its log (start line: bundled)",
                  logged[-300:] or f"no {demo_log}")  # fmt: skip

    _, done = run([str(exe), "--demo", "plan"])
    checks.expect(done.returncode == 0 and "Reauthorization plan" in done.stdout, "plan",
                  (done.stdout + done.stderr)[-400:])  # fmt: skip

    headless = {k: v for k, v in os.environ.items()
                if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        pdf = Path(out) / "report.pdf"
        _, done = run(
            [str(exe), "--demo", "export", "--format", "pdf", "--out", str(pdf)], headless
        )
        written = pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
        checks.expect(done.returncode == 0 and written, "export --format pdf without a display",
                      (done.stdout + done.stderr)[-400:])  # fmt: skip
        bundle_zip = Path(out) / "support.zip"
        _, done = run([str(exe), "--demo", "support-bundle", "--out", str(bundle_zip)], headless)
        zipped = done.returncode == 0 and zipfile.is_zipfile(bundle_zip)
        checks.expect(zipped, "support-bundle without a display", done.stderr[-400:])

    print()
    if options.build_seconds is not None:
        print(f"build time:     {options.build_seconds:.1f} s")
    print(f"bundle size:    {size_mb(bundle):.0f} MB")
    print(f"start time:     {frozen:.2f} s bundle vs {source:.2f} s python main.py "
          f"(--self-test, median of {RUNS}; {ratio:.2f}x)")  # fmt: skip
    print(f"screenshot:     {'not blank' if blank_ok else 'BLANK or missing'} "
          f"({blank_detail}) {options.screenshot}")  # fmt: skip
    print(f"bundle:         {bundle}")
    print(f"run it:         {exe}")
    logs.cleanup()
    if checks.failed:
        print(f"\n{len(checks.failed)} check(s) failed: {'; '.join(checks.failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
