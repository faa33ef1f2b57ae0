#!/usr/bin/env bash
# Remove what packaging/install.sh put in a prefix, and nothing else:
#   bash packaging/uninstall.sh [--prefix ~/.local]
# Reads <prefix>/share/ideogram-studio/install-manifest.txt: removes every file listed, then every
# folder the install created, deepest first, if it is empty (a folder that now holds something
# else is kept and named).
set -euo pipefail

PREFIX="${HOME:-/root}/.local"
MANIFEST=""
QUIET=0

log() { [ "$QUIET" -eq 1 ] || printf '[uninstall] %s\n' "$*"; }
die() { printf '[uninstall] ERROR: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="${2:?--prefix needs a folder}"; shift 2 ;;
    --manifest) MANIFEST="${2:?--manifest needs a file}"; shift 2 ;;  # install.sh's rollback
    --quiet) QUIET=1; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done
case "$PREFIX" in /*) ;; *) PREFIX="$(pwd)/$PREFIX" ;; esac
PREFIX="${PREFIX%/}"
MANIFEST="${MANIFEST:-$PREFIX/share/ideogram-studio/install-manifest.txt}"
[ -f "$MANIFEST" ] || die "no install manifest at $MANIFEST: nothing installed there by packaging/install.sh"

mapfile -t lines <"$MANIFEST"
files=0
for line in "${lines[@]}"; do
  case "$line" in
    "file "*)
      path="${line#file }"
      case "$path" in "$PREFIX"/*) ;; *) die "manifest names $path, outside $PREFIX: refusing" ;; esac
      if [ -L "$path" ] || [ -f "$path" ]; then
        rm -f -- "$path"
        files=$((files + 1))
      fi
      ;;
  esac
done

kept=()
for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
  case "${lines[i]}" in
    "dir "*)
      path="${lines[i]#dir }"
      case "$path" in "$PREFIX"|"$PREFIX"/*) ;; *) die "manifest names $path, outside $PREFIX: refusing" ;; esac
      if [ -d "$path" ] && ! rmdir -- "$path" 2>/dev/null; then
        kept+=("$path")
      fi
      ;;
  esac
done

log "Removed $files files from $PREFIX"
if [ "${#kept[@]}" -gt 0 ]; then
  log "Kept these folders: something else is in them now: ${kept[*]}"
fi
