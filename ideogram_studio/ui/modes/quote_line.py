"""The cost line's service quote: asked once the form settles, shown only for the form it priced.

The panel shows the local table's figure at once (labelled so) and hands each valid v2 request to
``schedule``; after ``SETTLE_MS`` without another change ``requested`` is emitted (the window passes
it to the controller, which asks the service off the GUI thread through the TaskRunner) and the
answer comes back through ``show``. An answer for a request the form has moved on from is dropped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel

from ...api import v2_pricing
from ...api.pricing import format_cost
from ...api.v2_requests import V2Request

if TYPE_CHECKING:  # (the answers' types come with the first answer: not before the form takes typing)
    from ...api.v2_responses import PriceQuote

#: How long the form must stay unchanged before a quote is asked (a quote per settled change,
#: never per keystroke: the digest leaves open whether quotes count against the in-flight limit).
SETTLE_MS = 600


def usd(amount: Decimal) -> str:
    """Dollars with cents, and the tenths of a cent a price has (Precise Edit very low: $0.008)."""
    return f"${amount:.3f}" if amount != amount.quantize(Decimal("0.01")) else f"${amount:.2f}"


def quote_text(quote: PriceQuote, images: int) -> tuple[str, str]:
    """The cost line and its tooltip for a quote."""
    from ...api.v2_responses import QuoteSource

    noun = "image" if images == 1 else "images"
    if quote.source is QuoteSource.LOCAL_TABLE:
        return (
            f"Estimated cost: ≈ {usd(quote.usd)} ({images} {noun}, local price table)",
            "Ideogram could not be asked for a price (no key or no connection): the studio's price table "
            "of 2026-11-16.",
        )
    if quote.exact:
        return (
            f"Cost: {usd(quote.usd)} for {images} {noun} (Ideogram's quote, exact)",
            "Ideogram's price for exactly this request (a dry run: nothing was made or billed).",
        )
    if quote.upper_bound_usd is not None:
        return (
            f"Cost: up to {usd(quote.upper_bound_usd)} for {images} {noun} (Ideogram's quote, ≈ {usd(quote.usd)})",
            "Ideogram's estimate for this request and the most it can cost (a dry run: nothing was billed).",
        )
    return f"Cost: ≈ {usd(quote.usd)} for {images} {noun} (Ideogram's estimate)", "Ideogram's estimate."


class QuoteLine(QObject):
    """Emits ``requested(V2Request)`` once the form has settled on a request worth pricing."""

    requested = Signal(object)

    def __init__(self, label: QLabel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self._pending: object | None = None
        self._asked: object | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SETTLE_MS)
        self._timer.timeout.connect(self._ask)

    def schedule(self, request: object | None) -> None:
        """The form changed: ask about ``request`` once it settles (None: nothing to price now). The
        panel turns what is emitted into the V2Request to price (``replace_asked``)."""
        self._pending, self._asked = request, None
        if request is None:
            self._timer.stop()
        else:
            self._timer.start()

    def show(self, request: object, quote: PriceQuote | None) -> bool:
        """Show the answer if it is for the form as it stands; False when it was dropped."""
        if request is not self._asked or not isinstance(self._asked, V2Request) or quote is None:
            return False
        text, tip = quote_text(quote, self._asked.image_count())
        self._label.setText(text)
        self._label.setToolTip(tip)
        return True

    def is_asking(self, request: object) -> bool:
        """``request`` is the one asked about last, and the form has not moved on since."""
        return self._asked is request

    def replace_asked(self, asked: object, priced: V2Request) -> None:
        """The panel prices a fuller request than the live one it was handed (Edit: with the mask
        exported): the answer for ``priced`` is then the one shown."""
        if self._asked is asked:
            self._asked = priced

    @Slot()
    def _ask(self) -> None:
        self._asked = self._pending
        if self._asked is not None:
            self.requested.emit(self._asked)


def show_local_v2_cost(label: QLabel, request: V2Request) -> None:
    total, each, n = v2_pricing.estimate(request), v2_pricing.price_per_image(request), request.image_count()
    if total is None or each is None:
        label.setText("Estimated cost: no published price for this setting")
        label.setToolTip("The local price table has no figure for this setting.")
        return
    noun = "image" if n == 1 else "images"
    each_text = format_cost(each).removeprefix("≈ ")
    label.setText(f"Estimated cost: {format_cost(total)} ({n} {noun} × {each_text}, local price table)")
    label.setToolTip("From the studio's price table of 2026-11-16; the service's quote wins.")
