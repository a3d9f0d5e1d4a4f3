"""The company form: name, unified parent and notes."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from core.domain.changes import Apply, edit_company
from core.domain.errors import FieldError
from core.domain.inventory import Company
from core.domain.validation import check_company
from gui.inventory.form_base import GENERAL, FocusOut, FormBase, field_box

NO_PARENT = "None: an independent company"


class CompanyForm(FormBase):
    def __init__(self, apply: Apply, parent: QWidget | None = None) -> None:
        super().__init__(apply, parent)
        self.company_id: str | None = None
        self._parent_ids: list[str | None] = [None]
        self._loaded = Company("", "")

        self.name = QLineEdit()
        self.name.setAccessibleName("Company name")
        self.name.setToolTip("The company's name as you want to see it in SP Connect.")
        self.parent_box = QComboBox()
        self.parent_box.setAccessibleName("Unified parent")
        self.parent_box.setToolTip(
            "A unified child's Amazon connections are authorized through its parent company: "
            "reauthorize the parent, never the child on its own."
        )
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setToolTip("Anything worth remembering about this company.")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12)

        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # fits a narrow panel
        layout.addRow(self.message(GENERAL))
        for label, widget, field in (
            ("&Name", self.name, "name"),
            ("Unified &parent", self.parent_box, "parent_id"),
            ("N&otes", self.notes, "notes"),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            layout.addRow(caption, field_box(widget, self.message(field)))

        self.name.textEdited.connect(self._validate)
        self.name.editingFinished.connect(self.commit)
        self.parent_box.activated.connect(self.commit)
        self.notes.textChanged.connect(self._notes_edited)
        FocusOut(self.notes, self._commit_notes)
        self.set_editing(False)

    # --- loading ----------------------------------------------------------------------

    def show_company(self, company_id: str) -> None:
        self.company_id = company_id
        self.reload(force=True)

    def _company(self) -> Company | None:
        if self.workspace is None or self.company_id is None:
            return None
        return self.workspace.current.companies.get(self.company_id)

    def reload(self, force: bool = False) -> None:
        """Show the company as the workspace has it, keeping fields being edited."""
        company = self._company()
        if company is None:
            return
        before = self._loaded
        self._loaded = company
        if force or self.name.text() == before.name:
            self.name.setText(company.name)
        if force or self.notes.toPlainText() == before.notes:
            self.notes.blockSignals(True)
            self.notes.setPlainText(company.notes)
            self.notes.blockSignals(False)
        self._fill_parents(company)
        if force:
            self.show_errors([])

    def _fill_parents(self, company: Company) -> None:
        inv = self.workspace.current if self.workspace else None
        options: list[tuple[str, str | None]] = [(NO_PARENT, None)]
        if inv is not None and self.editing:
            # Only independent companies can be parents (one level of unified children).
            candidates = sorted(
                (c for c in inv.companies.values() if c.parent_id is None and c.id != company.id),
                key=lambda c: c.name.casefold(),
            )
            options += [(c.name, c.id) for c in candidates]
        elif inv is not None and company.parent_id in inv.companies:
            options.append((inv.companies[company.parent_id].name, company.parent_id))
        self._parent_ids = [pid for _name, pid in options]
        self.parent_box.blockSignals(True)
        self.parent_box.clear()
        self.parent_box.addItems([name for name, _pid in options])
        if company.parent_id in self._parent_ids:
            self.parent_box.setCurrentIndex(self._parent_ids.index(company.parent_id))
        self.parent_box.blockSignals(False)

    # --- editing ----------------------------------------------------------------------

    def _set_widgets_editable(self, editing: bool) -> None:
        self.name.setReadOnly(not editing)
        self.notes.setReadOnly(not editing)
        self.parent_box.setEnabled(editing)
        company = self._company()
        if company is not None:
            self._fill_parents(company)

    def _candidate(self, company: Company) -> Company:
        index = self.parent_box.currentIndex()
        parent_id = self._parent_ids[index] if 0 <= index < len(self._parent_ids) else None
        return replace(
            company,
            name=self.name.text().strip(),
            parent_id=parent_id,
            notes=self.notes.toPlainText(),
        )

    def _check(self) -> tuple[Company | None, list[FieldError]]:
        company = self._company()
        if company is None or self.workspace is None:
            return None, []
        candidate = self._candidate(company)
        return candidate, check_company(candidate, self.workspace.current)

    def _validate(self) -> None:
        _candidate, errors = self._check()
        self.show_errors(errors)
        self.edited.emit()

    def _commit_notes(self) -> None:
        self.commit()

    def _notes_edited(self) -> None:
        if self.editing:
            self.edited.emit()

    def has_uncommitted(self) -> bool:
        company = self._company()
        return self.editing and company is not None and self._candidate(company) != company

    def commit(self) -> bool:
        if not self.editing:
            return True
        company = self._company()
        candidate, errors = self._check()
        if candidate is None or company is None:
            return True
        change = edit_company(candidate) if candidate != company else None
        return self.apply_change(change, errors)
