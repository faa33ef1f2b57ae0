"""Untrusted text (prompts, file names, tags, collection names, server messages) is only text.

A prompt comes from an imported file, a tag from someone else's library, an error from a server:
none of them may format the window. Qt guesses: a QLabel or a tooltip whose text looks like HTML
renders it (a link, 40 px red letters, an image loaded from a local path), and a right-to-left
override in a caption reverses what follows it. So every such text goes through here:

* `isolate`: wrapped in Unicode isolates (FSI…PDI), its own isolate marks balanced first, so
  its direction cannot leak into the text around it;
* `clip` / `one_line`: long values cut (a 1 MB prompt in a word-wrapped label stalls the window);
* `plain_label`: the label set to Qt.PlainText, whatever its text looks like;
* `tooltip`: escaped HTML (tooltips have no plain mode: escaping is how Qt shows text literally);
* `menu_text`: ampersands doubled (a menu reads "&x" as a shortcut).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

FSI, PDI = "\u2068", "\u2069"
#: A label shows at most this much of one value (the rest is a click on "Copy" away).
LABEL_CHARS = 2_000
TOOLTIP_CHARS = 1_000
LINE_CHARS = 200


def isolate(text: str) -> str:
    return FSI + _balanced(text) + PDI


def _balanced(text: str) -> str:
    """`text` with its isolates balanced: a stray PDI would close ours early, an unclosed
    initiator would swallow what follows; isolates nested by us (a caption) are kept."""
    if not any(0x2066 <= ord(c) <= 0x2069 for c in text):
        return text
    out: list[str] = []
    depth = 0
    for c in text:
        if c in "\u2066\u2067\u2068":
            depth += 1
        elif c == PDI:
            if not depth:
                continue
            depth -= 1
        out.append(c)
    return "".join(out) + PDI * depth


def unwrap(text: str) -> str:
    """The text an `isolate` wrapped (the marks are invisible: tests and accessibility read this)."""
    return text[1:-1] if len(text) >= 2 and text[0] == FSI and text[-1] == PDI else text


def clip(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def one_line(text: str, limit: int = LINE_CHARS) -> str:
    """For a single line (a caption, a menu entry): whitespace runs, newlines too, become one space."""
    return clip(" ".join(text[: limit * 4].split()), limit)


def shown(text: str, limit: int = LABEL_CHARS) -> str:
    """Clipped and isolated: what a label shows of an untrusted value."""
    return isolate(clip(text, limit))


def plain_label(label: QLabel, text: str = "", *, limit: int = LABEL_CHARS) -> QLabel:
    """Set `label` to show `text` literally (never as HTML), clipped and isolated."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(shown(text, limit) if text else "")
    return label


def tooltip(text: str, limit: int = TOOLTIP_CHARS) -> str:
    """A tooltip that shows `text` as it is: escaped rich text (never guessed), clipped, isolated."""
    if not text:
        return ""
    body = html.escape(isolate(clip(text, limit))).replace("\n", "<br>")
    return f"<qt>{body}</qt>"


def menu_text(text: str, limit: int = 80) -> str:
    return isolate(one_line(text, limit)).replace("&", "&&")
