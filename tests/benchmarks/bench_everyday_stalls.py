"""GUI-stall probe around everyday steps no other benchmark drives (run on demand, not a test).

    python tests/benchmarks/bench_everyday_stalls.py
    python tests/benchmarks/bench_everyday_stalls.py --only results theme --runs 3
    PYTHONPATH=../before python tests/benchmarks/bench_everyday_stalls.py   # another checkout's studio

The same 5 ms heartbeat as bench_gui_stalls.py (a gap over 50 ms between two ticks is a stall a
designer feels), around what a designer does many times a day once the studio is open and made
ahead: a result generated on the sandbox until it is in the viewer; switching the theme (every
widget restyled); opening Settings, the batch dialog and the prompt library; the library page
shown with Ctrl+L and left again; the palette picker and (Ideogram 4.x) the layout editor opened.
Each step ends when its result is on screen (the loop has turned twice after it), and the same time
idle is measured after each group as the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # last: another checkout named by PYTHONPATH is measured instead (a before)
    sys.path.append(str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))  # (its heartbeat and steps: bench_gui_stalls)

from bench_gui_stalls import (  # noqa: E402
    Heartbeat,
    Step,
    idle_baseline,
    open_studio,
    report,
    shut_down,
    studio_loop,
    until,
)

GROUPS = ("results", "theme", "dialogs", "library", "pickers")


async def results(heart: Heartbeat, window: object, runs: int) -> list[Step]:
    """Generate on the sandbox, until the new result is the one in the viewer."""
    from ideogram_studio.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.set_mode("generate")
    panel = window.generate_panel
    steps = []
    for i in range(runs):
        before = window.shown_image_hash()
        panel.set_prompt(f"A lighthouse on a cliff at dusk, study {i + 1}")
        step = Step(heart, f"generate → in the viewer ({i + 1})")
        steps.append(await step.run(panel.submit, lambda b=before: window.shown_image_hash() not in (None, b)))
    return steps


async def theme_steps(heart: Heartbeat, window: object, runs: int) -> list[Step]:
    """Each switch, then every other page's first show after it (a hidden page is restyled then:
    the work a switch leaves for later is measured here too)."""
    from ideogram_studio.ui.modes import registry
    from ideogram_studio.ui.shell.main_window import MainWindow
    from ideogram_studio.ui.shell.theme_switch import choose_theme

    assert isinstance(window, MainWindow)
    window.set_mode("generate")
    others = [m.id for m in registry.MODES if m.id != "generate"] + ["generate"]
    steps = []
    cpu: list[float] = []
    for i in range(runs):
        for which in ("dark", "light"):
            done: list[bool] = []

            def switch(w: str = which, d: list[bool] = done) -> None:
                t0 = time.thread_time()
                choose_theme(w)  # type: ignore[arg-type]
                cpu.append(time.thread_time() - t0)
                d.append(True)

            step = Step(heart, f"theme → {which} ({i + 1})")
            steps.append(await step.run(switch, lambda d=done: bool(d)))
            for mode_id in others:  # (each page's first show in the new theme)
                step = Step(heart, f"  then {mode_id}")
                steps.append(await step.run(lambda m=mode_id: window.set_mode(m),
                                            lambda m=mode_id: window.current_mode() == m))  # fmt: skip
            for shown in (True, False):
                step = Step(heart, f"  then the library {'shown' if shown else 'left'}")
                steps.append(await step.run(lambda s=shown: window.library_action.setChecked(s),
                                            lambda s=shown: window.library.page.isVisible() == s))  # fmt: skip
    print(f"the switch itself (apply_theme), GUI-thread CPU: {', '.join(f'{c * 1000:.0f}' for c in cpu)} ms "
          "(the repaint after it is in the steps' times)")  # fmt: skip
    return steps


async def dialogs(heart: Heartbeat, window: object, runs: int) -> list[Step]:
    steps = []
    for i in range(runs):
        steps += await _dialogs_once(heart, window, i + 1)
    return steps


async def _dialogs_once(heart: Heartbeat, window: object, n: int) -> list[Step]:
    from ideogram_studio.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    made: dict[str, QWidget] = {}
    prompt = window.generate_panel.prompt_edit
    assert prompt is not None

    def shown(key: str) -> bool:
        widget = made.get(key)
        return widget is not None and widget.isVisible()

    def prompt_library() -> None:
        window._show_prompt_library(prompt)
        made["prompts"] = window._prompt_library_link().popup()

    cpu: dict[str, float] = {}

    def timed(name: str, act: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:  # (the dialog is made and shown in this call: its GUI-thread CPU time)
            t0 = time.thread_time()
            act()
            cpu[name] = (time.thread_time() - t0) * 1000

        return run

    settings = timed("Settings", lambda: made.update(settings=window.show_settings()))
    batch = timed("batch", lambda: made.update(batch=window.open_batch()))
    steps = [await Step(heart, f"Settings ({n})").run(settings, lambda: shown("settings"))]
    made["settings"].close()
    steps.append(await Step(heart, f"batch dialog ({n})").run(batch, lambda: shown("batch")))
    made["batch"].close()
    prompts = timed("prompts", prompt_library)
    steps.append(await Step(heart, f"prompt library ({n})").run(prompts, lambda: shown("prompts")))
    made["prompts"].close()
    print(f"round {n}, made and shown, GUI-thread CPU: " + ", ".join(f"{k} {v:.0f} ms" for k, v in cpu.items()))
    return steps


async def library(heart: Heartbeat, window: object, runs: int) -> list[Step]:
    from ideogram_studio.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    steps = []
    for i in range(runs):
        step = Step(heart, f"Ctrl+L: library shown ({i + 1})")
        steps.append(await step.run(lambda: window.library_action.setChecked(True),
                                    lambda: window.library.page.isVisible()))  # fmt: skip
        step = Step(heart, f"Ctrl+L: back to the studio ({i + 1})")
        steps.append(await step.run(lambda: window.library_action.setChecked(False),
                                    lambda: not window.library.page.isVisible()))  # fmt: skip
    return steps


async def pickers(heart: Heartbeat, window: object, runs: int) -> list[Step]:
    """Generate's palette picker opened (and closed), then a 4.x model's Layout: its editor shown in the
    centre and back to the results."""
    from ideogram_studio.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.set_mode("generate")
    panel = window.generate_panel
    steps = []
    for i in range(runs):
        step = Step(heart, f"palette picker opened ({i + 1})")
        steps.append(await step.run(panel.open_palette_picker, lambda: panel.palette_picker().isVisible()))
        panel.palette_picker().window().close()
    models = [panel.model_row.model_combo.itemData(i) for i in range(panel.model_row.model_combo.count())]
    structured = next((m for m in models if str(m).startswith("ideogram-4")), None)
    if structured is None:
        print("no Ideogram 4.x model in Generate's list: the layout editor is not measured")
        return steps
    panel.set_model(structured)
    box = panel.structured.box
    for i in range(runs):
        step = Step(heart, f"layout editor shown ({i + 1})")
        steps.append(await step.run(box.layout_requested.emit, lambda: panel.layout_editor().isVisible()))
        window.show_canvas(False)
        await until(lambda: not panel.layout_editor().isVisible())
    return steps


async def run(args: argparse.Namespace, tmp: Path) -> int:
    from ideogram_studio import app as studio_app
    from ideogram_studio.settings import Settings
    from ideogram_studio.ui.shell.idle_build import IdleBuilder

    settings = Settings(data_dir=str(tmp / "library"))
    window, controller, services = await open_studio(settings, tmp, tuple(args.window))
    heart = Heartbeat()
    await asyncio.ensure_future(studio_app._after_start(window, controller))
    builder = window.findChild(IdleBuilder)
    if builder is not None:  # everything made ahead first: the studio as it is after a moment's pause
        await until(lambda: not builder.pending())
    import ideogram_studio

    print(f"studio open and made ahead; window {args.window[0]}×{args.window[1]}; "
          f"the studio from {Path(ideogram_studio.__file__).parent.parent}")  # fmt: skip
    stalls = 0
    try:
        runs = args.runs
        groups = {
            "results": ("A result generated on the sandbox, until in the viewer", lambda: results(heart, window, runs)),
            "theme": ("Switching the theme (View ▸ Theme)", lambda: theme_steps(heart, window, runs)),
            "dialogs": ("Opening Settings, the batch dialog, the prompt library", lambda: dialogs(heart, window, runs)),
            "library": ("The library page, Ctrl+L and back", lambda: library(heart, window, runs)),
            "pickers": ("The palette picker, the layout editor", lambda: pickers(heart, window, runs)),
        }  # fmt: skip
        for name in args.only:
            title, make = groups[name]
            profile = cProfile.Profile() if args.profile else None
            if profile is not None:
                profile.enable()
            steps = await make()
            if profile is not None:
                profile.disable()
                print(f"\n-- where the GUI thread's time went: {title} --")
                pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
            idle = await idle_baseline(heart, sum(s.seconds for s in steps))
            stalls += report(title, steps, idle)
    finally:
        await shut_down(window, controller, services)
    return stalls


def _with_bytecode() -> None:
    """Run again with .pyc files cached in a private folder, as an installed studio has them: with
    PYTHONDONTWRITEBYTECODE=1 (this environment's setting) every first use of a dialog would also
    compile its modules, which no designer's installed copy does."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("BENCH_BYTECODE_AS_IS"):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "bench-everyday-pycache"))
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


def main() -> None:
    _with_bytecode()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=GROUPS, default=list(GROUPS))
    ap.add_argument("--runs", type=int, default=2, help="times each step is done")
    ap.add_argument("--window", type=int, nargs=2, default=(1600, 1000), help="the window's size")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="profile each group (figures then include the profiler's cost): top N functions")
    ap.add_argument("--why", action="store_true", help="name where every thread was during stalls")
    args = ap.parse_args()
    Heartbeat.why = args.why
    _app, loop, tmp = studio_loop("bench-everyday-")
    t0 = time.perf_counter()
    with loop:
        stalls = loop.run_until_complete(run(args, tmp))
    print(f"\n{stalls} stalls > 50 ms in all ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
