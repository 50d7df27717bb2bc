#!/usr/bin/env bash
# Installs what the DHCP test bed needs (Debian packages), once. bin/test runs it before Maven.
set -euo pipefail
need=()
command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
command -v udhcpc >/dev/null || need+=(udhcpc)
command -v dhcpd >/dev/null || need+=(isc-dhcp-server)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  echo "testbed/dhcp: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi
# The Debian package starts a system-wide ISC server; the test bed runs its own in a namespace.
systemctl disable --now isc-dhcp-server >/dev/null 2>&1 || true
