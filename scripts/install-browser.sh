#!/usr/bin/env bash
# Installs the headless browser the desk's browser tests drive: Debian's `chromium` and
# `chromium-driver` (which provide /usr/bin/chromium and /usr/bin/chromedriver, always of the same
# version). Does nothing when both are already there, so it is safe to run before every test run.
#
# Usage: scripts/install-browser.sh
set -euo pipefail

say() { printf '[browser] %s\n' "$*" >&2; }
die() { printf '[browser] ERROR: %s\n' "$*" >&2; exit 1; }

PACKAGES=(chromium chromium-driver)

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "chromium and chromedriver are installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 \
  || die "apt-get not found: install ${PACKAGES[*]} (or equivalent) so that /usr/bin/chromium and /usr/bin/chromedriver exist"

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  die "installing ${PACKAGES[*]} needs root: run this script as root or give this user sudo rights"
fi

apt() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }
install() { apt install --yes --no-install-recommends "${PACKAGES[@]}"; }

say "installing ${PACKAGES[*]} with apt-get"
if ! install; then
  # The package lists may be missing or stale (e.g. in a fresh container); refresh them once.
  say "installing failed; running apt-get update and trying again"
  apt update || die "apt-get update failed; check the network and the apt sources"
  install || die "apt-get could not install ${PACKAGES[*]}"
fi

[ -x /usr/bin/chromium ] || die "the packages were installed but /usr/bin/chromium is missing"
[ -x /usr/bin/chromedriver ] || die "the packages were installed but /usr/bin/chromedriver is missing"
say "installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) and $(/usr/bin/chromedriver --version 2>/dev/null | head -n1)"
