"""Seeding, cleanup and NetBox's floor for bench/manifest-bench.sh (stdlib only).

  seed N TAG CSV      create N devices (serials TAG-000001…) each with an iLO interface; write the manifest
  clean TAG           remove the MAC objects and journal entries on the TAG devices (between runs)
  floor CSV TAG       the writes a load makes, sent straight as bulk requests: POST MAC objects,
                      PATCH interfaces' primary MAC, POST journal entries, 100 rows a request
  drop TAG            delete the TAG devices, device type, role, site
For bench/discovery-bench.sh:
  macs CSV TAG        the manifest's MACs on the TAG devices' iLO interfaces (bulk), as a manifest load leaves them
  reset TAG           the TAG devices back to offline without BMC IP: IPs on them, oob_ip, journal entries go
  discovery-floor LEASES TAG
                      the minimal writes for the leases (lines "MAC HOSTNAME IP ACK_EPOCH") sent straight
                      as bulk requests: interfaces by MAC, POST IPs, POST journal entries, PATCH devices
  discovery-result LEASES TAG LABEL
                      per lease, ACK on the wire -> the device's last NetBox update (the final write is the
                      status); prints applied count, p50/p95/p99 and throughput over the burst
For bench/pxe-callback-bench.sh:
  status TAG STATUS   every TAG device to STATUS (bulk), e.g. discovered, which a PXE validation run needs
"""
import json, os, sys, time, urllib.error, urllib.request

