#!/usr/bin/env bash
# The spec's approach, as the proof of concept did it: one curl per lookup and per write, row by
# row (netbox_load_bmc_mac.sh). Baseline for bench/manifest-bench.sh. Usage: manifest-baseline.sh CSV
set -euo pipefail
csv=$1
auth="Authorization: Token $NETBOX_TOKEN_V1"
tail -n +2 "$csv" | while IFS=, read -r serial mac; do
  device=$(curl -fsS -H "$auth" "$NETBOX_URL/api/dcim/devices/?serial=$serial" | jq -r '.results[0].id // empty')
  [ -n "$device" ] || { echo "row $serial: device not found" >&2; continue; }
  iface=$(curl -fsS -H "$auth" "$NETBOX_URL/api/dcim/interfaces/?device_id=$device" \
    | jq -r '[.results[] | select(.name | test("bmc|ilo|idrac"; "i"))][0] | "\(.id) \(.mac_address // "")"')
  read -r iface_id current <<<"$iface"
  if [ -n "$current" ]; then continue; fi
  mac_id=$(curl -fsS -H "$auth" -H 'Content-Type: application/json' -X POST "$NETBOX_URL/api/dcim/mac-addresses/" \
    -d "{\"mac_address\":\"$mac\",\"assigned_object_type\":\"dcim.interface\",\"assigned_object_id\":$iface_id}" | jq -r .id)
  curl -fsS -o /dev/null -H "$auth" -H 'Content-Type: application/json' -X PATCH "$NETBOX_URL/api/dcim/interfaces/$iface_id/" \
    -d "{\"primary_mac_address\":$mac_id}"
  curl -fsS -o /dev/null -H "$auth" -H 'Content-Type: application/json' -X POST "$NETBOX_URL/api/extras/journal-entries/" \
    -d "{\"assigned_object_type\":\"dcim.device\",\"assigned_object_id\":$device,\"kind\":\"success\",\"comments\":\"BMC MAC $mac set\"}"
done
