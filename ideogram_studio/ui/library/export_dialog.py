"""The library's Export dialog: where to, and how to name the files (a naming template such as
`{batch}-{row}-{seed}`, or from the prompt as before), with the first name shown before anything
is written. Names are made safe by batch/plan.py's export_name; a name already in the folder gets
-2, -3… (the gallery never replaces a file)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...batch.plan import EXPORT_FIELDS, export_name, template_problem
from ...gallery import ImageRow, Namer, export_fields, slugify
from ..common import theme
from ..common.untrusted import isolate

#: The templates offered (any other can be written); the empty one names files from the prompt.
TEMPLATES = ("", "{batch}-{row}-{seed}", "{date}-{prompt:20}-{n}", "{date}-{time}-{n}", "{prompt:40}-{seed}")
FROM_PROMPT = "From the prompt (as before)"


def namer_for(template: str) -> Namer | None:
    """The gallery's namer for a template (None: names from the prompt)."""
    return functools.partial(export_name, template) if template.strip() else None


class ExportDialog(QDialog):
    """Non-modal (open()); `fileSelected(folder)` when the designer presses Export, as a folder
    dialog would say it; `template()` is the naming template then chosen ("" for the prompt)."""

    #: Named as QFileDialog names it, so callers read alike.
    fileSelected = Signal(str)

    def __init__(
        self, count: int, sample: ImageRow | None, *, pixels_only: bool, folder: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export-dialog")
        how = ", pixels only" if pixels_only else ""
        self.setWindowTitle(f"Export {count:,} image{'s' * (count != 1)}{how}")
        self._count = count
        self._sample = sample
        self.setMinimumWidth(600)  # the fields' hint and a mistake's sentence on two lines at most
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.template_combo = QComboBox(self)
        self.template_combo.setObjectName("export-template")
        self.template_combo.setEditable(True)
        self.template_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.template_combo.addItems(TEMPLATES)
        line = self.template_combo.lineEdit()
        assert line is not None
        line.setPlaceholderText(FROM_PROMPT)
        self.template_combo.setItemText(0, "")
        self.template_combo.setToolTip("Fields: " + "; ".join(f"{{{k}}} {v}" for k, v in EXPORT_FIELDS.items()))
        self.template_combo.currentTextChanged.connect(self._update)
        form.addRow("File names", self.template_combo)
        names = ["{" + name + "}" for name in EXPORT_FIELDS]
        half = (len(names) + 1) // 2
        hint = f"Fields: {' '.join(names[:half])}\n{' '.join(names[half:])} · {{prompt:20}}: its first 20 characters"
        self.fields_hint = QLabel(hint, self)
        theme.mute(self.fields_hint)
        form.addRow("", self.fields_hint)
        self.preview = QLabel(self)
        self.preview.setObjectName("export-preview")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        # Room for a mistake's sentence (three lines) from the start: the dialog never jumps or clips it.
        self.preview.setMinimumHeight(3 * self.preview.fontMetrics().lineSpacing() + 4)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.addRow("First file", self.preview)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit(folder, self)
        self.folder_edit.setObjectName("export-folder")
        self.folder_edit.setPlaceholderText("Choose a folder…")
        self.folder_edit.textChanged.connect(self._update)
        folder_row.addWidget(self.folder_edit, 1)
        choose = QPushButton("Choose…", self)
        choose.clicked.connect(self._choose_folder)
        folder_row.addWidget(choose)
        form.addRow("Folder", folder_row)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._folder_dialog: QFileDialog | None = None
        self._update()

    def template(self) -> str:
        return self.template_combo.currentText().strip()

    def set_template(self, template: str) -> None:
        self.template_combo.setEditText(template)

    def problem(self) -> str | None:
        template = self.template()
        if template and (problem := template_problem(template)):
            return problem
        if not self.folder_edit.text().strip():
            return "Choose the folder to export to."
        return None

    def accept(self) -> None:
        if self.problem() is not None:
            return
        super().accept()
        self.fileSelected.emit(self.folder_edit.text().strip())

    def _update(self, *_: Any) -> None:
        template = self.template()
        problem = template_problem(template) if template else None
        if problem:
            self.preview.setText(problem)
            theme.set_text_color(self.preview, "error")
        else:
            self.preview.setText(isolate(self._first_name(template)))
            theme.set_text_color(self.preview, "muted")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.problem() is None)
        ok.setToolTip(self.problem() or "")

    def _first_name(self, template: str) -> str:
        sample = self._sample
        if sample is None:
            return "—"
        ext = Path(sample.path).suffix.lower() or ".png"
        if not template:
            return (slugify(sample.prompt or sample.prompt_used) or "image") + ext
        # The row's own fields; the batch's row number is read from the file's metadata at export.
        return export_name(template, export_fields(sample, {}, 1, self._count), ext)

    def _choose_folder(self) -> None:
        dialog = QFileDialog(self, "Export to a folder", self.folder_edit.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.folder_edit.setText)
        dialog.open()
        self._folder_dialog = dialog
