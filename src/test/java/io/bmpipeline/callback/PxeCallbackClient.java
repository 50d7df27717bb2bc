package io.bmpipeline.callback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What the validation image does, over real HTTP: posts steps and reports, with a credential or a site signature. */
final class PxeCallbackClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Answer(int status, JsonNode body, java.net.http.HttpHeaders headers) {}

    private final URI api;
    private final URI management;

    PxeCallbackClient(URI api, URI management) {
        this.api = api;
        this.management = management;
    }

    /** A new validation run for the device: its fresh credential, from the operator's endpoint. */
    String mint(String serial) {
        Answer a = send(HttpRequest.newBuilder(management.resolve("/bm/pxe/credentials/" + serial))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        if (a.status() != 200) {
            throw new IllegalStateException("mint " + serial + ": " + a.status() + " " + a.body());
        }
        return a.body().path("credential").asText();
    }

    Answer step(String serial, String step, String token, JsonNode body) {
        return post("/pxe/v1/devices/" + serial + "/steps/" + step, "Bearer " + token, body.toString());
    }

    Answer report(String serial, String token, JsonNode body) {
        return post("/pxe/v1/devices/" + serial + "/report", "Bearer " + token, body.toString());
    }

    Answer post(String path, String authorization, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    Answer signed(String path, byte[] secret, long unixSeconds, String body) {
        String t = Long.toString(unixSeconds);
        String v1;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((t + "\nPOST\n" + path + "\n").getBytes(StandardCharsets.UTF_8));
            v1 = HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return send(HttpRequest.newBuilder(api.resolve(path)).header("Content-Type", "application/json")
                .header("X-BM-Signature", "t=" + t + ",v1=" + v1).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Returns once the API of the packaged {@code service} answers; fails at once when the process died instead. */
    void awaitUp(Process service) {
        io.bmpipeline.testbed.Eventually.await("the callback API", java.time.Duration.ofMinutes(2), () -> {
            if (!service.isAlive()) {
                throw new AssertionError("the service exited with " + service.exitValue());
            }
            try {
                return get("/pxe/v1/openapi.json").status();
            } catch (java.io.UncheckedIOException e) {
                return 0;
            }
        }, status -> status == 200);
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(api.resolve(path)).GET().build());
    }

    Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            } catch (IOException e) {
                body = JSON.getNodeFactory().textNode(r.body());
            }
            return new Answer(r.statusCode(), body, r.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- bodies, as the image's scripts make them ----------------------------------------------------------------

    static ObjectNode result(String runId, String status, String tool) {
        Instant now = Instant.now();
        ObjectNode n = JSON.createObjectNode().put("runId", runId).put("status", status)
                .put("startedAt", now.minusSeconds(5).toString()).put("endedAt", now.toString());
        n.putObject("tool").put("name", tool).put("version", "1.0");
        if (!status.equals("pass")) {
            n.put("reason", tool + " said no");
        }
        return n;
    }

    static ObjectNode init(String runId, String serial, String manufacturer, String product, String... nicMacs) {
        ObjectNode n = result(runId, "pass", "dmidecode");
        ObjectNode inv = n.putObject("inventory").put("serial", serial).put("manufacturer", manufacturer)
                .put("product", product);
        inv.putObject("bios").put("vendor", "SeaBIOS").put("version", "1.16").put("date", "04/01/2014");
        inv.putArray("cpus").addObject().put("model", "QEMU Virtual CPU").put("cores", 2).put("threads", 2);
        inv.putArray("dimms").addObject().put("locator", "DIMM 0").put("sizeMiB", 512);
        var nics = inv.putArray("nics");
        for (int i = 0; i < nicMacs.length; i++) {
            nics.addObject().put("name", "eth" + i).put("mac", nicMacs[i]).put("driver", "virtio_net");
        }
        return n;
    }

    static ObjectNode memory(String runId, int passes) {
        ObjectNode n = result(runId, "pass", "memtester");
        n.putObject("memory").put("testedMiB", 16).put("passes", passes).put("errors", 0);
        return n;
    }

    static ObjectNode disk(String runId, double readKiBps) {
        ObjectNode n = result(runId, "pass", "fio");
        var jobs = n.putObject("disk").putArray("jobs");
        jobs.addObject().put("device", "/dev/vda").put("job", "seq-read").put("rw", "read")
                .put("bandwidthKiBps", readKiBps).put("iops", readKiBps / 128).put("latencyP50Us", 120.0)
                .put("latencyP99Us", 900.0);
        jobs.addObject().put("device", "/dev/vda").put("job", "rand-write").put("rw", "randwrite")
                .put("bandwidthKiBps", 4000.0).put("iops", 1000.0);
        return n;
    }

    /** Each entry: NIC name, NIC MAC, switch name, switch port. */
    static ObjectNode lldp(String runId, String[]... neighbours) {
        ObjectNode n = result(runId, "pass", "lldpd");
        var list = n.putObject("lldp").putArray("neighbours");
        for (String[] nb : neighbours) {
            list.addObject().put("nic", nb[0]).put("mac", nb[1]).put("chassisName", nb[2]).put("portId", nb[3])
                    .put("chassisId", "52:54:00:00:00:01").put("vlan", 100);
        }
        return n;
    }

    static ObjectNode report(String runId, String... passedSteps) {
        Instant now = Instant.now();
        ObjectNode n = JSON.createObjectNode().put("runId", runId).put("startedAt", now.minusSeconds(60).toString())
                .put("endedAt", now.toString()).put("image", "bm-pxe test");
        var steps = n.putArray("steps");
        for (String s : passedSteps) {
            steps.addObject().put("step", s).put("status", "pass");
        }
        return n;
    }

    /**
     * Waits until the service applied every result it accepted: a test deletes its devices only then, since NetBox
     * re-creates a device that a write still in flight saves after the delete (Django's save() inserts when its
     * update finds no row).
     */
    static void awaitApplied(io.bmpipeline.events.EventBus bus, java.time.Duration limit) {
        io.bmpipeline.testbed.Eventually.await("accepted results applied", limit, () -> bus.subscriptions().stream()
                .filter(g -> g.topic().equals(io.bmpipeline.events.Topics.PXE_EVENTS) && g.group().equals("pxe-validation"))
                .mapToLong(g -> g.status().pending()).sum(), pending -> pending == 0);
    }
}
