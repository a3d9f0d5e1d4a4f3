"""Exchanging an inventory with the world: export JSON/CSV, read and import CSV/JSON.

The JSON format is ours (``spconnect-inventory``), versioned, and the one review mode and the
support bundle read; the CSV is for spreadsheets. Neither ever holds a secret value nor a
keychain entry name: only whether a secret is on record (``has_refresh_token``...).

* :mod:`.export_json` ``export_json(inventory, now, ...) -> dict``;
* :mod:`.export_csv` the same channels as spreadsheet rows;
* :mod:`.writing` ``write_export(workspace, fmt, out, ...)`` and the format dispatch;
* :mod:`.reading` ``read_inventory_file(path) -> ParsedImport`` with per-row problems;
* :mod:`.importing` ``import_changes(parsed, current) -> ImportPlan`` (one pending Change);
* :mod:`.commands` ``main.py export`` and ``main.py import``.
"""
