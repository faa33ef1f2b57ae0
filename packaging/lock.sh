#!/usr/bin/env bash
# Regenerate packaging/bundle-requirements.txt: every package the app bundle is built from, pinned,
# with the hashes of its published files (pip-compile --generate-hashes, for this Python: 3.11+).
#   bash packaging/lock.sh
# Run it after changing a dependency in pyproject.toml; packaging/build.sh installs from the lock with
# pip's --require-hashes, so a changed or substituted file on the index fails the build instead of
# ending up in the bundle. tests/test_bundle_lock.py checks that the lock names every dependency.
set -euo pipefail
LOG_TAG=lock
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install --disable-pip-version-check --progress-bar off -q pip-tools
"$tools/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras --extra bundle \
  --no-emit-index-url --no-emit-find-links --no-header -o "$tools/lock.txt" pyproject.toml
{
  echo "# The app bundle's packages, pinned with their hashes (packaging/lock.sh writes it; packaging/build.sh"
  echo "# installs from it with --require-hashes). Resolved with Python $(python3 -c 'import sys; print(*sys.version_info[:2], sep=".")') on $(uname -s)."
  grep -v '^#' "$tools/lock.txt" | sed '/./,$!d'
} > packaging/bundle-requirements.txt
log "Wrote packaging/bundle-requirements.txt ($(grep -c '==' packaging/bundle-requirements.txt) packages)"
