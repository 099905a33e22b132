#!/usr/bin/env bash
# Installs what Hotswap needs on Debian 12: system packages (only when missing) and the pinned
# Python venv in .venv. Idempotent; safe to run on every build.
# `scripts/deps.sh --runtime` installs only what building and serving need (no test tools, no venv).
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_only=false
[ "${1:-}" = "--runtime" ] && runtime_only=true
packages=(libinotifytools0-dev curl)
if ! $runtime_only; then
  packages+=(protobuf-compiler nginx nghttp2-client wrk prometheus chromium python3-venv systemd)
  # The deployment suites: a real systemd in nspawn on a debootstrap rootfs, the .deb (dpkg-dev,
  # lintian, binutils' strip and readelf), `ss` for the socket's backlog.
  packages+=(systemd-container debootstrap dpkg-dev lintian binutils iproute2)
  # The container suites (tests/deploy): rootful podman with runc and its network stack.
  packages+=(podman runc netavark aardvark-dns iptables)
fi

need=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "deps: installing ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "deps: the Swift 6.3 toolchain is not on PATH; install it from swift.org and retry" >&2
  exit 1
fi

$runtime_only && exit 0

# Python venv with pinned versions; rebuilt when the requirements change.
req=tools/python/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "deps: preparing Python venv (.venv) from $req"
  # An existing venv is updated in place (it may be a worktree's symlink to a shared one, which
  # `python3 -m venv` refuses).
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
