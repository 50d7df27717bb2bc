package io.bmpipeline.netbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * The wire side of {@link NetBoxClient}: auth header, JSON, pagination, retries and the mapping
 * of HTTP outcomes onto {@link NetBoxException}. Retries follow one rule: a call is repeated only
 * when repeating it cannot create a second object — reads, PATCH, DELETE — or when the request
 * provably never left this host (connection refused).
 */
final class NetBoxHttp {

    private static final Logger LOG = Logger.getLogger(NetBoxHttp.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final NetBoxToken token;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final RetryPolicy retry;
    private final int pageSize;
    private final NetBoxBreaker breaker;

    record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {}

    NetBoxHttp(URI base, NetBoxToken token, Duration connectTimeout, Duration requestTimeout, RetryPolicy retry,
               int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive: " + pageSize);
        }
        this.pageSize = pageSize;
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.retry = retry;
        this.breaker = NetBoxBreaker.of(this.base);
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI base() {
        return base;
    }

    JsonNode get(String path, NetBoxQuery query) {
        return send("GET", withQuery(path, query), null, true, false);
    }

    /** Follows {@code next} links until the last page; the links are re-based on our URL. */
    List<JsonNode> getAll(String path, NetBoxQuery query) {
        List<JsonNode> results = new ArrayList<>();
        String pageQuery = query.encoded();
        String next = withQuery(path, query) + (pageQuery.isEmpty() ? "?" : "&") + "limit=" + pageSize;
        while (next != null) {
            JsonNode page = send("GET", next, null, true, false);
            page.path("results").forEach(results::add);
            next = nextPage(page.path("next"));
        }
        return results;
    }

    JsonNode options(String path) {
        return send("OPTIONS", path, null, true, false);
    }

    JsonNode post(String path, Object body) {
        return send("POST", path, body, false, false);
    }

    JsonNode patch(String path, Object body) {
        return send("PATCH", path, body, true, false);
    }

    /** Deleting what is already gone counts as done, so a retried DELETE stays idempotent. */
    void delete(String path) {
        send("DELETE", path, null, true, true);
    }

    /** A bulk DELETE of the objects {@code [{"id": …}, …]} names, in one transaction. */
    void deleteAll(String path, Object ids) {
        send("DELETE", path, ids, true, true);
    }

    private String nextPage(JsonNode next) {
        if (next.isMissingNode() || next.isNull() || next.asText().isBlank()) {
            return null;
        }
        URI link = URI.create(next.asText());
        String relative = link.getRawPath().replaceFirst("^" + base.getRawPath(), "");
        return relative + (link.getRawQuery() == null ? "" : "?" + link.getRawQuery());
    }

    private static String withQuery(String path, NetBoxQuery query) {
        String q = query.encoded();
        return q.isEmpty() ? path : path + "?" + q;
    }

    private JsonNode send(String method, String path, Object body, boolean idempotent, boolean goneIsDone) {
        String relative = path.startsWith("/") ? path.substring(1) : path;
        // Messages name the call, not its whole URL: a batched lookup's query holds 100 MACs. The field selection is
        // ours, not the operator's concern.
        String shown = relative.replaceFirst("fields=[^&]*&?", "").replaceFirst("[?&]$", "");
        String label = method + " /" + (shown.length() > 120 ? shown.substring(0, 117) + "..." : shown);
        String call = method + " /" + relative.replaceFirst("\\?.*$", "").replaceAll("/\\d+/", "/{id}/");
        long started = System.nanoTime();
        String outcome = "ok";
        try {
            return breaker.call(label, () -> send(label, relative, method, body, idempotent, goneIsDone), JsonNode.class);
        } catch (NetBoxException.Rejected e) {
            outcome = "rejected";
            throw e;
        } catch (NetBoxException.NotFound e) {
            outcome = "not-found";
            throw e;
        } catch (NetBoxException.AuthRefused e) {
            outcome = "auth-refused";
            throw e;
        } catch (RuntimeException e) {
            outcome = "unavailable";
            throw e;
        } finally {
            io.bmpipeline.config.Meters.netboxRequest(call, outcome, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private JsonNode send(String label, String relative, String method, Object body, boolean idempotent,
                          boolean goneIsDone) {
        URI uri = base.resolve(relative);
        String payload = body == null ? "" : toJson(body);
        int attempt = 0;
        while (true) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(requestTimeout)
                    .header("Authorization", token.authorizationHeader())
                    .header("Accept", "application/json");
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(payload));
            }
            Duration wait;
            String failure;
            Throwable cause = null;
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return parse(response.body());
                }
                if (status == 404 && goneIsDone) {
                    return MissingNode.getInstance();
                }
                if (status == 401 || status == 403) {
                    throw new NetBoxException.AuthRefused(label, status, detail(response.body()));
                }
                if (status == 404) {
                    throw new NetBoxException.NotFound(label);
                }
                if (status != 429 && status < 500) {
                    throw new NetBoxException.Rejected(label, status,
                            FieldErrors.from(parseQuietly(response.body()), response.body()), payload);
                }
                failure = "HTTP " + status + " " + abbreviate(detail(response.body()));
                if (!idempotent) {
                    throw new NetBoxException.Unavailable(label, failure + " (not retried: the write may have happened)", null);
                }
                wait = retryAfter(response).orElse(backoff(attempt));
            } catch (ConnectException | HttpConnectTimeoutException e) {
                failure = "cannot connect to " + base + ": " + e.getClass().getSimpleName();
                cause = e;
                wait = backoff(attempt);
            } catch (IOException e) {
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
                cause = e;
                if (!idempotent) {
                    throw new NetBoxException.Unavailable(label, failure + " (not retried: the write may have happened)", e);
                }
                wait = backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NetBoxException.Unavailable(label, "interrupted", e);
            }
            if (attempt >= retry.maxRetries()) {
                throw new NetBoxException.Unavailable(label, failure + " after " + (attempt + 1) + " attempt(s)", cause);
            }
            attempt++;
            LOG.debugf("%s failed (%s); retry %d in %d ms", label, failure, attempt, wait.toMillis());
            sleep(wait);
        }
    }

    private Duration backoff(int attempt) {
        long initial = retry.initialBackoff().toMillis();
        long capped = Math.min(retry.maxBackoff().toMillis(), initial << Math.min(attempt, 16));
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private Optional<Duration> retryAfter(HttpResponse<String> response) {
        return response.headers().firstValue("Retry-After")
                .filter(v -> v.matches("\\d{1,4}"))
                .map(v -> Duration.ofSeconds(Long.parseLong(v)))
                .map(d -> d.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : d);
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetBoxException.Unavailable("retry", "interrupted while waiting to retry", e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new NetBoxException.Unavailable("parse", "NetBox answered with something that is not JSON: "
                    + abbreviate(body), e);
        }
    }

    private static JsonNode parseQuietly(String body) {
        try {
            return body == null || body.isBlank() ? MissingNode.getInstance() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    private static String detail(String body) {
        JsonNode node = parseQuietly(body);
        return node.hasNonNull("detail") ? node.get("detail").asText() : abbreviate(body);
    }

    private static String abbreviate(String text) {
        String flat = text == null ? "" : text.strip().replaceAll("\\s+", " ");
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }

    static String toJson(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise a NetBox request body", e);
        }
    }

    static ObjectMapper json() {
        return JSON;
    }
}
