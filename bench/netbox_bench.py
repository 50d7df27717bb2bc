"""Seeding, cleanup and NetBox's floor for bench/manifest-bench.sh (stdlib only).

  seed N TAG CSV      create N devices (serials TAG-000001…) each with an iLO interface; write the manifest
  clean TAG           remove the MAC objects and journal entries on the TAG devices (between runs)
  floor CSV TAG       the writes a load makes, sent straight as bulk requests: POST MAC objects,
                      PATCH interfaces' primary MAC, POST journal entries, 100 rows a request
  drop TAG            delete the TAG devices, device type, role, site
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
            f.write("%s,02:BE:%02X:%02X:%02X:%02X\n" % (s, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255))


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
    entries = []
    for part in chunks(ids, 100):
        entries += get_all("/api/extras/journal-entries/?assigned_object_type=dcim.device&"
                           + "&".join("assigned_object_id=%d" % i for i in part))
    for part in chunks([{"id": e["id"]} for e in entries], 500):
        call("DELETE", "/api/extras/journal-entries/", part)


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
        created = call("POST", "/api/dcim/mac-addresses/", [
            {"mac_address": mac, "assigned_object_type": "dcim.interface",
             "assigned_object_id": ifaces[by_serial[serial]]} for serial, mac in part])
        call("PATCH", "/api/dcim/interfaces/", [
            {"id": m["assigned_object_id"], "primary_mac_address": m["id"]} for m in created])
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


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"seed": lambda: seed(int(sys.argv[2]), sys.argv[3], sys.argv[4]), "clean": lambda: clean(sys.argv[2]),
     "floor": lambda: floor(sys.argv[2], sys.argv[3]), "drop": lambda: drop(sys.argv[2])}[cmd]()
