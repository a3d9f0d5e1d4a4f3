"""The database schema and its migrations.

``PRAGMA user_version`` holds the schema version. Each migration takes the database from
version ``n - 1`` to ``n`` inside the caller's transaction; never edit a released migration,
add a new one. Times are ISO 8601 text in UTC (``datetime.isoformat``): readable in any SQLite
tool, and the fastest form to parse back. Foreign keys are deferred so one Save can write rows
in any order and still be checked as a whole at commit.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE companies (
        id        TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        parent_id TEXT REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
        notes     TEXT NOT NULL DEFAULT ''
    ) STRICT;

    CREATE TABLE authorizations (
        id                TEXT PRIMARY KEY,
        seller_id         TEXT NOT NULL,
        region            TEXT NOT NULL CHECK (region IN ('NA', 'EU', 'FE')),
        granted_at        TEXT NOT NULL,
        expires_at        TEXT NOT NULL,
        source            TEXT NOT NULL,
        refresh_token_ref TEXT,
        marketplace_ids   TEXT NOT NULL DEFAULT '',
        expiry_confirmed  INTEGER NOT NULL DEFAULT 0,
        store_name        TEXT NOT NULL DEFAULT '',
        previous_id       TEXT REFERENCES authorizations(id) DEFERRABLE INITIALLY DEFERRED
    ) STRICT;

    CREATE TABLE channels (
        id                 TEXT PRIMARY KEY,
        company_id         TEXT NOT NULL
                           REFERENCES companies(id) DEFERRABLE INITIALLY DEFERRED,
        marketplace_id     TEXT NOT NULL,
        name               TEXT NOT NULL DEFAULT '',
        seller_id          TEXT,
        authorization_id   TEXT REFERENCES authorizations(id) DEFERRABLE INITIALLY DEFERRED,
        mws_merchant_token TEXT,
        mws_auth_token_ref TEXT,
        app_status         TEXT NOT NULL DEFAULT 'unknown',
        checked_at         TEXT,
        check_result       TEXT,
        failing_since      TEXT,
        check_message      TEXT NOT NULL DEFAULT '',
        UNIQUE (company_id, marketplace_id)
    ) STRICT;
    CREATE INDEX channels_by_authorization ON channels(authorization_id);

    CREATE TABLE app_credentials (
        id                INTEGER PRIMARY KEY CHECK (id = 1),
        application_id    TEXT NOT NULL DEFAULT '',
        lwa_client_id     TEXT NOT NULL DEFAULT '',
        client_secret_ref TEXT,
        redirect_uri      TEXT NOT NULL DEFAULT '',
        draft             INTEGER NOT NULL DEFAULT 0,
        secret_issued_at  TEXT,
        endpoint_profile  TEXT NOT NULL DEFAULT 'amazon',
        endpoint_url      TEXT NOT NULL DEFAULT ''
    ) STRICT;

    -- Keychain entries that may exist without a row pointing at them: written before a commit
    -- ('intended') or no longer referenced after one ('superseded'). The next start removes
    -- those no row references (see core.storage.store).
    CREATE TABLE secret_journal (
        name  TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('intended', 'superseded'))
    ) STRICT;
    """,
    # The day the person looked at the app's status in Seller Central (Manage Your Apps).
    """
    ALTER TABLE channels ADD COLUMN app_status_checked_at TEXT;
    """,
    # the history of saved changes and test results (core.domain.history, core.storage.history)
    """
    CREATE TABLE history (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        kind        TEXT NOT NULL,
        description TEXT NOT NULL
    ) STRICT;

    -- Whom each entry is about. No foreign keys to the inventory: a removed channel keeps its
    -- history, and entry ids are only ever read back through this table.
    CREATE TABLE history_subjects (
        subject    TEXT NOT NULL CHECK (subject IN ('company', 'channel', 'authorization')),
        subject_id TEXT NOT NULL,
        entry_id   INTEGER NOT NULL REFERENCES history(id),
        PRIMARY KEY (subject, subject_id, entry_id)
    ) STRICT, WITHOUT ROWID;
    """,
    # The 36-hour window: the last check that worked, and the after-reconnection checklist
    # (core.domain.recovery). A checklist's ticks are space-separated item keys.
    """
    ALTER TABLE channels ADD COLUMN last_ok_at TEXT;
    ALTER TABLE channels ADD COLUMN recovery_gap_start TEXT;
    ALTER TABLE channels ADD COLUMN recovery_gap_end TEXT;
    ALTER TABLE channels ADD COLUMN recovery_ticked TEXT NOT NULL DEFAULT '';
    ALTER TABLE channels ADD COLUMN recovery_dismissed INTEGER NOT NULL DEFAULT 0;
    UPDATE channels SET last_ok_at = checked_at WHERE check_result = 'ok';
    """,
    # Support staff's progress through the reauthorization plan (core.services.plan_view): one
    # row per consent (seller and region), written at once like health. ``generation`` is the
    # newest saved grant of that seller and region when the row was written, so a later
    # consent ends it; ``item`` is the item as it was shown (JSON, no secrets), to list it as
    # done once its channels are healthy and it has left the plan.
    """
    CREATE TABLE plan_progress (
        item_key   TEXT PRIMARY KEY,
        generation TEXT NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('to_do', 'link_sent', 'done', 'failed')),
        changed_at TEXT NOT NULL,
        reason     TEXT NOT NULL DEFAULT '',
        item       TEXT NOT NULL DEFAULT '{}'
    ) STRICT;
    """,
)

LATEST = len(MIGRATIONS)

#: Every column that holds a keychain entry name, as (table, column).
SECRET_REF_COLUMNS: tuple[tuple[str, str], ...] = (
    ("authorizations", "refresh_token_ref"),
    ("channels", "mws_auth_token_ref"),
    ("app_credentials", "client_secret_ref"),
)
