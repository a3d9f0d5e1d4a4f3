"""App credentials: the SP-API application sellers authorize, and where to reach Amazon.

Each field is checked as it is typed (:mod:`core.domain.validation`, :mod:`core.domain.endpoints`);
messages appear under the field. The client secret is never shown: the field is masked and
starts empty, and leaving it empty keeps the stored one. OK turns the form into one pending
change (:func:`core.domain.changes.set_app_credentials`, a new secret under a fresh keychain entry
name); only Save in the main window writes it to the keychain and the inventory.

Open it with :func:`open_app_credentials`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.domain import dates
from core.domain.app_rules import renewal_text
from core.domain.changes import Apply, set_app_credentials
from core.domain.endpoints import (
    PROFILE_TITLES,
    check_app_redirect_uri,
    check_endpoint_url,
    check_profile_switch,
)
from core.domain.errors import FieldError, ValidationError
from core.domain.inventory import AppCredentials, utcnow
from core.domain.marketplaces import EndpointProfile
from core.domain.secret import Secret
from core.domain.secret_refs import new_client_secret_ref
from core.domain.validation import check_application_id, check_lwa_client_id
from core.services.workspace import Workspace
from gui import clipboard
from gui.inventory.form_base import GENERAL, FieldMessage, field_box
from gui.text import make_plain

#: The date shown as "Not recorded" (QDateEdit cannot be empty).
NO_DATE = QDate(2000, 1, 1)


class AppCredentialsDialog(QDialog):
    def __init__(
        self,
        workspace: Workspace,
        *,
        apply: Apply | None = None,
        clock: Callable[[], datetime] = utcnow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._apply = apply or workspace.try_apply
        self._clock = clock
        self.loaded: AppCredentials = workspace.current.app
        self._messages: dict[str, FieldMessage] = {}
        self.setWindowTitle("App credentials — SP Connect")
        self.setAccessibleName("App credentials")
        self.setMinimumWidth(560)
        self._build()
        self._load(self.loaded)
        self._validate()

    # --- building -----------------------------------------------------------------------

    def _line(self, name: str, tip: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setToolTip(tip)
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(self._validate)
        return edit

    def _build(self) -> None:
        self.intro = QLabel(
            "The SP-API app your sellers authorize, from Amazon's Developer Central. Changes "
            "stay pending until you click Save in the main window."
        )
        self.intro.setWordWrap(True)
        self.application_id = self._line(
            "Application ID",
            "Developer Central > your app: the App ID, starting with amzn1.sp.solution. or "
            "amzn1.sellerapps.app. (not the LWA client ID).",
            "amzn1.sp.solution.…",
        )
        self.client_id = self._line(
            "LWA client ID",
            "Developer Central > View (LWA credentials): the client identifier, starting with "
            "amzn1.application-oa2-client.",
            "amzn1.application-oa2-client.…",
        )
        self.client_secret = self._line(
            "LWA client secret",
            "Developer Central > View (LWA credentials): the client secret. It is hidden, never "
            "shown again, and kept in the keychain once you Save. Leave empty to keep the "
            "stored one.",
        )
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret.textEdited.connect(self._secret_typed)
        self.secret_note = QLabel()
        self.secret_note.setWordWrap(True)
        self.issued = QDateEdit()
        self.issued.setAccessibleName("Client secret created on")
        self.issued.setToolTip(
            "The day the client secret was created in Developer Central. Amazon requires a new "
            "one every 180 days."
        )
        self.issued.setCalendarPopup(True)
        self.issued.setDisplayFormat("d MMM yyyy")
        self.issued.setMinimumDate(NO_DATE)
        self.issued.setSpecialValueText("Not recorded")
        self.issued.dateChanged.connect(self._validate)
        self.renewal = QLabel()
        self.renewal.setWordWrap(True)
        self.renewal.setAccessibleName("Client secret renewal")
        make_plain(self.secret_note, self.renewal)
        self.redirect_uri = self._line(
            "Redirect URI",
            "The OAuth Redirect URI registered for the app: the HTTPS page that hands Amazon's "
            "answer back to SP Connect. Leave empty to use the app's first registered one.",
            "https://…",
        )
        self.draft = QCheckBox("My app is still a &draft (adds version=beta)")
        self.draft.setAccessibleName("My app is still a draft")
        self.draft.setToolTip(
            "Tick this while the app is not yet published: Amazon then needs version=beta in the "
            "consent link (otherwise it shows error MD1000)."
        )
        self.profile = QComboBox()
        self.profile.setAccessibleName("Endpoints")
        self.profile.setToolTip(
            "Where SP Connect reaches Amazon: the real Amazon, Amazon's sandbox (test data), or "
            "SP Connect's simulator for the demo and training."
        )
        for profile, title in PROFILE_TITLES.items():
            self.profile.addItem(title, profile.value)
        self.profile.activated.connect(self._profile_changed)
        self.endpoint_url = self._line(
            "Simulator address",
            "Only for the simulator: the address it prints when it starts, for example "
            "http://127.0.0.1:8765.",
            "http://127.0.0.1:…",
        )
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        general = self._message(GENERAL)
        for caption, widget, field in (
            ("&Application ID", self.application_id, "application_id"),
            ("LWA &client ID", self.client_id, "lwa_client_id"),
            ("Client &secret", self.client_secret, "client_secret"),
            ("Secret created &on", self.issued, "secret_issued_at"),
            ("&Redirect URI", self.redirect_uri, "redirect_uri"),
            ("&Endpoints", self.profile, "endpoint_profile"),
            ("Simulator add&ress", self.endpoint_url, "endpoint_url"),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            box = field_box(widget, self._message(field))
            extra = {"client_secret": self.secret_note, "secret_issued_at": self.renewal}
            box_layout = box.layout()
            if field in extra and box_layout is not None:
                box_layout.addWidget(extra[field])
            form.addRow(label, box)
        form.addRow("", self.draft)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.ok_button
        ok.setToolTip(
            "Keep these settings as a pending change; Save in the main window stores them."
        )
        ok.setAccessibleName("OK")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setToolTip("Close without changing anything (Escape).")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(general)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        if self.workspace.read_only:
            for widget in (self.application_id, self.client_id, self.client_secret,
                           self.redirect_uri, self.endpoint_url):  # fmt: skip
                widget.setReadOnly(True)
            for each in (self.issued, self.draft, self.profile):
                each.setEnabled(False)
            ok.setEnabled(False)
            general.show_message([FieldError(GENERAL, self.workspace.read_only_reason or "")])

    @property
    def ok_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _message(self, field: str) -> FieldMessage:
        return self._messages.setdefault(field, FieldMessage(self))

    def _load(self, app: AppCredentials) -> None:
        self.application_id.setText(app.application_id)
        self.client_id.setText(app.lwa_client_id)
        self.client_secret.clear()
        stored = app.client_secret_ref is not None
        self.client_secret.setPlaceholderText("Stored (hidden)" if stored else "Not stored yet")
        self.secret_note.setText(
            "Leave empty to keep the stored one; it is never shown."
            if stored
            else "Paste it from Developer Central. It is kept in the keychain once you Save."
        )
        issued = app.secret_issued_at
        self.issued.setDate(self._qdate(dates.local_day(issued)) if issued else NO_DATE)
        self.redirect_uri.setText(app.redirect_uri)
        self.draft.setChecked(app.draft)
        self.profile.setCurrentIndex(max(self.profile.findData(app.endpoint_profile.value), 0))
        self.endpoint_url.setText(app.endpoint_url)
        self._profile_changed()

    @staticmethod
    def _qdate(value: date) -> QDate:
        return QDate(value.year, value.month, value.day)

    # --- checking -----------------------------------------------------------------------

    def _profile(self) -> EndpointProfile:
        return EndpointProfile(self.profile.currentData() or EndpointProfile.AMAZON.value)

    def _profile_changed(self) -> None:
        self.endpoint_url.setEnabled(self._profile() is EndpointProfile.SIMULATOR)
        self._validate()

    def _issued(self) -> date | None:
        value = self.issued.date()
        if value == NO_DATE:
            return None
        return date(value.year(), value.month(), value.day())

    def _secret_typed(self, text: str) -> None:
        if text.strip() and self._issued() == self._loaded_issued():
            # A new secret was just created in Developer Central: today is the best guess.
            self.issued.setDate(self._qdate(dates.local_day(self._clock())))

    def _loaded_issued(self) -> date | None:
        issued = self.loaded.secret_issued_at
        return dates.local_day(issued) if issued else None

    def errors(self) -> list[FieldError]:
        """Every problem with the fields as they are (warnings included)."""
        errors: list[FieldError] = []
        app_id = self.application_id.text().strip()
        if app_id:
            errors += check_application_id(app_id)
        client_id = self.client_id.text().strip()
        if client_id:
            errors += check_lwa_client_id(client_id)
        secret = self.client_secret.text().strip()
        if secret and secret.startswith("amzn1.application-oa2-client."):
            errors.append(
                FieldError("client_secret", "This is the LWA client ID, not the client secret.")
            )
        profile = self._profile()
        errors += check_app_redirect_uri(self.redirect_uri.text(), profile)
        errors += check_endpoint_url(profile, self.endpoint_url.text())
        # The same rule the change applies, said under the fields before OK.
        grants = any(a.refresh_token_ref for a in self.workspace.current.authorizations.values())
        errors += check_profile_switch(
            self.loaded, self.candidate(), new_secret=bool(secret), stored_grants=grants
        )
        return errors

    def _validate(self) -> list[FieldError]:
        errors = self.errors()
        by_field: dict[str, list[FieldError]] = {name: [] for name in self._messages}
        for error in errors:
            by_field.setdefault(error.field if error.field in by_field else GENERAL, []).append(
                error
            )
        shown_before = sum(1 for m in self._messages.values() if not m.isHidden())
        for name, found in by_field.items():
            self._messages[name].show_message(found)
        # The app as OK would keep it: the banner counts the days from the same date.
        self.renewal.setText(renewal_text(self.candidate(), self._clock()))
        shown = sum(1 for m in self._messages.values() if not m.isHidden())
        if shown > shown_before and self.isVisible():
            self._grow()
        return errors

    def _grow(self) -> None:
        """Make room for new messages (a wrapped label does not grow its window by itself)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        width = self.width()
        needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else 0
        needed = max(needed, layout.totalMinimumSize().height())
        if needed > self.height():
            self.resize(width, needed)

    def messages(self) -> dict[str, str]:
        """The messages shown, by field (for tests)."""
        return {k: m.text() for k, m in self._messages.items() if not m.isHidden()}

    # --- OK -----------------------------------------------------------------------------

    def candidate(self) -> AppCredentials:
        """The app credentials as the fields say (the client secret aside)."""
        profile = self._profile()
        issued = self._issued()
        issued_at = self.loaded.secret_issued_at
        if issued != self._loaded_issued():
            issued_at = None if issued is None else dates.start_of_local_day(issued)
        return replace(
            self.loaded,
            application_id=self.application_id.text().strip(),
            lwa_client_id=self.client_id.text().strip(),
            redirect_uri=self.redirect_uri.text().strip(),
            draft=self.draft.isChecked(),
            secret_issued_at=issued_at,
            endpoint_profile=profile,
            endpoint_url=self.endpoint_url.text().strip()
            if profile is EndpointProfile.SIMULATOR
            else "",
        )

    def _ok(self) -> None:
        errors = self._validate()
        if any(not e.warning for e in errors):
            first = next(e for e in errors if not e.warning)
            widget = {
                "application_id": self.application_id,
                "lwa_client_id": self.client_id,
                "client_secret": self.client_secret,
                "redirect_uri": self.redirect_uri,
                "endpoint_url": self.endpoint_url,
            }.get(first.field)
            if widget is not None:
                widget.setFocus()
            return
        app = self.candidate()
        text = self.client_secret.text().strip()
        secret = Secret(text) if text else None
        if app == self.loaded and secret is None:
            self.accept()  # nothing changed: nothing pending
            return
        ref = new_client_secret_ref(self.workspace.namespace) if secret is not None else None
        change = set_app_credentials(app, secret, new_ref=ref)
        refusal = self._apply(change)
        if refusal is not None:
            shown = refusal.errors if isinstance(refusal, ValidationError) else ()
            self._message(GENERAL).show_message(list(shown) or [FieldError(GENERAL, str(refusal))])
            return
        self.accept()

    def done(self, result: int) -> None:
        clipboard.clear_if_holds(self.client_secret.text())  # pasted from Developer Central
        self.client_secret.clear()  # the typed secret lives on only in the pending change
        super().done(result)


def open_app_credentials(
    parent: QWidget | None, workspace: Workspace, *, apply: Apply | None = None
) -> AppCredentialsDialog:
    """Open the App credentials dialog (window-modal, without blocking); returns it."""
    dialog = AppCredentialsDialog(workspace, apply=apply, parent=parent)
    dialog.open()
    return dialog
