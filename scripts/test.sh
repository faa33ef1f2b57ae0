#!/usr/bin/env bash
# THE test command: installs everything into .venv and runs every check.
#   bash scripts/test.sh [pytest args...]
# Steps, stopping at the first failure: ruff, mypy, import-linter, pytest (under Xvfb and a
# private D-Bus session). Screenshots and other artifacts go to test-artifacts/.
set -euo pipefail
LOG_TAG=test
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

ensure_system_deps all
ensure_venv test

export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"
export IDEOGRAM_TEST_ARTIFACTS="$REPO_ROOT/test-artifacts"

log "Python $(python -c 'import sys; print(sys.version.split()[0])') at $VENV/bin/python"
python - <<'PY'
from importlib.metadata import PackageNotFoundError, version
names = ["PySide6-Essentials", "qasync", "httpx", "keyring", "pytest", "pytest-qt",
         "pytest-asyncio", "ruff", "mypy", "import-linter"]
out = []
for name in names:
    try:
        out.append(f"{name} {version(name)}")
    except PackageNotFoundError:
        out.append(f"{name} (missing)")
print("[test] " + ", ".join(out))
PY

step() {
  local name="$1" start=$SECONDS
  shift
  log "==> $name: $*"
  if "$@"; then
    log "<== $name passed ($((SECONDS - start)) s)"
  else
    local rc=$?
    log "<== $name FAILED (exit $rc, $((SECONDS - start)) s)"
    exit "$rc"
  fi
}

step ruff ruff check .
step mypy mypy ideogram_studio
step import-linter lint-imports --no-cache

rm -rf "$IDEOGRAM_TEST_ARTIFACTS"
mkdir -p "$IDEOGRAM_TEST_ARTIFACTS"
# A real X server (DISPLAY) for end-to-end tests that use the xcb platform; ui tests default to
# QT_QPA_PLATFORM=offscreen (tests/conftest.py). A private session bus so nothing reaches the
# desktop's bus.
step pytest xvfb-run -a -s "-screen 0 1280x800x24 -maxclients 1024" \
  dbus-run-session -- python -m pytest "$@"
log "All checks passed. Artifacts: $IDEOGRAM_TEST_ARTIFACTS"
