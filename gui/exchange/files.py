"""The file choosers of Export and Import (plain functions, so tests stand in for the person)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

#: Save-dialog filter per format; a format another module registers gets a plain one.
_FILTERS = {"json": "SP Connect export (*.json)", "csv": "Spreadsheet, CSV (*.csv)"}


def ask_export_file(parent: QWidget | None, formats: list[str]) -> tuple[Path, str] | None:
    """Where to export and as what, or ``None`` when the person cancels."""
    filters = [_FILTERS.get(f, f"{f.upper()} (*.{f})") for f in formats]
    path, chosen = QFileDialog.getSaveFileName(
        parent, "Export the inventory", "inventory.json", ";;".join(filters)
    )
    if not path:
        return None
    fmt = formats[filters.index(chosen)] if chosen in filters else "json"
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in formats:
        fmt = suffix  # the name typed wins over the filter left selected
    return Path(path), fmt


def ask_import_file(parent: QWidget | None) -> Path | None:
    """Which file to import, or ``None`` when the person cancels."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Import companies and channels", "", "CSV or SP Connect export (*.csv *.json)"
    )
    return Path(path) if path else None
