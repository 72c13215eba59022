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
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip >/dev/null
"$VENV/bin/pip" install -q -e .
# The system libraries Qt's X11 platform plugin loads: with any one missing the window never
# opens ("Could not load the Qt platform plugin xcb"). Asked of the plugin itself (ldd), then
# Qt's documented set installed at once; and a font with Chinese characters.
qt_dir=$("$VENV/bin/python" -c 'import os, PySide6; print(os.path.dirname(PySide6.__file__))')
packages=()
linked=$(ldd "$qt_dir"/Qt/plugins/platforms/libqxcb.so "$qt_dir"/Qt/lib/libQt6XcbQpa.so.6 2>/dev/null || true)
if [[ $linked == *"not found"* ]]; then
  packages+=(libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1
             libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
             libxcb-shape0 libxcb-xinerama0 libxcb-xkb1)
fi
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  packages+=(fonts-wqy-microhei)
fi
if [ ${#packages[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}"
fi
exec "$VENV/bin/crm-desktop" --demo "$@"
