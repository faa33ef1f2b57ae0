#!/usr/bin/env bash
# Install the app bundle for one user (or system-wide with --prefix /usr/local, as root):
#   bash packaging/install.sh [--prefix ~/.local] [--bundle dist/IdeogramStudio]
# Puts:
#   <prefix>/lib/ideogram-studio/                 a copy of the bundle (dist/IdeogramStudio)
#   <prefix>/bin/ideogram-studio                  a symlink to its executable
#   <prefix>/share/applications/<app-id>.desktop  the menu entry (Exec = that symlink)
#   <prefix>/share/metainfo/<app-id>.metainfo.xml the AppStream description (software centres)
#   <prefix>/share/icons/hicolor/<N>x<N>/apps/<app-id>.png and scalable/apps/<app-id>.svg
#   <prefix>/share/ideogram-studio/install-manifest.txt   every file and folder this put there
# packaging/uninstall.sh --prefix <prefix> removes exactly what the manifest lists. Installing
# again over an install replaces it (the old one is uninstalled first). On a failure half-way,
# what was already put there is removed again.
set -euo pipefail

APP_ID="ai.ideogram.studio.IdeogramStudio"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
PREFIX="${HOME:-/root}/.local"
BUNDLE="$REPO/dist/IdeogramStudio"
SIZES=(16 24 32 48 64 128 256 512)

log() { printf '[install] %s\n' "$*"; }
die() { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a folder}"; shift 2 ;;
    --bundle) BUNDLE="${2:?--bundle needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

[ -x "$BUNDLE/ideogram-studio" ] || die "no bundle at $BUNDLE (build it first: bash packaging/build.sh)"
BUNDLE="$(cd "$BUNDLE" && pwd)"
case "$PREFIX" in /*) ;; *) PREFIX="$(pwd)/$PREFIX" ;; esac
PREFIX="${PREFIX%/}"

LIBDIR="$PREFIX/lib/ideogram-studio"
MANIFEST_DIR="$PREFIX/share/ideogram-studio"
MANIFEST="$MANIFEST_DIR/install-manifest.txt"
SVG="$REPO/resources/icons/ideogram-studio.svg"  # the master the PNGs are rendered from
ICONS="$HERE/linux/icons/hicolor"

if [ -f "$MANIFEST" ]; then
  log "Replacing the install in $PREFIX"
  bash "$HERE/uninstall.sh" --prefix "$PREFIX"
fi
[ ! -e "$LIBDIR" ] || die "$LIBDIR exists but was not put there by this script (no manifest): remove it first"
for size in "${SIZES[@]}"; do
  [ -f "$ICONS/${size}x${size}/apps/$APP_ID.png" ] || die "missing icon ${size}px: run python scripts/build_resources.py"
done

# What this run put there, in order: "dir PATH" (a folder it created) or "file PATH".
RECORD="$(mktemp)"
done_ok=0
rollback() {
  if [ "$done_ok" -eq 0 ]; then
    log "Failed: removing what was installed so far"
    bash "$HERE/uninstall.sh" --prefix "$PREFIX" --manifest "$RECORD" --quiet || true
  fi
  rm -f "$RECORD"
}
trap rollback EXIT

# mkdir -p that records every folder it creates (outermost first).
make_dir() {
  local dir="$1" p
  local -a missing=()
  p="$dir"
  while [ ! -d "$p" ]; do
    missing=("$p" "${missing[@]}")
    p="$(dirname "$p")"
  done
  for p in "${missing[@]}"; do
    mkdir "$p"
    printf 'dir %s\n' "$p" >>"$RECORD"
  done
}

# put MODE SOURCE DEST: copy one file, recording it.
put() {
  make_dir "$(dirname "$3")"
  install -m "$1" "$2" "$3"
  printf 'file %s\n' "$3" >>"$RECORD"
}

log "Installing $BUNDLE into $PREFIX"
# The bundle: its folders and files, each recorded (uninstall removes exactly these).
make_dir "$PREFIX/lib"
make_dir "$LIBDIR"
cp -a "$BUNDLE/." "$LIBDIR/"
(cd "$LIBDIR" && find . -mindepth 1 -type d | sort) | while IFS= read -r d; do
  printf 'dir %s\n' "$LIBDIR/${d#./}"
done >>"$RECORD"
(cd "$LIBDIR" && find . -mindepth 1 ! -type d | sort) | while IFS= read -r f; do
  printf 'file %s\n' "$LIBDIR/${f#./}"
done >>"$RECORD"

make_dir "$PREFIX/bin"
[ ! -e "$PREFIX/bin/ideogram-studio" ] && [ ! -L "$PREFIX/bin/ideogram-studio" ] \
  || die "$PREFIX/bin/ideogram-studio exists already (not from this script)"
ln -s "../lib/ideogram-studio/ideogram-studio" "$PREFIX/bin/ideogram-studio"
printf 'file %s\n' "$PREFIX/bin/ideogram-studio" >>"$RECORD"

# The menu entry runs the installed launcher by its full path (the prefix's bin/ may not be on PATH).
desktop_tmp="$(mktemp)"
sed -e "s|^Exec=ideogram-studio|Exec=\"$PREFIX/bin/ideogram-studio\"|" \
    -e "s|^TryExec=ideogram-studio|TryExec=$PREFIX/bin/ideogram-studio|" \
    "$HERE/linux/$APP_ID.desktop" >"$desktop_tmp"
put 644 "$desktop_tmp" "$PREFIX/share/applications/$APP_ID.desktop"
rm -f "$desktop_tmp"
put 644 "$HERE/linux/$APP_ID.metainfo.xml" "$PREFIX/share/metainfo/$APP_ID.metainfo.xml"
for size in "${SIZES[@]}"; do
  put 644 "$ICONS/${size}x${size}/apps/$APP_ID.png" "$PREFIX/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
put 644 "$SVG" "$PREFIX/share/icons/hicolor/scalable/apps/$APP_ID.svg"

make_dir "$MANIFEST_DIR"
printf 'file %s\n' "$MANIFEST" >>"$RECORD"
{
  printf '# Ideogram Studio install manifest: what packaging/install.sh put in %s.\n' "$PREFIX"
  printf '# packaging/uninstall.sh removes these files, then these folders if empty.\n'
  cat "$RECORD"
} >"$MANIFEST.tmp"
mv "$MANIFEST.tmp" "$MANIFEST"
done_ok=1

log "Installed $(grep -c '^file ' "$MANIFEST") files; manifest: $MANIFEST"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) log "Note: $PREFIX/bin is not on PATH; the menu entry works anyway." ;;
esac
log "Uninstall with: bash packaging/uninstall.sh --prefix $PREFIX"
