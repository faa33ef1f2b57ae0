#!/usr/bin/env bash
# Build the one-folder app bundle with PyInstaller: dist/IdeogramStudio/ideogram-studio.
#   bash packaging/build.sh [--dist DIR] [--work DIR]
#     --dist DIR   where IdeogramStudio/ goes (default: <repo>/dist)
#     --work DIR   PyInstaller's work folder (default: <repo>/build/pyinstaller)
# Uses $PYTHON if set, else the repo's .venv (created by scripts/lib.sh's ensure_venv if missing).
# Installs what the build needs into that venv when it is missing: the project itself (its
# metadata carries the version) and the `bundle` extra (PyInstaller) from pyproject.toml.
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

if ! "$PY" -c 'from importlib.metadata import version; version("ideogram-studio")' >/dev/null 2>&1; then
  log "Installing the project into $("$PY" -c 'import sys; print(sys.prefix)')"
  "$PY" -m pip install "${pip_opts[@]}" -e "$REPO_ROOT"
fi
if ! "$PY" -c 'import PyInstaller' >/dev/null 2>&1; then
  # The requirement comes from pyproject.toml's `bundle` extra: one place to change it.
  mapfile -t reqs < <("$PY" - "$REPO_ROOT/pyproject.toml" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["optional-dependencies"]["bundle"]))
PY
)
  log "Installing ${reqs[*]}"
  "$PY" -m pip install "${pip_opts[@]}" "${reqs[@]}"
fi

log "PyInstaller $("$PY" -m PyInstaller --version), PySide6 $("$PY" -c 'import PySide6; print(PySide6.__version__)')"
start=$SECONDS
mkdir -p "$DIST" "$WORK"
"$PY" -m PyInstaller --noconfirm --log-level "${PYINSTALLER_LOG_LEVEL:-WARN}" \
  --distpath "$DIST" --workpath "$WORK" "$REPO_ROOT/packaging/ideogram-studio.spec"

BUNDLE="$DIST/IdeogramStudio"
[ -x "$BUNDLE/ideogram-studio" ] || [ -e "$BUNDLE/ideogram-studio.exe" ] || die "no executable in $BUNDLE"
log "Built $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)) in $((SECONDS - start)) s"
