#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian/Ubuntu machine and run them all:
# unit, backend (SQLite and PostgreSQL), sync end-to-end (real backend on loopback),
# keychain (real Secret Service), and Qt widget tests (offscreen).
#   usage: scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${CRM_VENV:-$ROOT/.venv}

# CRM_SKIP_INSTALL=1: use an already prepared machine and venv as they are (no apt, no pip).
# Useful when several git worktrees share one venv (run them with PYTHONPATH=<worktree>).
need_apt=()
command -v pg_ctlcluster >/dev/null || need_apt+=(postgresql)
command -v gnome-keyring-daemon >/dev/null || need_apt+=(gnome-keyring)
command -v dbus-run-session >/dev/null || need_apt+=(dbus)
command -v Xvfb >/dev/null || need_apt+=(xvfb)
dpkg -s libegl1 >/dev/null 2>&1 || need_apt+=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need_apt+=(fonts-wqy-microhei)
[ -n "${CRM_SKIP_INSTALL:-}" ] && need_apt=()
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" libsecret-tools >/dev/null
fi

if [ -z "${CRM_SKIP_INSTALL:-}" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install -q --upgrade pip >/dev/null
  "$VENV/bin/pip" install -q -e ".[dev]"
fi

# PostgreSQL on loopback for the backend tests.
if [ -z "${CRM_TEST_POSTGRES_URL:-}" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  PGVER=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  $SUDO pg_ctlcluster "$PGVER" main start 2>/dev/null || true
  for _ in $(seq 1 50); do
    $SUDO su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
    sleep 0.2
  done
  $SUDO su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='crm'\"" | grep -q 1 \
    || $SUDO su postgres -c "psql -q -c \"CREATE ROLE crm LOGIN PASSWORD 'crm' SUPERUSER;\""
  $SUDO su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='crm_test'\"" | grep -q 1 \
    || $SUDO su postgres -c "psql -q -c 'CREATE DATABASE crm_test OWNER crm;'"
  export CRM_TEST_POSTGRES_URL="postgresql+psycopg://crm:crm@127.0.0.1:5432/crm_test"
fi

export QT_QPA_PLATFORM=offscreen
export CRM_TEST_REQUIRE_KEYCHAIN=1
export CRM_TEST_REQUIRE_POSTGRES=1

"$VENV/bin/ruff" check .
"$VENV/bin/mypy"

# A real Secret Service: a private D-Bus session with an unlocked gnome-keyring.
exec dbus-run-session -- bash -c '
  export HOME=$(mktemp -d)
  eval "$(printf ci-pass | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  exec "$0/bin/pytest" -p no:cacheprovider "$@"
' "$VENV" "$@"
