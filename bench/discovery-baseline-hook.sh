#!/usr/bin/env bash
# The proof of concept's dhcp_hook2.sh for one lease, for bench/discovery-bench.sh: look the BMC
# up in NetBox by MAC, and for an offline device create the IP on the BMC interface, point oob_ip
# at it, promote to discovered and write a journal entry — one curl per call, as the spec's hook.
# Usage: discovery-baseline-hook.sh MAC IP [HOSTNAME]   (NETBOX_URL, NETBOX_TOKEN_V1 in the environment)
set -uo pipefail
mac=$1 ip=$2
api() {
  curl -sS --max-time 300 -X "$1" -H "Authorization: Token $NETBOX_TOKEN_V1" -H 'Content-Type: application/json' \
    -H 'Accept: application/json' "${NETBOX_URL%/}$2" ${3:+--data "$3"}
}
iface=$(api GET "/api/dcim/interfaces/?mac_address=$mac" | jq -r '.results[0].id // empty')
[ -n "$iface" ] || { echo "hook: $mac not in NetBox" >&2; exit 0; }
device=$(api GET "/api/dcim/interfaces/$iface/" | jq -r '.device.id')
status=$(api GET "/api/dcim/devices/$device/" | jq -r '.status.value')
[ "$status" = offline ] || { echo "hook: device $device is $status" >&2; exit 0; }
ip_id=$(api GET "/api/ipam/ip-addresses/?address=$ip" | jq -r '.results[0].id // empty')
if [ -z "$ip_id" ]; then
  ip_id=$(api POST /api/ipam/ip-addresses/ \
    "{\"address\":\"$ip/32\",\"assigned_object_type\":\"dcim.interface\",\"assigned_object_id\":$iface,\"description\":\"BMC DHCP lease (baseline)\"}" \
    | jq -r '.id')
fi
api POST /api/extras/journal-entries/ \
  "{\"assigned_object_type\":\"dcim.device\",\"assigned_object_id\":$device,\"kind\":\"success\",\"comments\":\"offline -> discovered, BMC IP $ip\"}" >/dev/null
api PATCH "/api/dcim/devices/$device/" "{\"status\":\"discovered\",\"oob_ip\":$ip_id}" >/dev/null
