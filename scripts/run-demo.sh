#!/usr/bin/env bash
# Set up and start the app against a temporary local backend with demo data.
#   usage: scripts/run-demo.sh [crm-desktop args...]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CRM_VENV:-$PWD/.venv}
if ! python3 -c 'import ensurepip' 2>/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
fi
if ! ldconfig -p 2>/dev/null | grep -q libEGL.so.1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 fonts-wqy-microhei
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip >/dev/null
"$VENV/bin/pip" install -q -e .
exec "$VENV/bin/crm-desktop" --demo "$@"
