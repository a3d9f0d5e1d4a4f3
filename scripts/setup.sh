# shellcheck shell=bash
# Shared set-up for scripts/run and scripts/test (sourced, not run): the Debian packages Qt,
# the keychain tests and the browser tests need, and the project's .venv.
# Expects ROOT, VENV and PY to be set by the caller.

# The full list a fresh Debian machine needs (line 1: Qt offscreen; lines 2-4: Qt's xcb plugin
# for a real X window; then Xvfb, a real Secret Service, Chromium and pdftoppm for the tests;
# the last line validates the launcher entry and the AppStream metainfo, tests/test_packaging.py).
# A developer's machine has most of them already, so a missing one only shows on a clean one.
APT_PACKAGES=(
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 fonts-dejavu-core
  libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1 libxcb-glx0
  xvfb xauth
  dbus dbus-x11 gnome-keyring libsecret-tools
  chromium xdg-utils poppler-utils
  desktop-file-utils appstream
)

ensure_apt_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "not a Debian system: install the equivalents of: ${APT_PACKAGES[*]}" >&2
    return 0
  fi
  local installed missing=()
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${APT_PACKAGES[@]}" 2>/dev/null \
    | awk '$2 == "ii" { print $1 }' || true)
  for pkg in "${APT_PACKAGES[@]}"; do
    grep -qxF "$pkg" <<<"$installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  echo "missing Debian packages: ${missing[*]}"
  local cmd="apt-get update && apt-get install -y --no-install-recommends ${APT_PACKAGES[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    printf 'Run as root (or with sudo), then run scripts/test again:\n  %s\n' "$cmd" >&2
    exit 1
  fi
  apt-get update
  apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
}

ensure_venv() {
  if [ -x "$PY" ] && ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo ".venv is broken or older than Python 3.11: recreating it"
    rm -rf "$VENV"
  fi
  if [ ! -x "$PY" ]; then
    local base=${PYTHON:-python3}
    if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "SP Connect needs Python >= 3.11; $base is $("$base" -V 2>&1)" >&2
      exit 1
    fi
    "$base" -m venv "$VENV"
  fi
  local stamp=$VENV/.spconnect-install-stamp want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing SP Connect and its dev tools into .venv (pyproject.toml changed)"
    "$PY" -m pip install --quiet --quiet -e '.[dev]'
    echo "$want" >"$stamp"
  fi
}

