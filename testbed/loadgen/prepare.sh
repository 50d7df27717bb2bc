#!/usr/bin/env bash
# Installs the HTTP load generator wrk (Debian package `wrk`, 4.1.0 on Debian 12) for the
# loopback POST benchmarks (see README.md beside this file and post-json.lua). Idempotent;
# bin/test runs it before Maven. Prints one line with the timing. Runs `apt-get update` only
# when apt does not know the package yet.
set -euo pipefail

packages=(wrk)

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%ds' $(( ms / 1000 )) $(( ms % 1000 / 100 )); }
t0=$(now_ms)

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
versions() {
  local p out=()
  for p in "${packages[@]}"; do out+=("$p $(dpkg-query -W -f='${Version}' "$p")"); done
  echo "${out[*]}"
}

missing=()
for p in "${packages[@]}"; do
  is_installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "testbed/loadgen: $(versions) present ($(since "$t0"))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "testbed/loadgen: missing packages ${missing[*]} and not root: install them first" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail() {
  { echo "testbed/loadgen: FAILED: $* (after $(since "$t0")); last lines of its output:"
    tail -n 20 "$log"; } >&2
  exit 1
}
unknown=0
for p in "${missing[@]}"; do
  apt-cache show "$p" >/dev/null 2>&1 || unknown=1
done
if [ "$unknown" -eq 1 ]; then
  apt-get update -q >>"$log" 2>&1 || fail "apt-get update"
fi
apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1 ||
  fail "apt-get install ${missing[*]}"
command -v wrk >/dev/null || fail "wrk is not on PATH after the install"
echo "testbed/loadgen: installed $(versions) in $(since "$t0")"
