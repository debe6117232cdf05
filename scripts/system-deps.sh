#!/usr/bin/env bash
# System packages the tests need: a Chrome/Chromium (the accessibility test; kaleido for a figure without a chart
# spec or a PNG export — report runs draw their charts as SVG without a browser), poppler (pdftotext/pdftoppm) and
# Node.js/npm (axe-core for the accessibility test). Installs Debian's packages when missing and possible; otherwise
# says how to get them. Never fails the build.
set -uo pipefail
missing=()
if [ -z "${BROWSER_PATH:-}" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null \
   && ! command -v google-chrome >/dev/null; then missing+=(chromium); fi
command -v pdftotext >/dev/null || missing+=(poppler-utils)
# Node.js + npm: the accessibility test installs axe-core from the npm registry (tests/a11y/package.json).
command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }
if command -v apt-get >/dev/null; then
  echo "system-deps: installing ${missing[*]} (Debian packages)" >&2
  if as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
fi
echo "system-deps: could not install ${missing[*]}. Install them yourself (Debian/Ubuntu: apt-get install ${missing[*]})," >&2
echo "  or set BROWSER_PATH to a Chrome/Chromium binary. Reports need none; the accessibility test does." >&2
exit 0
