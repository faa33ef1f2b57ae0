"""Removing the API key from text a server sent, before it is stored, shown or printed.

A server (or a proxy in front of it) may echo the request's headers back in an error message or
in a JSON answer. The client knows its key, so it cleans every such text at the door: error
messages, their `detail`, and the raw answer kept in the journal.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
#: Shorter "keys" are placeholders (the sandbox's is "sandbox"), not secrets: replacing every
#: occurrence of such a word would break links and prompts. Real keys are far longer.
MIN_SECRET_LENGTH = 12
#: "Api-Key: …", "api_key=…", '"Api-Key": "…"' — whatever key follows, even one we do not know.
_HEADER = re.compile(r"(?i)(api[-_ ]?key['\"]?\s*[:=]\s*['\"]?)([^'\"\s,;}&]+)")


def redact_text(text: str, key: str | None) -> str:
    if key and len(key) >= MIN_SECRET_LENGTH:
        text = text.replace(key, REDACTED)
    return _HEADER.sub(lambda m: m[1] + REDACTED, text)


def redact_json(value: Any, key: str | None) -> Any:
    """A copy of a JSON value with the key removed from every string (keys of objects too)."""
    if isinstance(value, str):
        return redact_text(value, key)
    if isinstance(value, list):
        return [redact_json(v, key) for v in value]
    if isinstance(value, dict):
        return {redact_text(str(k), key): redact_json(v, key) for k, v in value.items()}
    return value
