"""PySide6's import hook, made cheap for the studio's start-up.

PySide6 replaces Python's `__import__` to support `from __feature__ import snake_case`: after every
import of a module it has not seen, it asks whether that module uses PySide by reading its source
through `inspect.getsource` (linecache, the tokenizer's encoding check, a copy of every line). On
the way to the first panel the studio imports ~100 modules after PySide: that check cost ~11 ms of
the GUI thread's time before the prompt took typing.

`cheapen_feature_check()` gives PySide the same answer (does the module's source name "PySide6"?)
by reading the file's bytes: nothing else changes, `__feature__` included (the studio uses none).
If a PySide6 release no longer has that check, nothing is done.
"""

from __future__ import annotations

import sys
from types import ModuleType

#: Where PySide6 (6.4 to 6.11 at least) keeps the check (`_mod_uses_pyside`), once PySide6 is imported.
FEATURE_MODULE = "shibokensupport.feature"


def uses_pyside(module: ModuleType) -> bool:
    """Whether `module`'s source file names PySide6: PySide's own answer (it searches the text of
    `inspect.getsource(module)`; a module without a source file, built in or compiled, does not)."""
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None)
    if not isinstance(origin, str) or not origin.endswith(".py"):
        return False
    try:
        with open(origin, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


def cheapen_feature_check() -> bool:
    """Make PySide's per-module check read bytes instead of `inspect.getsource` (call it once
    PySide6 is imported). True if it was there to replace."""
    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