URL = os.environ["NETBOX_URL"].rstrip("/")
TOKEN = os.environ["NETBOX_TOKEN_V1"]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method,
                                 headers={"Authorization": "Token " + TOKEN, "Content-Type": "application/json",
                                          "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raise SystemExit("%s %s -> HTTP %d: %s" % (method, path, e.code, e.read()[:500]))


def get_all(path):
    out, nxt = [], path + ("&" if "?" in path else "?") + "limit=1000"
    while nxt:
        page = call("GET", nxt)
        out += page["results"]
        nxt = page["next"] and page["next"][len(URL):]
    return out


def chunks(items, n=100):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def one(path, body):
    found = call("GET", path + "?slug=" + body["slug"])["results"]
    return found[0]["id"] if found else call("POST", path, body)["id"]


def seed(n, tag, csv):
    # discovery benches 02:BE:…, the burst crash test 02:C0:…, manifest benches 02:BF:…
    prefix = 0xBE if tag.startswith("db") else 0xC0 if tag.startswith("kc") else 0xBF
    site = one("/api/dcim/sites/", {"name": "bench-" + tag, "slug": "bench-" + tag})
    mfr = one("/api/dcim/manufacturers/", {"name": "bench-" + tag, "slug": "bench-" + tag})
    dtype = one("/api/dcim/device-types/", {"manufacturer": mfr, "model": "bench-" + tag, "slug": "bench-" + tag})
    role = one("/api/dcim/device-roles/", {"name": "bench-" + tag, "slug": "bench-" + tag})
    serials = ["%s-%06d" % (tag, i) for i in range(n)]
    existing = {d["serial"] for d in get_all("/api/dcim/devices/?site_id=%d" % site)}
    todo = [s for s in serials if s not in existing]
    for part in chunks(todo, 250):
        created = call("POST", "/api/dcim/devices/", [{"name": "b-" + s, "serial": s, "status": "offline", "site": site,
                                                       "device_type": dtype, "role": role} for s in part])
        call("POST", "/api/dcim/interfaces/", [{"device": d["id"], "name": "iLO", "type": "1000base-t"} for d in created])
    # Devices left without their interface by an interrupted seed get it now.
    have = {i["device"]["id"] for i in get_all("/api/dcim/interfaces/?site_id=%d&name=iLO&brief=1" % site)}
    missing = [d["id"] for d in get_all("/api/dcim/devices/?site_id=%d&brief=1" % site) if d["id"] not in have]
    for part in chunks(missing, 250):
        call("POST", "/api/dcim/interfaces/", [{"device": d, "name": "iLO", "type": "1000base-t"} for d in part])
    with open(csv, "w") as f:
        f.write("server_serial,server_bmc_mac\n")
        for i, s in enumerate(serials):
            # The MAC's second byte comes from the tag: two benches' kept devices never share a MAC.
            f.write("%s,02:%02X:%02X:%02X:%02X:%02X\n" % (s, prefix, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255))


def set_macs(rows, ifaces, by_serial):
    """(serial, MAC) rows: bulk-create the MAC objects on the devices' iLO interfaces and make them primary."""
    created = call("POST", "/api/dcim/mac-addresses/", [
        {"mac_address": mac, "assigned_object_type": "dcim.interface",
         "assigned_object_id": ifaces[by_serial[serial]]} for serial, mac in rows])
    call("PATCH", "/api/dcim/interfaces/", [
        {"id": m["assigned_object_id"], "primary_mac_address": m["id"]} for m in created])


def delete_journals(device_ids):
    entries = []
    for part in chunks(device_ids, 100):
        entries += get_all("/api/extras/journal-entries/?assigned_object_type=dcim.device&"
                           + "&".join("assigned_object_id=%d" % i for i in part))
    for part in chunks([{"id": e["id"]} for e in entries], 500):
        call("DELETE", "/api/extras/journal-entries/", part)


def devices(tag):
    site = call("GET", "/api/dcim/sites/?slug=bench-" + tag)["results"][0]["id"]
    return get_all("/api/dcim/devices/?site_id=%d&brief=1" % site), site


def clean(tag):
    devs, site = devices(tag)
    # Only the MAC objects on this run's interfaces (an unknown filter would match everything).
    mac_ids = [m["id"] for i in get_all("/api/dcim/interfaces/?site_id=%d" % site) for m in i.get("mac_addresses") or []]
    for part in chunks([{"id": m} for m in mac_ids], 500):
        call("DELETE", "/api/dcim/mac-addresses/", part)
    ids = [d["id"] for d in devs]
    delete_journals(ids)


def floor(csv, tag):
    rows = [l.strip().split(",") for l in open(csv).read().splitlines()[1:]]
    # The floor knows the interface ids already: it is the writes alone.
    ifaces = {}
    devs, site = devices(tag)
    for i in get_all("/api/dcim/interfaces/?site_id=%d&name=iLO&brief=1" % site):
        ifaces[i["device"]["id"]] = i["id"]
    by_serial = {d["name"][2:]: d["id"] for d in devs}
    start = time.time()
    for part in chunks(rows):
        set_macs(part, ifaces, by_serial)
        call("POST", "/api/extras/journal-entries/", [
            {"assigned_object_type": "dcim.device", "assigned_object_id": by_serial[serial], "kind": "success",
             "comments": "BMC MAC %s set from the vendor manifest" % mac} for serial, mac in part])
    took = time.time() - start
    print("floor rows=%d seconds=%.1f rows_per_s=%.1f" % (len(rows), took, len(rows) / took))


def drop(tag):
    devs, site = devices(tag)
    for part in chunks([{"id": d["id"]} for d in devs], 250):
        call("DELETE", "/api/dcim/devices/", part)
    for kind in ("device-types", "device-roles", "manufacturers", "sites"):
        for o in call("GET", "/api/dcim/%s/?slug=bench-%s" % (kind, tag))["results"]:
            call("DELETE", "/api/dcim/%s/%d/" % (kind, o["id"]))


def iface_ids(tag):
    devs, site = devices(tag)
    return {i["device"]["id"]: i["id"] for i in get_all("/api/dcim/interfaces/?site_id=%d&name=iLO&brief=1" % site)}


def macs(csv, tag):
    rows = [l.strip().split(",") for l in open(csv).read().splitlines()[1:]]
    devs, site = devices(tag)
    ifaces = iface_ids(tag)
    by_serial = {d["name"][2:]: d["id"] for d in devs}
    have = {m["mac_address"].lower() for i in get_all("/api/dcim/interfaces/?site_id=%d" % site)
            for m in i.get("mac_addresses") or []}
    todo = [(s, m) for s, m in rows if m.lower() not in have]
    for part in chunks(todo):
        set_macs(part, ifaces, by_serial)


def reset(tag):
    devs, site = devices(tag)
    ids = [d["id"] for d in devs]
    for part in chunks(ids, 250):
        call("PATCH", "/api/dcim/devices/", [{"id": i, "status": "offline", "oob_ip": None} for i in part])
    ips = []
    for part in chunks(ids, 100):
        ips += get_all("/api/ipam/ip-addresses/?brief=1&" + "&".join("device_id=%d" % i for i in part))
    for part in chunks([{"id": i["id"]} for i in ips], 500):
        call("DELETE", "/api/ipam/ip-addresses/", part)
    delete_journals(ids)


def read_leases(path):
    out = []
    for line in open(path):
        f = line.split()
        if len(f) == 4:
            out.append((f[0].lower(), f[2], float(f[3])))
    return out


def discovery_floor(leases_path, tag):
    leases = read_leases(leases_path)
    start = time.time()
    for part in chunks(leases):
        found = get_all("/api/dcim/interfaces/?" + "&".join("mac_address=%s" % m for m, _, _ in part))
        by_mac = {}
        for i in found:
            for m in i.get("mac_addresses") or []:
                by_mac[m["mac_address"].lower()] = i
        todo = [(by_mac[m], ip) for m, ip, _ in part if m in by_mac]
        created = call("POST", "/api/ipam/ip-addresses/", [
            {"address": ip + "/32", "assigned_object_type": "dcim.interface", "assigned_object_id": i["id"],
             "description": "BMC DHCP lease (floor)"} for i, ip in todo])
        call("POST", "/api/extras/journal-entries/", [
            {"assigned_object_type": "dcim.device", "assigned_object_id": i["device"]["id"], "kind": "success",
             "comments": "offline -> discovered, BMC IP %s" % ip} for i, ip in todo])
        call("PATCH", "/api/dcim/devices/", [
            {"id": i["device"]["id"], "status": "discovered", "oob_ip": c["id"]} for (i, _), c in zip(todo, created)])
    took = time.time() - start
    print("floor leases=%d seconds=%.1f leases_per_s=%.1f" % (len(leases), took, len(leases) / took))


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def discovery_result(leases_path, tag, label):
    from datetime import datetime
    leases = read_leases(leases_path)
    devs, site = devices(tag)
    full = {d["id"]: d for d in get_all("/api/dcim/devices/?site_id=%d" % site)}
    mac_device = {}
    for i in get_all("/api/dcim/interfaces/?site_id=%d&name=iLO" % site):
        for m in i.get("mac_addresses") or []:
            mac_device[m["mac_address"].lower()] = i["device"]["id"]
    latencies, done_at = [], []
    for mac, ip, acked in leases:
        d = full.get(mac_device.get(mac))
        if not d or d["status"]["value"] != "discovered" or not d.get("oob_ip") \
                or d["oob_ip"]["address"].split("/")[0] != ip:
            continue
        updated = datetime.fromisoformat(d["last_updated"].replace("Z", "+00:00")).timestamp()
        latencies.append(updated - acked)
        done_at.append(updated)
    first_ack = min(a for _, _, a in leases)
    span = max(done_at) - first_ack if done_at else float("nan")
    print("%s applied=%d/%d p50=%.2fs p95=%.2fs p99=%.2fs span=%.1fs leases_per_s=%.2f" % (
        label, len(latencies), len(leases), percentile(latencies, 50), percentile(latencies, 95),
        percentile(latencies, 99), span, len(latencies) / span))


def set_status(tag, status):
    devs, site = devices(tag)
    for part in chunks([d["id"] for d in devs], 250):
        call("PATCH", "/api/dcim/devices/", [{"id": i, "status": status} for i in part])


def wait_discovered(tag, count, timeout):
    devs, site = devices(tag)
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = call("GET", "/api/dcim/devices/?site_id=%d&status=discovered&has_oob_ip=true&limit=1" % site)["count"]
        if n >= count:
            return
        time.sleep(1)
    print("wait: only %d of %d devices discovered after %d s" % (n, count, timeout), file=sys.stderr)


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"seed": lambda: seed(int(sys.argv[2]), sys.argv[3], sys.argv[4]), "clean": lambda: clean(sys.argv[2]),
     "floor": lambda: floor(sys.argv[2], sys.argv[3]), "drop": lambda: drop(sys.argv[2]),
     "macs": lambda: macs(sys.argv[2], sys.argv[3]), "reset": lambda: reset(sys.argv[2]),
     "status": lambda: set_status(sys.argv[2], sys.argv[3]),
     "discovery-floor": lambda: discovery_floor(sys.argv[2], sys.argv[3]),
     "discovery-result": lambda: discovery_result(sys.argv[2], sys.argv[3], sys.argv[4]),
     "wait-discovered": lambda: wait_discovered(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))}[cmd]()
