"""Review mode's service: an export opened read-only shows what the exporter saw, asks no one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.domain.errors import ReadOnlyError, SecretStoreError, UserFacingError
from core.domain.samples import demo_inventory
from core.services.exchange.export_json import VERSION
from core.services.review import READ_ONLY, open_review, review_source
from tests.core.exchange_support import RecordingStore, export_text, saved_workspace
from tests.core.factories import NOW


@pytest.fixture
def exported(tmp_path: Path) -> tuple[str, Path]:
    workspace = saved_workspace(tmp_path / "data", demo_inventory, NOW)
    try:
        text = export_text(workspace.current, NOW)
    finally:
        workspace.close()
    path = tmp_path / "acme export.json"
    path.write_text(text, encoding="utf-8")
    return text, path


def test_review_shows_exactly_what_the_exporter_saw(exported: tuple[str, Path]) -> None:
    text, path = exported
    store = RecordingStore()
    review = open_review(path, secrets=store)
    try:
        # Exporting the review again at the same moment gives the same file: every badge,
        # health, has_* flag and the plan are the exporter's, not "needs reauthorization".
        assert export_text(review.current, NOW) == text
        badges = {c["badge"] for c in json.loads(text)["channels"]}
        assert len(badges) > 1
        assert store.calls == []
    finally:
        review.close()


def test_review_is_read_only_with_no_store(exported: tuple[str, Path]) -> None:
    _, path = exported
    review = open_review(path)
    try:
        assert review.read_only
        assert review.read_only_reason == READ_ONLY
        assert review.store is None
        assert review.data_dir is None
        assert review.secrets_problem is not None
        with pytest.raises(ReadOnlyError):
            review.save()
        with pytest.raises(ReadOnlyError):
            review.undo()
        with pytest.raises(SecretStoreError):  # the store refuses, should anyone ask
            review.secrets.get("x")
        source = review_source(review)
        assert source is not None
        banner = source.banner()
        assert "acme export.json" in banner
        assert READ_ONLY in banner
        assert source.label
        assert source.label in banner
        assert "2026" in banner  # the export's local day (factories.NOW)
    finally:
        review.close()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not json at all", "not valid JSON"),
        (b'{"format": "something-else", "version": 1}', "not an SP Connect export"),
        (json.dumps({"format": "spconnect-inventory", "version": VERSION + 1}).encode(), "newer"),
        (
            json.dumps(
                {"format": "spconnect-inventory", "version": 1, "companies": [{"id": 3}]}
            ).encode(),
            "companies[0]",
        ),
    ],
)
def test_a_bad_file_is_refused_with_its_name_and_next_step(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(UserFacingError) as caught:
        open_review(path)
    assert "broken.json" in caught.value.message
    assert words in caught.value.message
    assert "export" in caught.value.next_step


def test_a_csv_file_is_not_a_review(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("company,marketplace\nAcme,US\n", encoding="utf-8")
    with pytest.raises(UserFacingError, match="not an SP Connect JSON export"):
        open_review(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="could not be read"):
        open_review(tmp_path / "gone.json")
