"""The test suite's own rules, checked on its source (see HELPERS.md "Standards"):

- helpers live in helper modules: no test imports a `test_*` module or a `conftest` (pytest loads
  conftests itself; importing one makes a second copy of the module);
- no timing assertions: an `assert` never reads a clock (speed is measured in tests/benchmarks/,
  against a baseline from the same run);
- no fixed waits in UI tests (`qtbot.wait(ms)`, `QTest.qWait(ms)`): wait for the event instead
  (`qtbot.waitUntil`, `qtbot.waitSignal`).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
#: Names whose reading inside an `assert` means the assertion is about time.
CLOCKS = {"perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "time", "time_ns", "elapsed"}
FIXED_WAITS = {("qtbot", "wait"), ("QTest", "qWait")}


def _test_sources() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "benchmarks" not in p.relative_to(TESTS).parts)


def _imported_modules(node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    names = [node.module] if node.module else [alias.name for alias in node.names]
    return [name for name in names if name]


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"


def test_no_test_imports_a_test_module_or_a_conftest() -> None:
    offenders = []
    for path in _test_sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for module in _imported_modules(node):
                last = module.rsplit(".", 1)[-1]
                if last == "conftest" or last.startswith("test_"):
                    offenders.append(f"{_where(path, node)}: imports {module}")
    assert not offenders, "move what these import into a helpers module:\n" + "\n".join(offenders)


def _duration_name(node: ast.AST) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name.endswith(("elapsed", "_time", "_duration", "_seconds"))


def _reads_a_clock(expr: ast.AST) -> bool:
    """A clock read (perf_counter(), monotonic(), time(), `elapsed`) or a duration-like name compared
    with a number (`load_time < 5`) anywhere in the assertion."""
    for node in ast.walk(expr):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name in CLOCKS:
            return True
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            numbers = any(
                isinstance(s, ast.Constant) and isinstance(s.value, int | float) and not isinstance(s.value, bool)
                for s in sides
            )
            if numbers and any(_duration_name(s) for s in sides):
                return True
    return False


def test_no_assertion_reads_a_clock() -> None:
    offenders = [
        f"{_where(path, node)}: {ast.unparse(node)[:100]}"
        for path in _test_sources()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path)))
        if isinstance(node, ast.Assert) and _reads_a_clock(node.test)
    ]
    assert not offenders, "timing assertions belong in tests/benchmarks/:\n" + "\n".join(offenders)


def test_no_fixed_waits_in_tests() -> None:
    offenders = []
    for path in _test_sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in FIXED_WAITS
            ):
                offenders.append(f"{_where(path, node)}: {ast.unparse(node)}")
    assert not offenders, "wait for the event (qtbot.waitUntil / waitSignal), not a fixed time:\n" + "\n".join(
        offenders
    )


def test_the_rules_catch_what_they_forbid(tmp_path: Path) -> None:
    """The three checks above can fail: each finds its fault in a sample."""
    sample = "from .test_other import x\nfrom .conftest import y\nassert time.perf_counter() - t < 1\nqtbot.wait(100)\n"
    tree = ast.parse(sample)
    imports = [m for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for m in _imported_modules(n)]
    assert imports == ["test_other", "conftest"]
    asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
    assert asserts and _reads_a_clock(asserts[0].test)
    assert not _reads_a_clock(ast.parse("assert rows == 3").body[0].test)  # type: ignore[attr-defined]
    assert _reads_a_clock(ast.parse("assert load_time < 5").body[0].test)  # type: ignore[attr-defined]
    assert not _reads_a_clock(ast.parse("assert gate.opened_in_time is True").body[0].test)  # type: ignore[attr-defined]
    calls = [
        (n.func.value.id, n.func.attr)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
    ]
    assert ("qtbot", "wait") in calls
