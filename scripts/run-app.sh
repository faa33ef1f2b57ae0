#!/usr/bin/env bash
# THE app command: installs Ideogram Studio into .venv and starts it.
#   bash scripts/run-app.sh [app args...]
# With no API key the app talks to its built-in sandbox.
set -euo pipefail
LOG_TAG=run-app
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

ensure_system_deps libs
ensure_venv app

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  log "No DISPLAY or WAYLAND_DISPLAY: the window needs a desktop session"
  log "(or QT_QPA_PLATFORM=offscreen, or run it under xvfb-run)."
fi
log "Starting ideogram-studio $*"
exec "$VENV/bin/ideogram-studio" "$@"
