"""The channel form: name, marketplace, Seller ID, and what Seller Central shows for MWS.

The MWS Authorization Token is a secret: the stored value is shown masked, and only after a
question (gui/inventory/mws_token.py); typing a new one replaces it (kept in memory until Save
puts it in the keychain). The app status is recorded with the day it was seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from core.domain import dates, marketplaces
from core.domain.changes import Apply, Change, edit_channel, set_mws_records
from core.domain.errors import FieldError
from core.domain.expiry_changes import FIELD as EXPIRY_FIELD
from core.domain.inventory import Channel, utcnow
from core.domain.secret import Secret
from core.domain.secret_refs import new_mws_auth_token_ref
from core.domain.seller_central import record_app_status
from core.domain.validation import check_channel, check_mws_auth_token, normalize_seller_id
from gui import clipboard
from gui.inventory.app_status import AppStatusField
from gui.inventory.expiry_field import ExpiryField
from gui.inventory.form_base import GENERAL, FormBase, field_box
from gui.inventory.mws_token import MwsTokenField


class ChannelForm(FormBase):
    def __init__(self, apply: Apply, parent: QWidget | None = None) -> None:
        super().__init__(apply, parent)
        self.channel_id: str | None = None
        self._loaded: Channel | None = None
        self.clock: Callable[[], datetime] = utcnow  # the day an app status is recorded

        self.name = QLineEdit()
        self.name.setAccessibleName("Channel name")
        self.name.setToolTip("A name for this channel, for example the company and country.")
        self.marketplace = QComboBox()
        self.marketplace.setAccessibleName("Marketplace")
        self.marketplace.setToolTip("The Amazon marketplace this channel sells in.")
        for market in marketplaces.MARKETPLACES:
            self.marketplace.addItem(f"{market.label}, {market.region.display_name}", market.id)
        self.seller_id = QLineEdit()
        self.seller_id.setAccessibleName("Seller ID")
        self.seller_id.setPlaceholderText("For example A3FHEXAMPLEYWS")
        self.seller_id.setToolTip(
            "The Amazon account this channel belongs to. In Seller Central: Settings > Account "
            "Info > Merchant Token. The consent must come from this account."
        )
        self.status_field = AppStatusField()
        self.app_status = self.status_field.combo
        self.merchant_token = QLineEdit()
        self.merchant_token.setAccessibleName("MWS Merchant Token")
        self.merchant_token.setPlaceholderText("Only for old MWS connections")
        self.merchant_token.setToolTip(
            "The Merchant Token on record for the old MWS connection (the same value as the "
            "Seller ID)."
        )
        self.mws_token = QLineEdit()
        self.mws_token.setAccessibleName("MWS Authorization Token")
        self.mws_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.mws_token.setToolTip(
            "From Seller Central > Manage Your Apps > View. Typing a value here replaces the "
            "stored one."
        )
        self.mws_field = MwsTokenField(self.mws_token)
        self.company_label = QLabel()
        self.authorization = QLabel()
        self.last_check = QLabel()
        for info in (self.company_label, self.authorization, self.last_check):
            info.setWordWrap(True)
            info.setTextFormat(Qt.TextFormat.PlainText)  # names, store names, Amazon's words

        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # fits a narrow panel
        layout.addRow(self.message(GENERAL))
        layout.addRow("Company", self.company_label)
        for caption_text, widget, field in (
            ("&Name", self.name, "name"),
            ("&Marketplace", self.marketplace, "marketplace_id"),
            ("&Seller ID", self.seller_id, "seller_id"),
            ("App &status", self.status_field, "app_status"),
            ("Merchant &Token (MWS)", self.merchant_token, "mws_merchant_token"),
            ("MWS &Authorization Token", self.mws_field, "mws_auth_token"),
        ):
            caption = QLabel(caption_text)
            caption.setBuddy(widget)
            layout.addRow(caption, field_box(widget, self.message(field)))
        layout.addRow("Authorization", self.authorization)
        self.expiry = ExpiryField()  # the end date Seller Central shows, if recorded
        expiry_caption = QLabel("En&ds")
        expiry_caption.setBuddy(self.expiry.confirmed)
        layout.addRow(expiry_caption, field_box(self.expiry, self.message(EXPIRY_FIELD)))
        layout.addRow("Last check", self.last_check)

        for edit in (self.name, self.seller_id, self.merchant_token, self.mws_token):
            edit.textEdited.connect(self._validate)
            edit.editingFinished.connect(self.commit)
        self.marketplace.activated.connect(self.commit)
        self.app_status.activated.connect(self._record_status)
        self.expiry.edited.connect(self._validate)
        self.expiry.commitRequested.connect(self.commit)
        self.set_editing(False)

    # --- loading ----------------------------------------------------------------------

    def show_channel(self, channel_id: str) -> None:
        self.channel_id = channel_id
        self._loaded = None
        self.reload()
        self.show_errors([])

    def _channel(self) -> Channel | None:
        if self.workspace is None or self.channel_id is None:
            return None
        return self.workspace.current.channels.get(self.channel_id)

    def reload(self, now: datetime | None = None) -> None:
        channel = self._channel()
        if channel is None or self.workspace is None:
            return
        before, self._loaded = self._loaded, channel
        inv = self.workspace.current

        def keep(edit: QLineEdit, old: str | None) -> bool:
            return before is not None and edit.text() != (old or "")

        if not keep(self.name, before.name if before else None):
            self.name.setText(channel.name)
        if not keep(self.seller_id, before.seller_id if before else None):
            self.seller_id.setText(channel.seller_id or "")
        if not keep(self.merchant_token, before.mws_merchant_token if before else None):
            self.merchant_token.setText(channel.mws_merchant_token or "")
        if before is None:
            self.mws_token.clear()
        self.mws_token.setPlaceholderText(
            "Type a new one to replace it" if channel.has_mws else "Type it to record it"
        )
        self.mws_field.show_channel(self.workspace, channel)
        self.marketplace.setCurrentIndex(max(self.marketplace.findData(channel.marketplace_id), 0))
        self.status_field.show_status(channel)
        company = inv.companies.get(channel.company_id)
        parent = inv.root_of(company) if company is not None else None
        unified = (
            f" (unified with {parent.name})" if parent is not None and parent is not company else ""
        )
        self.company_label.setText((company.name if company else "?") + unified)
        now = now or utcnow()
        auth = inv.authorization_of(channel)
        if not self.expiry.has_uncommitted() or auth is not self.expiry.auth:
            self.expiry.load(auth)
        if auth is None:
            self.authorization.setText("None yet: reauthorize to connect this channel.")
        else:
            store = f" ({auth.store_name})" if auth.store_name else ""
            self.authorization.setText(
                f"Seller ID {auth.seller_id}{store}, {auth.region.display_name}; granted "
                f"{dates.day(auth.granted_at)}, ends {dates.day(auth.expires_at)}"
                + (" (the date Seller Central shows)." if auth.expiry_confirmed else ".")
            )
        health = channel.health
        if health.checked_at is None:
            self.last_check.setText("Never tested.")
        else:
            result = health.result.value.replace("_", " ") if health.result else "unknown"
            message = f" ({health.message})" if health.message else ""
            since = (
                f" Failing since {dates.day_time(health.failing_since)}."
                if health.failing_since
                else ""
            )
            self.last_check.setText(
                f"{dates.ago(health.checked_at, now)}: {result}{message}.{since}"
            )

    # --- editing ----------------------------------------------------------------------

    def _set_widgets_editable(self, editing: bool) -> None:
        for edit in (self.name, self.seller_id, self.merchant_token, self.mws_token):
            edit.setReadOnly(not editing)
        self.marketplace.setEnabled(editing)
        self.app_status.setEnabled(editing)
        self.mws_field.set_editing(editing)
        self.expiry.set_editable(editing)

    def _fields(self, channel: Channel) -> Channel:
        seller = normalize_seller_id(self.seller_id.text())
        merchant = normalize_seller_id(self.merchant_token.text())
        return replace(
            channel,
            name=self.name.text().strip(),
            marketplace_id=self.marketplace.currentData() or channel.marketplace_id,
            seller_id=seller or None,
            mws_merchant_token=merchant or None,
        )

    def _check(self) -> tuple[Channel | None, list[FieldError]]:
        channel = self._channel()
        if channel is None or self.workspace is None:
            return None, []
        candidate = self._fields(channel)
        errors = check_channel(candidate, self.workspace.current)
        if not candidate.name:
            errors.append(FieldError("name", "Enter a name for the channel."))
        token = self.mws_token.text().strip()
        if token:
            errors += check_mws_auth_token(token)
        errors += self.expiry.errors()
        return candidate, errors

    def _validate(self) -> None:
        _candidate, errors = self._check()
        self.show_errors(errors)
        self.edited.emit()

    def has_uncommitted(self) -> bool:
        channel = self._channel()
        if not self.editing or channel is None:
            return False
        return (
            self._fields(channel) != channel
            or bool(self.mws_token.text().strip())
            or self.expiry.has_uncommitted()
        )

    def commit(self) -> bool:
        if not self.editing:
            return True
        channel = self._channel()
        candidate, errors = self._check()
        if channel is None or candidate is None or self.workspace is None:
            return True
        if any(not e.warning for e in errors):
            self.show_errors(errors)
            return False
        own = replace(
            channel,
            name=candidate.name,
            marketplace_id=candidate.marketplace_id,
            seller_id=candidate.seller_id,
        )
        ok = True
        if own != channel:
            ok = self.apply_change(edit_channel(own), errors)
        if ok:
            ok = self.apply_change(self._mws_change(candidate), errors)
        if ok:
            ok = self.apply_change(self.expiry.change(), errors)
        if ok:
            clipboard.clear_if_holds(self.mws_token.text())  # a secret, pasted from Seller Central
            self.mws_token.clear()
        return ok

    def _record_status(self) -> None:
        channel = self._channel()
        if channel is not None and self.editing and self.commit():
            change = record_app_status(channel.id, self.status_field.picked(), self.clock())
            self.apply_change(change, [])

    def _mws_change(self, candidate: Channel) -> Change | None:
        channel = self._channel()
        assert channel is not None
        assert self.workspace is not None
        token = self.mws_token.text().strip()
        unchanged = (
            candidate.mws_merchant_token == channel.mws_merchant_token
            and candidate.app_status == channel.app_status
        )
        if unchanged and not token:
            return None
        new_ref = new_mws_auth_token_ref(self.workspace.namespace, channel.id) if token else None
        change = set_mws_records(
            channel.id,
            candidate.mws_merchant_token,
            Secret(token) if token else None,
            candidate.app_status,
            new_ref=new_ref,
        )
        return change
