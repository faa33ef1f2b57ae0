"""A second start on the same library hands its files to the running window (a real second
process, over the real local socket); another library folder is another name."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pytestqt.qtbot import QtBot

from ideogram_studio.ui.shell.single_instance import InstanceServer, server_name

ROOT = Path(__file__).resolve().parents[2]

SECOND_START = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from ideogram_studio.ui.shell.single_instance import hand_over
app = QCoreApplication([])
print("HANDED" if hand_over(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]) else "ALONE", flush=True)
"""


def _second_start(library: Path, *files: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(SECOND_START), str(library), *map(str, files)],
                            stdout=subprocess.PIPE, text=True, env=env)


def test_a_second_start_hands_its_files_to_the_running_window(qtbot: QtBot, tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    server = InstanceServer(library)
    assert server.listen()
    try:
        picture = tmp_path / "from the file manager.png"
        with qtbot.waitSignal(server.activated, timeout=15000) as signal:
            second = _second_start(library, picture)
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=15000)
        assert signal.args == [[str(picture)]]
        out, _ = second.communicate(timeout=30)  # (reads the pipe and closes it)
        assert out.strip() == "HANDED"
    finally:
        server.close()


def test_no_running_window_means_the_start_goes_on(tmp_path: Path) -> None:
    second = _second_start(tmp_path / "nobody-here")
    out, _ = second.communicate(timeout=30)  # (reads the pipe and closes it)
    assert second.returncode == 0 and out.strip() == "ALONE"


def test_the_name_is_per_library_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    assert server_name(tmp_path / "a") == server_name(tmp_path / "b" / ".." / "a")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "c")
