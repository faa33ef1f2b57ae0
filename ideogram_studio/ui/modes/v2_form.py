"""What a mode panel with a v2 model does with its V2Request: the problems to show at the fields
(the local table's figure on the cost line, while the service's quote is on its way: quote_line.py)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from ...api.errors import RequestValidationError
from ...api.v2_requests import V2Request
from .mode_panel import ModePanel, Problem


class PanelServices(Protocol):
    """What a panel with a v2 model asks of the controller (the window hands it over)."""

    #: (request, PriceQuote | None) for quote(); (the asker's id, the structured prompt or None) for
    #: expand_prompt(): each panel takes the answers to its own id.
    quote_ready: Any
    prompt_expanded: Any

    def quote(self, request: V2Request) -> None: ...

    def expand_prompt(self, text: str, asker: str = "", aspect_ratio: str | None = None) -> None: ...


@runtime_checkable
class ServicePanel(Protocol):
    def connect_services(self, services: PanelServices) -> None: ...


def v2_problems(panel: ModePanel, request: V2Request, build_problems: dict[str, str]) -> list[Problem]:
    """Fields the form could not carry over (build_problems), a missing source or prompt (quiet
    until a send is tried), then the first rule the request breaks."""
    problems = [Problem(f, text) for f, text in build_problems.items()]
    missing = [n for n in request.spec.required if n != "prompt" and request.spec.fields[n].is_file
               and not request.uploads.get(n)]  # fmt: skip
    problems += [Problem(n, panel._missing_text(n), True) for n in missing[:1]]
    structured = "json_prompt" in request.values or "json_prompt" in build_problems
    if request.spec.has("prompt") and not structured and not panel.prompt_text().strip():
        problems.append(Problem("prompt", panel._missing_text("prompt"), True))
    if missing or any(p.missing for p in problems):
        return problems
    try:
        request.validate()
    except RequestValidationError as exc:
        # A structured prompt that breaks the schema is named at its box; the request then carries
        # neither it nor the sentence (never both), which is not the sentence's fault.
        if not (exc.field == "prompt" and "json_prompt" in build_problems):
            problems.append(Problem(exc.field, panel._describe(exc)))
    return problems


__all__ = ["PanelServices", "ServicePanel", "v2_problems"]
