# Shared helpers for scripts/test.sh and scripts/run-app.sh. Source it; do not run it.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
# Bump to force every existing .venv to be reinstalled.
STAMP_VERSION=1

log() { printf '[%s] %s\n' "${LOG_TAG:-ideogram}" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# Commands the test run needs from the system.
SYSTEM_COMMANDS=(xvfb-run xauth xdotool dbus-run-session dbus-daemon dbus-send gnome-keyring-daemon pg_ctlcluster)
# Shared libraries Qt's xcb/offscreen platforms load that bare images usually lack.
SYSTEM_LIBS=(libxcb-cursor.so.0 libxcb-icccm.so.4 libxkbcommon-x11.so.0 libEGL.so.1 libfontconfig.so.1)

# Print what is missing: "$1" = commands|libs|all. Empty output = nothing missing.
missing_system_deps() {
  local what="${1:-all}" cmd lib libcache
  if [ "$what" = commands ] || [ "$what" = all ]; then
    for cmd in "${SYSTEM_COMMANDS[@]}"; do
      command -v "$cmd" >/dev/null 2>&1 || printf '%s\n' "$cmd"
    done
  fi
  if [ "$what" = libs ] || [ "$what" = all ]; then
    libcache="$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null || true)"
    for lib in "${SYSTEM_LIBS[@]}"; do
      grep -qF "$lib " <<<"$libcache" || printf '%s\n' "$lib"
    done
  fi
}

# Run scripts/system-deps.sh when anything in "$1" (commands|libs|all) is missing.
ensure_system_deps() {
  local missing
  missing="$(missing_system_deps "${1:-all}")"
  if [ -n "$missing" ]; then
    log "Missing on this system: $(tr '\n' ' ' <<<"$missing")-> installing system packages"
    bash "$REPO_ROOT/scripts/system-deps.sh"
    missing="$(missing_system_deps "${1:-all}")"
    [ -z "$missing" ] || die "still missing after system-deps.sh: $(tr '\n' ' ' <<<"$missing")"
  fi
}

# Is "$1" a working Python 3.11-3.13 with venv + ensurepip?
python_ok() {
  "$1" - <<'PY' >/dev/null 2>&1
import sys
import ensurepip, venv  # noqa: F401  (Debian needs python3-venv for these)
sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)
PY
}

# Pick the interpreter for a new venv: $PYTHON if set, else python3, else python3.13/.12/.11.
pick_python() {
  local cand
  if [ -n "${PYTHON:-}" ]; then
    python_ok "$PYTHON" || die "PYTHON=$PYTHON is not a working Python 3.11-3.13 with venv"
    printf '%s\n' "$PYTHON"
    return
  fi
  for cand in python3 python3.13 python3.12 python3.11; do
    if command -v "$cand" >/dev/null 2>&1 && python_ok "$cand"; then
      printf '%s\n' "$cand"
      return
    fi
  done
  return 1
}

# ensure_venv test|app: create .venv if needed and install the project (editable) into it,
# with the test extra for "test". Skips pip when pyproject.toml has not changed since the
# last successful install of the same (or a larger) set of extras.
ensure_venv() {
  local kind="$1" python spec hash stamp_file want
  local -a pip_opts=(--disable-pip-version-check --progress-bar off)
  stamp_file="$VENV/.ideogram-install-stamp"

  if [ -x "$VENV/bin/python" ] && ! python_ok "$VENV/bin/python"; then
    log "Existing .venv is broken or has an unsupported Python: recreating it"
    rm -rf "$VENV"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    if ! python="$(pick_python)"; then
      log "No Python 3.11-3.13 with venv support found: installing system packages"
      bash "$REPO_ROOT/scripts/system-deps.sh"
      python="$(pick_python)" || die "need Python 3.11-3.13 with the venv module (python3-venv)"
    fi
    log "Creating .venv with $python ($("$python" -c 'import sys; print(sys.version.split()[0])'))"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install "${pip_opts[@]}" --upgrade pip
  fi

  hash="$(sha256sum <"$REPO_ROOT/pyproject.toml" | cut -d' ' -f1)"
  want="v$STAMP_VERSION $hash"
  if [ -f "$stamp_file" ]; then
    case "$(cat "$stamp_file")" in
      "$want test") log ".venv is up to date (pyproject.toml unchanged)"; return ;;
      "$want app") [ "$kind" = app ] && { log ".venv is up to date (pyproject.toml unchanged)"; return; } ;;
    esac
  fi

  if [ "$kind" = test ]; then spec=".[test]"; else spec="."; fi
  log "Installing the project into .venv: pip install -e '$spec'"
  rm -f "$stamp_file"
  (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install "${pip_opts[@]}" -e "$spec")
  printf '%s %s\n' "$want" "$kind" >"$stamp_file"
}
