"""Issue 10's leak test: known secret values, some even logged on purpose, reach no export
format, no member of a support bundle and no log file, raw, URL-encoded or base64.

The flow, against the simulator, with the real log file handler on the root logger at DEBUG:
app credentials with a client secret, a consent through the real loopback listener (the code
and the refresh token), an MWS Authorization Token, and a value of no known shape held by a
:class:`~core.domain.secret.Secret`; all saved. Then careless log lines quote each value (raw,
in a query string, in JSON, in a traceback), as a careless line of code one day might. Then
every export format (json, csv, html, pdf), a support bundle (every member, unzipped) and every
file of the log folder are searched for every value in every form.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from core.domain.changes import set_mws_records
from core.domain.inventory import AppStatus, utcnow
from core.domain.secret import Secret
from core.domain.secret_refs import new_mws_auth_token_ref
from core.services.exchange import writing
from core.services.exchange.writing import ExportRequest, render
from core.services.report.formats import register_report_formats
from core.services.support_bundle.archive import write_bundle
from core.services.support_bundle.contents import MEMBERS
from core.services.support_bundle.request import BundleRequest
from core.services.workspace import Workspace
from core.storage import log_files
from core.storage.keychain import MemorySecretStore
from gui.report_pdf import write_pdf
from tests.faults.leak_scan import consent
from tests.integration.consent_support import CLIENT_SECRET, simulator_workspace, start_amazon

#: Anything shaped like an access or refresh token (tests/faults/leak_scan.py's net).
TOKEN_SHAPE = re.compile(r"Atz[ar]\|[A-Za-z0-9_-]{16}")


def forms(value: str) -> list[str]:
    """The value as it could leak: as is, URL-encoded (both ways) and base64 (both alphabets)."""
    raw = value.encode("utf-8")
    return [
        value,
        quote(value, safe=""),
        quote_plus(value),
        base64.b64encode(raw).decode("ascii"),
        base64.urlsafe_b64encode(raw).decode("ascii"),
    ]


@pytest.fixture
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The real log file handler on the root logger, at DEBUG, in this test's folder."""
    folder = tmp_path / "log"
    monkeypatch.setenv("SPCONNECT_LOG_DIR", str(folder))
    handler = log_files.file_handler(folder, logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield folder
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)


def stored_flow(data: Path, store: MemorySecretStore) -> tuple[Workspace, set[str]]:
    """A saved inventory holding every kind of secret; the workspace and the values."""
    secrets = {CLIENT_SECRET}
    amazon = start_amazon()
    try:
        ws = simulator_workspace(data, amazon, store)
        granted = consent(ws, secrets, paste=False)  # adds the code and the refresh token
        assert granted is not None
        mws = Secret(f"amzn.mws.{uuid.uuid4()}")
        ref = new_mws_auth_token_ref(ws.namespace, "uk")
        ws.apply(set_mws_records("uk", "A2MERCHANT0TOKEN", mws, AppStatus.ACTIVE, new_ref=ref))
        ws.save()
        secrets.add(mws.reveal())
    finally:
        amazon.sim.stop()
    shapeless = Secret("a-secret-of-no-known-shape-7Q2w9Z")  # held, so redaction knows it
    secrets.add(shapeless.reveal())
    return ws, secrets


def log_carelessly(values: set[str]) -> None:
    """What a careless line of code might log one day (the handler must take every value out)."""
    careless = logging.getLogger("tests.careless")
    for value in sorted(values):
        careless.info("the value is %s", value)
        careless.debug("GET /token?refresh_token=%s&x=1", quote(value, safe=""))
        careless.debug('answer {"client_secret": "%s"}', value)
        try:
            raise ValueError(f"refused {value}")
        except ValueError:
            careless.info("a failure", exc_info=True)


def pdf_text(data: bytes, folder: Path) -> str:
    """The PDF's words (its streams are compressed, so its bytes alone prove little)."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "poppler-utils is needed (tests/reference/toolchain.md)"
    path = folder / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, check=True, timeout=60
    )  # fmt: skip
    return done.stdout.decode("utf-8")


def test_no_known_secret_in_any_export_the_bundle_or_the_log(
    qapp: Any, tmp_path: Path, log_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MemorySecretStore()
    ws, secrets = stored_flow(tmp_path / "data", store)
    try:
        log_carelessly(secrets)
        now = utcnow()
        monkeypatch.setattr(writing, "FORMATS", dict(writing.FORMATS))  # html/pdf: this test's
        register_report_formats(write_pdf)
        request = ExportRequest(ws.current, now, ws.pending_channel_ids(), "test", False, "Acme")
        places: dict[str, str] = {}
        for fmt in ("json", "csv", "html", "pdf"):
            data = render(fmt, request)
            places[f"export.{fmt}"] = data.decode("latin-1")  # every byte, as a character
        places["export.pdf (text)"] = pdf_text(render("pdf", request), tmp_path)
        bundle = write_bundle(BundleRequest(ws, now), tmp_path / "support.zip")
        with zipfile.ZipFile(bundle) as archive:
            assert archive.namelist() == list(MEMBERS)
            for name in archive.namelist():
                places[f"bundle {name}"] = archive.read(name).decode("utf-8")
        logs = sorted(p for p in log_folder.iterdir() if p.is_file())
        assert logs, "the log file was not written"
        for path in logs:
            places[f"log {path.name}"] = path.read_bytes().decode("latin-1")
    finally:
        ws.close()

    # The scan proves something only if the values are where they belong, and were logged.
    assert CLIENT_SECRET in {s.reveal() for s in map(store.get, store.names()) if s}
    assert len(secrets) >= 5  # client secret, code, refresh token, MWS token, a shapeless one
    assert places["bundle log.txt"].count("the value is [redacted]") == len(secrets)
    assert "refresh_token=[redacted]" in places["bundle log.txt"]
    assert "Acme UK" in places["export.pdf (text)"]  # the PDF's words were read
    found = [
        (place, kind)
        for place, text in places.items()
        for value in secrets
        for kind, form in zip(
            ("raw", "url", "url+", "base64", "base64url"), forms(value), strict=True
        )
        if form in text
    ]
    assert found == []
    shaped = [place for place, text in places.items() if TOKEN_SHAPE.search(text)]
    assert shaped == []
