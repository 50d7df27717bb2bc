#!/usr/bin/env bash
# Create a small demo inventory in the testbed NetBox, through its REST API (curl + jq).
#
#   seed-demo.sh [ENV_FILE] [--reset-status]
#
# ENV_FILE defaults to ${BM_STATE_DIR:-/var/tmp/bm-pipeline}/netbox.env, as written by
# `netbox.sh start`. Idempotent: every object is looked up before it is created, so running
# it twice changes nothing. Existing devices keep their status (the pipeline may have moved
# them on); --reset-status puts the six demo devices back to `offline` for a new demo run.
#
# Creates: site demo-dc1; manufacturer "Demo Systems", device type "Demo Server 1U", device
# role "Demo server"; devices demo-srv-01..06 with serials DEMO0001..DEMO0006 in status
# offline, each with a management-only BMC interface (iLO, iDRAC or BMC, 1000base-t) and an
# eth0 interface.
set -euo pipefail
shopt -s inherit_errexit   # errexit inside $(...) too: ids come back through command substitution

ENV_FILE="${BM_STATE_DIR:-/var/tmp/bm-pipeline}/netbox.env"
RESET_STATUS=0
for arg in "$@"; do
  case $arg in
    --reset-status) RESET_STATUS=1 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) ENV_FILE=$arg ;;
  esac
done

say() { printf '[seed-demo] %s\n' "$*" >&2; }   # stdout carries ids between functions
die() { printf '[seed-demo] ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v jq >/dev/null; then
  say "installing jq"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends jq >/dev/null
fi

[[ -r $ENV_FILE ]] || die "no env file $ENV_FILE (run testbed/netbox/netbox.sh start first)"
# Read only the keys we need, rather than sourcing a file that could hold anything.
env_value() { sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1; }
NETBOX_URL=$(env_value NETBOX_URL)
[[ -n $NETBOX_URL ]] || die "NETBOX_URL missing in $ENV_FILE"
if [[ -n $(env_value NETBOX_TOKEN_V2) ]]; then AUTH="Bearer $(env_value NETBOX_TOKEN_V2)"
elif [[ -n $(env_value NETBOX_TOKEN_V1) ]]; then AUTH="Token $(env_value NETBOX_TOKEN_V1)"
else die "no NETBOX_TOKEN_V1/V2 in $ENV_FILE"; fi

# api METHOD PATH [JSON]: print the response body; on a non-2xx answer print NetBox's error
# body (it names the offending fields) and fail.
api() {
  local method=$1 path=$2 out code
  local -a data=()
  [[ $# -ge 3 ]] && data=(--data "$3")
  out=$(mktemp)
  code=$(curl -sS -o "$out" -w '%{http_code}' --max-time 60 -X "$method" \
    -H "Authorization: $AUTH" -H 'Accept: application/json' -H 'Content-Type: application/json' \
    "${data[@]}" "$NETBOX_URL/api/$path") || code=000
  if [[ $code != 2* ]]; then
    echo "[seed-demo] $method /api/$path${3:+ $3} -> HTTP $code: $(cat "$out")" >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

uri() { jq -rn --arg v "$1" '$v | @uri'; }

# ensure WHAT PATH QUERY JSON: the id of the one object PATH?QUERY finds, created from JSON
# if there is none. Never send an empty filter value: NetBox would match everything.
ensure() {
  local what=$1 path=$2 query=$3 json=$4 found count created
  found=$(api GET "$path?$query&limit=2&brief=1")
  count=$(jq -r '.count' <<<"$found")
  case $count in
    0) created=$(api POST "$path" "$json")
       jq -r '.id' <<<"$created"
       say "created $what" >&2 ;;
    1) jq -r '.results[0].id' <<<"$found" ;;
    *) die "$count objects match $path?$query ($what): expected at most one" ;;
  esac
}

say "seeding $NETBOX_URL"
site=$(ensure "site demo-dc1" dcim/sites/ "slug=demo-dc1" \
  '{"name": "demo-dc1", "slug": "demo-dc1", "status": "active", "description": "bm-pipeline demo"}')
mfr=$(ensure "manufacturer Demo Systems" dcim/manufacturers/ "slug=demo-systems" \
  '{"name": "Demo Systems", "slug": "demo-systems"}')
dtype=$(ensure "device type Demo Server 1U" dcim/device-types/ "slug=demo-server-1u" \
  "$(jq -cn --argjson m "$mfr" '{manufacturer: $m, model: "Demo Server 1U", slug: "demo-server-1u", u_height: 1}')")
role=$(ensure "device role Demo server" dcim/device-roles/ "slug=demo-server" \
  '{"name": "Demo server", "slug": "demo-server", "color": "2196f3"}')

# The BMC's name tells its vendor in real inventories; mix them as the pipeline will see them.
bmc_names=(iLO iDRAC BMC iLO iDRAC BMC)
for i in 1 2 3 4 5 6; do
  serial=$(printf 'DEMO%04d' "$i")
  name=$(printf 'demo-srv-%02d' "$i")
  dev=$(ensure "device $name ($serial)" dcim/devices/ "serial=$(uri "$serial")" \
    "$(jq -cn --arg n "$name" --arg s "$serial" --argjson t "$dtype" --argjson r "$role" --argjson site "$site" \
      '{name: $n, serial: $s, device_type: $t, role: $r, site: $site, status: "offline"}')")
  if (( RESET_STATUS )); then
    status=$(api GET "dcim/devices/$dev/" | jq -r '.status.value')
    if [[ $status != offline ]]; then
      api PATCH "dcim/devices/$dev/" '{"status": "offline"}' >/dev/null
      say "$name: status $status -> offline"
    fi
  fi
  bmc=${bmc_names[i - 1]}
  ensure "interface $name/$bmc" dcim/interfaces/ "device_id=$dev&name=$(uri "$bmc")" \
    "$(jq -cn --argjson d "$dev" --arg n "$bmc" \
      '{device: $d, name: $n, type: "1000base-t", mgmt_only: true, description: "BMC"}')" >/dev/null
  ensure "interface $name/eth0" dcim/interfaces/ "device_id=$dev&name=eth0" \
    "$(jq -cn --argjson d "$dev" '{device: $d, name: "eth0", type: "1000base-t"}')" >/dev/null
done

say "demo inventory in site demo-dc1:"
api GET "dcim/devices/?site_id=$site&limit=100&ordering=name" |
  jq -r '.results[] | "  \(.name)\t\(.serial)\t\(.status.value)"'
api GET "dcim/interfaces/?site_id=$site&limit=100" |
  jq -r '"  \(.count) interfaces: " + ([.results[].name] | unique | join(", "))'
