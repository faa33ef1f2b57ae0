"""Batch run: every combination of a prompt's variables, or every row of a sheet, planned and
priced before anything is sent. The designer sees how many requests and images, the total and
what is left of the day's budget, every problem by row and column, and confirms.

The dialog only plans (batch/ does the work); sending the plan is the controller's
(`batch_confirmed`). A sheet is read on a worker thread: a 1,000-row .xlsx never freezes the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...api.limits import MAX_SEED
from ...api.v2_requests import V2Request
from ...batch.plan import AnyRequest, BatchPlan, SeedMode, SeedPolicy, batch_name, from_sheet, from_template
from ...batch.pricing import PlanQuote
from ...batch.sheet import SheetError, SheetPlan, read_sheet
from ...batch.variables import TemplateError, parse_template

Pricer = Callable[[AnyRequest], Decimal | None]
#: How long the plan must stay unchanged before its total is asked of the service.
QUOTE_SETTLE_MS = 600
SHEET_V1_ONLY = "Sheets make Ideogram 3.0 requests: choose Ideogram 3.0 in Generate to run one."
SHEET_FILTER = "Sheets (*.csv *.tsv *.xlsx);;All files (*)"
#: Where the named lists are kept between batches (a designer's "brand colours" are typed once).
LISTS_KEY = "batch/lists"
_SEED_CHOICES = (
    (SeedMode.KEEP, "As each request says (random when none)"),
    (SeedMode.RANDOM, "A new random seed for each (written down)"),
    (SeedMode.INCREMENTING, "Incrementing from"),
    (SeedMode.FIXED, "The same seed for all"),
)


class BatchDialog(QDialog):
    #: The plan to send, after the designer confirmed it.
    batch_confirmed = Signal(object)
    #: A settled plan to price from the service's quotes (show_quote answers).
    quote_requested = Signal(object)
    _sheet_read = Signal(object, object)  # (path, SheetPlan | Exception)

    def __init__(
        self,
        base: AnyRequest,
        price: Pricer,
        budget_left: Decimal | None = None,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle("Batch run")
        self._base = base
        self._price = price
        self._budget_left = budget_left
        self._sheet: SheetPlan | None = None
        self._sheet_path: Path | None = None
        self._plan: BatchPlan | None = None
        self._problems: list[str] = []
        self._quote: PlanQuote | None = None
        self._quote_timer = QTimer(self)
        self._quote_timer.setSingleShot(True)
        self._quote_timer.setInterval(QUOTE_SETTLE_MS)
        self._quote_timer.timeout.connect(self._ask_quote)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-sheet")
        self._sheet_read.connect(self._on_sheet_read)
        self._setup_ui()
        self._replan()

    # ---- building --------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)

        variables = QWidget(self)
        form = QVBoxLayout(variables)
        form.addWidget(QLabel("Prompt — {red|blue} tries each choice, {name} takes a list below:", variables))
        self.template_edit = QPlainTextEdit(_prompt_of(self._base), variables)
        self.template_edit.setPlaceholderText("a {red|teal|coral} {mug|poster} with a lighthouse")
        self.template_edit.setMaximumHeight(90)
        form.addWidget(self.template_edit)
        form.addWidget(QLabel("Lists, one per line — name: first, second, third (kept for the next batch)", variables))
        self.lists_edit = QPlainTextEdit(variables)
        self.lists_edit.setPlaceholderText("colour: red, teal, coral")
        self.lists_edit.setMaximumHeight(80)
        kept = settings.value(LISTS_KEY) if (settings := self._settings) is not None else None
        if isinstance(kept, str):
            self.lists_edit.setPlainText(kept)  # the lists of the last batch sent, kept for the next
        form.addWidget(self.lists_edit)
        self.tabs.addTab(variables, "Prompt variables")

        sheet = QWidget(self)
        sheet_form = QVBoxLayout(sheet)
        row = QHBoxLayout()
        self.sheet_button = QPushButton("Choose a sheet…", sheet)
        self.sheet_button.clicked.connect(self._choose_sheet)
        row.addWidget(self.sheet_button)
        self.sheet_label = QLabel("CSV, TSV or Excel: a 'prompt' column and any request fields.", sheet)
        self.sheet_label.setTextFormat(Qt.TextFormat.PlainText)
        self.sheet_label.setWordWrap(True)
        row.addWidget(self.sheet_label, 1)
        sheet_form.addLayout(row)
        self.tabs.addTab(sheet, "Sheet")

        options = QFormLayout()
        self.name_edit = QLineEdit(batch_name(dt.date.today().isoformat(), _prompt_of(self._base)), self)
        options.addRow("Batch name", self.name_edit)
        seeds = QHBoxLayout()
        self.seed_combo = QComboBox(self)
        for mode, text in _SEED_CHOICES:
            self.seed_combo.addItem(text, mode)
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setRange(0, MAX_SEED)
        seeds.addWidget(self.seed_combo, 1)
        seeds.addWidget(self.seed_spin)
        options.addRow("Seeds", seeds)
        self.repeat_spin = QSpinBox(self)
        self.repeat_spin.setRange(1, 20)
        self.repeat_spin.setSuffix("× each")
        options.addRow("Repeat", self.repeat_spin)
        layout.addLayout(options)

        self.problems = QListWidget(self)
        self.problems.setMaximumHeight(110)
        self.problems.hide()
        layout.addWidget(self.problems)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.send_button = self.buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._confirm)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        for signal in (self.template_edit.textChanged, self.lists_edit.textChanged, self.name_edit.textChanged):
            signal.connect(self._replan)
        self.seed_combo.currentIndexChanged.connect(self._replan)
        self.seed_spin.valueChanged.connect(self._replan)
        self.repeat_spin.valueChanged.connect(self._replan)
        self.tabs.currentChanged.connect(self._replan)

    # ---- planning --------------------------------------------------------------------------
    def plan(self) -> BatchPlan | None:
        return self._plan

    def lists(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for line in self.lists_edit.toPlainText().splitlines():
            name, sep, values = line.partition(":")
            if sep and name.strip():
                out[name.strip()] = [v.strip() for v in values.split(",") if v.strip()]
        return out

    def _seed_policy(self) -> SeedPolicy:
        mode = SeedMode(self.seed_combo.currentData())
        self.seed_spin.setEnabled(mode in (SeedMode.FIXED, SeedMode.INCREMENTING))
        return SeedPolicy(mode, self.seed_spin.value())

    def show_quote(self, plan: object, quote: object) -> None:
        """The controller's answer to quote_requested; dropped when the plan has changed since."""
        if plan is self._plan and isinstance(quote, PlanQuote):
            self._quote = quote
            self._show(self._problems)

    def quote(self) -> PlanQuote | None:
        return self._quote

    @Slot()
    def _ask_quote(self) -> None:
        if self._plan is not None and self._plan.items:
            self.quote_requested.emit(self._plan)

    @Slot()
    def _replan(self) -> None:
        self._plan = None
        self._quote = None
        problems: list[str] = []
        name = " ".join(self.name_edit.text().split()) or "Batch"
        seeds, repeat = self._seed_policy(), self.repeat_spin.value()
        if self.tabs.currentIndex() == 0:
            try:
                template = parse_template(self.template_edit.toPlainText(), self.lists())
                expansions = template.expand()
                self._plan = from_template(name, self._base, expansions, seeds=seeds, repeat=repeat)
            except TemplateError as exc:
                problems.append(f"Prompt: {exc}")
        elif self._sheet is not None:
            problems += [str(p) for p in self._sheet.problems]
            if self._sheet.rows:
                self._plan = from_sheet(name, self._sheet, seeds=seeds, repeat=repeat)
        self._problems = problems
        self._show(problems)
        self._quote_timer.start()

    def _show(self, problems: list[str]) -> None:
        self.problems.clear()
        self.problems.addItems(problems[:200])
        self.problems.setVisible(bool(problems))
        plan = self._plan
        if plan is None or not plan.items:
            self.summary.setText("Nothing to send yet." if not problems else "Fix the problems above to send.")
            self.send_button.setEnabled(False)
            self.send_button.setText("Send")
            return
        total, unknown = plan.total_cost(self._price)
        quote = self._quote
        text = f"{_count(plan.request_count, 'request')} · {_count(plan.image_count, 'image')} · "
        if quote is not None:
            text += quote.text()
            total = quote.upper
        else:
            text += f"≈ ${total:.2f} (local price table; asking Ideogram…)"
            if unknown:
                text += f" (+{unknown} without a published price)"
        if self._budget_left is not None:
            text += f" · budget left today ≈ ${self._budget_left:.2f}"
            if total > self._budget_left:
                text += " — over the budget: the requests past it will be refused"
        if problems:
            text += f". {_count(len(problems), 'problem')} left out (their rows are not sent)."
        self.summary.setText(text)
        self.send_button.setEnabled(True)
        self.send_button.setText(f"Send {plan.request_count} request{'s' if plan.request_count != 1 else ''}")

    # ---- sheets ----------------------------------------------------------------------------
    def _choose_sheet(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a sheet of requests", "", SHEET_FILTER)
        if path:
            self.load_sheet(Path(path))

    def load_sheet(self, path: Path) -> None:
        if isinstance(self._base, V2Request):
            self.sheet_label.setText(SHEET_V1_ONLY)
            return
        self.sheet_label.setText(f"Reading {path.name}…")
        self.send_button.setEnabled(False)
        future = self._pool.submit(read_sheet, path, type(self._base))

        def done(f: Future[SheetPlan]) -> None:
            exc = f.exception()
            self._sheet_read.emit(path, exc if exc is not None else f.result())

        future.add_done_callback(done)

    @Slot(object, object)
    def _on_sheet_read(self, path: Path, result: object) -> None:
        if isinstance(result, SheetError):
            self._sheet, self._sheet_path = None, None
            self.sheet_label.setText(str(result))
        elif isinstance(result, SheetPlan):
            self._sheet, self._sheet_path = result, path
            rows, problems = _count(len(result.rows), "valid row"), _count(len(result.problems), "problem")
            self.sheet_label.setText(f"{path.name}: {rows}, {problems}")
        else:
            self.sheet_label.setText(f"{path.name} could not be read ({type(result).__name__}).")
        self._replan()

    # ---- closing ---------------------------------------------------------------------------
    def _confirm(self) -> None:
        if self._plan is not None and self._plan.items:
            if self._settings is not None:
                self._settings.setValue(LISTS_KEY, self.lists_edit.toPlainText())
            self.batch_confirmed.emit(self._plan)
            self.accept()

    def done(self, result: int) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        super().done(result)


def _prompt_of(request: AnyRequest) -> str:
    value = request.values.get("prompt") if isinstance(request, V2Request) else getattr(request, "prompt", "")
    return value if isinstance(value, str) else ""


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' * (n != 1)}"
