"""Private by default: what the studio writes about the designer is readable by the designer alone.

The library (every prompt in its index, the job journal), the logs and crash reports, the settings
and the window state are created 0700 (folders) / 0600 (files). Two means, each enough alone:

* the process umask is 077 from the first line of `main` (app and CLI), so files made by SQLite,
  Qt or logging are private too;
* the studio's own writers pass explicit modes (gallery files, settings), so the library stays
  private when the gallery is used from a script with another umask.

Files the designer asks for outside those folders (exports, the CLI's --out) get the modes the
designer's own umask gives (`user_file_mode`): they are meant to be shared.

Folders and files made by an older version are tightened at start-up (`tighten`), with a note in
the log. Only what the studio owns: never a parent such as ~/.local/state.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: The umask the process had before `use_private_umask` (for files meant to be shared).
_user_umask: int | None = None


def use_private_umask() -> None:
    """Make everything this process creates private; remembers the designer's umask. Idempotent."""
    global _user_umask
    previous = os.umask(PRIVATE_UMASK)
    if _user_umask is None:
        _user_umask = previous


def user_file_mode() -> int:
    """The mode a file the designer exports should have (0644 under the usual umask 022)."""
    if _user_umask is None:
        current = os.umask(0)
        os.umask(current)
        return 0o666 & ~current
    return 0o666 & ~_user_umask


def make_private_dir(path: Path) -> None:
    """mkdir -p, every folder it creates 0700 (whatever the umask)."""
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR_MODE)
            os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask; set it exactly


def _loose(mode: int) -> bool:
    return bool(mode & 0o077)


def tighten(paths: Iterable[Path]) -> list[Path]:
    """Remove group/other access from these folders and files. A folder that was open is walked
    and everything in it tightened too; a folder already private is not (nobody else can reach
    inside it, and a large library need not be walked at every start). Symbolic links are neither
    followed nor changed. Returns what was changed; logs a note."""
    if os.name == "nt":  # POSIX modes mean little there; ACLs are the profile's
        return []
    changed: list[Path] = []
    uid = os.getuid()

    def fix(path: Path, st: os.stat_result) -> None:
        if st.st_uid == uid and _loose(st.st_mode):
            with contextlib.suppress(OSError):
                os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077)  # lstat said: not a link
                changed.append(path)

    for top in paths:
        try:
            st = os.lstat(top)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            continue
        was_open = _loose(st.st_mode)
        fix(top, st)
        if not (was_open and stat.S_ISDIR(st.st_mode)):
            continue
        for folder, dirs, files in os.walk(top):
            for name in (*dirs, *files):
                path = Path(folder, name)
                with contextlib.suppress(OSError):
                    entry = os.lstat(path)
                    if not stat.S_ISLNK(entry.st_mode):
                        fix(path, entry)
    if changed:
        log.warning(
            "privacy: %d file(s) and folder(s) were readable by other users of this computer and are now "
            "private (first: %s)",
            len(changed),
            changed[0],
        )
    return changed
