#!/usr/bin/env bash
# Build the one-folder app bundle with PyInstaller: dist/IdeogramStudio/ideogram-studio.
#   bash packaging/build.sh [--dist DIR] [--work DIR]
#     --dist DIR   where IdeogramStudio/ goes (default: <repo>/dist)
#     --work DIR   PyInstaller's work folder (default: <repo>/build/pyinstaller)
# Uses $PYTHON if set, else the repo's .venv (created by scripts/lib.sh's ensure_venv if missing).
# Installs what the build needs into that venv from the hashed lock (packaging/bundle-requirements.txt:
# the dependencies and PyInstaller), then the project itself (its metadata carries the version).
set -euo pipefail
LOG_TAG=bundle
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

DIST="$REPO_ROOT/dist"
WORK="$REPO_ROOT/build/pyinstaller"
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

# PyInstaller reads shared-library dependencies with ldd and objdump (binutils).
if [ "$(uname -s)" = Linux ] && ! command -v objdump >/dev/null 2>&1; then
  log "objdump (binutils) is missing: installing system packages"
  bash "$REPO_ROOT/scripts/system-deps.sh"
fi

if [ -n "${PYTHON:-}" ]; then
  PY="$PYTHON"
else
  [ -x "$VENV/bin/python" ] || ensure_venv app
  PY="$VENV/bin/python"
fi
pip_opts=(--disable-pip-version-check --progress-bar off)

# Every package the bundle is made of comes from the lock, each file checked against its hash
# (packaging/bundle-requirements.txt, written by packaging/lock.sh): a substituted file on the index
# fails here instead of ending up in the bundle. Already-installed pins cost nothing.
log "Installing the locked packages (packaging/bundle-requirements.txt, --require-hashes)"
"$PY" -m pip install "${pip_opts[@]}" --require-hashes -r "$REPO_ROOT/packaging/bundle-requirements.txt"
if ! "$PY" -c 'from importlib.metadata import version; version("ideogram-studio")' >/dev/null 2>&1; then
  log "Installing the project into $("$PY" -c 'import sys; print(sys.prefix)')"
  # --no-deps: its dependencies are the locked ones above.
  "$PY" -m pip install "${pip_opts[@]}" --no-deps -e "$REPO_ROOT"
fi

# The bundle takes the committed package data and desktop icons: they must match their sources.
"$PY" "$REPO_ROOT/scripts/build_resources.py" --check \
  || die "package data or icons are out of date: run python scripts/build_resources.py and commit"

log "PyInstaller $("$PY" -m PyInstaller --version), PySide6 $("$PY" -c 'import PySide6; print(PySide6.__version__)')"
start=$SECONDS
mkdir -p "$DIST" "$WORK"
"$PY" -m PyInstaller --noconfirm --log-level "${PYINSTALLER_LOG_LEVEL:-WARN}" \
  --distpath "$DIST" --workpath "$WORK" "$REPO_ROOT/packaging/ideogram-studio.spec"

BUNDLE="$DIST/IdeogramStudio"
[ -x "$BUNDLE/ideogram-studio" ] || [ -e "$BUNDLE/ideogram-studio.exe" ] || die "no executable in $BUNDLE"
log "Built $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)) in $((SECONDS - start)) s"
