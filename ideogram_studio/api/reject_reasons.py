"""The `reject_reason` of a 402 or 429 answer, in words a designer can act on."""

from __future__ import annotations

from typing import Any

SENTENCES = {
    "insufficient_funds": "The Ideogram account has run out of credit. Add credit on ideogram.ai, then run it again.",
    "subscription_required": "This needs an Ideogram API subscription; the account has none that covers it.",
    "daily_limit": "The account has reached its daily limit. It resets tomorrow, or raise the limit on ideogram.ai.",
    "priority_credit_required": "This speed or model needs priority credit, and the account has none left.",
    "inflight_limit": "Too many requests are running on the account at once; nothing was billed.",
    "feature_limit": "The account's plan does not include this model or option.",
}


def sentence(body: Any, status: int) -> str:
    """A plain sentence for a 402/429 body; falls back to the service's own words."""
    if isinstance(body, dict):
        reason = body.get("reject_reason")
        if isinstance(reason, str) and reason.lower() in SENTENCES:
            text = SENTENCES[reason.lower()]
            limit = body.get("max_inflight_requests")
            if reason.lower() == "inflight_limit" and isinstance(limit, int):
                text = text.replace("at once;", f"at once (the limit is {limit});")
            return text
        error = body.get("error")
        if isinstance(error, str) and error:
            return f"Ideogram refused it: {error[:300]}"
    if status == 402:
        return "Ideogram says the account cannot pay for this (not enough credit, or a plan limit)."
    return "Too many requests are running on the account at once; nothing was billed."
