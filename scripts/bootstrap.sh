#!/usr/bin/env bash
# Install the project's tool chain on a fresh Debian/Ubuntu machine: a Python >= 3.11 with venv, and uv
# (in .tools/). Called by the Makefile; safe to run again. Nothing else needs to be installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for p in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$p" ] || continue
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$p"; return 0
    fi
  done
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ ! -f /tmp/.integrationsuppfoljning-apt-updated ]; then
    as_root apt-get update -qq && touch /tmp/.integrationsuppfoljning-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}

PY=$(find_python) || {
  echo "bootstrap: installing Python 3.11 from the distribution" >&2
  apt_install python3 python3-venv || { echo "bootstrap: need Python >= 3.11 (apt-get install python3 python3-venv)" >&2; exit 1; }
  PY=$(find_python) || { echo "bootstrap: no Python >= 3.11 found after installing" >&2; exit 1; }
}

if [ ! -x .tools/bin/uv ]; then
  if ! "$PY" -m venv .tools >/dev/null 2>&1; then
    rm -rf .tools
    echo "bootstrap: python venv module missing; installing python3-venv" >&2
    ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python${ver}-venv" || apt_install python3-venv || { echo "bootstrap: install python3-venv" >&2; exit 1; }
    "$PY" -m venv .tools
  fi
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi
echo "$PY" > .tools/python
