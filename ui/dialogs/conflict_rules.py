"""The conflict rules the user can see and set: one choice per field type.

Whatever the rule, the value that loses a conflict is kept in the Conflicts
page; the rule only picks which value the record shows meanwhile.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.conflict_policy import CONFIGURABLE_KINDS, ConflictPolicy, DeleteRule, FieldRule


class ConflictRulesDialog(QDialog):
    def __init__(self, policy: ConflictPolicy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictRulesDialog")
        self.setWindowTitle(self.tr("Conflict rules"))
        kind_labels = {
            "text": self.tr("Short text"), "long_text": self.tr("Long text (notes)"),
            "email": self.tr("Email"), "phone": self.tr("Phone"), "url": self.tr("Web address"),
            "ref": self.tr("Links (account, owner)"), "bool": self.tr("Yes / no"),
            "int": self.tr("Whole numbers"), "decimal": self.tr("Amounts"), "date": self.tr("Dates"),
            "choice": self.tr("Choices"),
        }
        field_rules = [
            (FieldRule.LATEST, self.tr("The later edit wins")),
            (FieldRule.THEIRS, self.tr("The server's value wins")),
            (FieldRule.MINE, self.tr("My value wins")),
        ]
        intro = QLabel(self.tr(
            "When the same field was changed here and elsewhere before a sync, this decides which "
            "value the record keeps. The other value always waits in Conflicts, where you can "
            "bring it back. Tags never conflict: additions and removals from both sides are kept."
        ), self)
        intro.setWordWrap(True)
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for kind in CONFIGURABLE_KINDS:
            combo = QComboBox(self)
            combo.setObjectName(f"rule_{kind.value}")
            for rule, text in field_rules:
                combo.addItem(text, rule.value)
            combo.setCurrentIndex(combo.findData(policy.rule_for(kind).value))
            self.combos[kind.value] = combo
            form.addRow(kind_labels.get(kind.value, kind.value) + ":", combo)
        self.delete_combo = QComboBox(self)
        self.delete_combo.setObjectName("rule_delete")
        self.delete_combo.addItem(self.tr("The edit brings the record back"), DeleteRule.EDIT_WINS.value)
        self.delete_combo.addItem(self.tr("The delete stands"), DeleteRule.DELETE_WINS.value)
        self.delete_combo.setCurrentIndex(self.delete_combo.findData(policy.delete.value))
        form.addRow(self.tr("Edited on one side, deleted on the other:"), self.delete_combo)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def policy(self) -> ConflictPolicy:
        by_kind = {kind: FieldRule(str(combo.currentData())) for kind, combo in self.combos.items()}
        return ConflictPolicy(by_kind, DeleteRule(str(self.delete_combo.currentData())))
