#!/usr/bin/env bash
# Installs what the DHCP test bed (testbed/dhcp/netns.sh) needs, idempotently. Runs before Maven
# from bin/test. Runs `apt-get update` only when a package is not known to apt yet.
set -euo pipefail

packages=(iproute2 tcpdump tcpreplay isc-dhcp-server dnsmasq-base kea-dhcp4-server isc-dhcp-relay udhcpc isc-dhcp-client)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "testbed/dhcp: missing packages ${missing[*]} and not root: install them first" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
unknown=0
for p in "${missing[@]}"; do
  apt-cache show "$p" >/dev/null 2>&1 || unknown=1
done
[ "$unknown" -eq 1 ] && apt-get update -q
# policy-rc.d keeps the packages' own services from starting in the root namespace: the test
# bed starts its servers inside namespaces, on its own configuration.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; own_policy=1
fi
apt-get install -y -q --no-install-recommends "${missing[@]}"
[ "$own_policy" -eq 1 ] && rm -f "$policy"
echo "testbed/dhcp: installed ${missing[*]}"
