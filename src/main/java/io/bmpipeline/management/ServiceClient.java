package io.bmpipeline.management;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** How a command asks the running service's management interface ({@code bm.management.url}), token and all. */
public final class ServiceClient {

    /** Nothing listens at the address: the service is not running there. */
    public static final class NotRunning extends Exception {
        public NotRunning(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The service could not be asked, or answered badly; the message says which and why. */
    public static final class Failed extends Exception {
        public Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final URI base;
    private final Optional<ManagementToken> token;
    private final HttpClient http;
    private final Duration requestTimeout;

    public ServiceClient(URI base, Optional<ManagementToken> token, Duration connectTimeout, Duration requestTimeout) {
        String url = base.toString();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * The client the commands use: {@code bm.management.url}, the token of {@code bm.management.token-file} when
     * set, NetBox's timeouts. An unreadable token file is an {@link IllegalStateException} naming the key.
     */
    public static ServiceClient configured(io.bmpipeline.config.PipelineConfig config) {
        return new ServiceClient(config.management().url(), ManagementToken.read(config.management().tokenFile()),
                config.netbox().connectTimeout(), config.netbox().requestTimeout());
    }

    public URI base() {
        return base;
    }

    public URI resolve(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** GETs {@code path} and returns the body of a 200; any other status is {@link Failed} quoting the answer. */
    public String get(String path) throws NotRunning, Failed {
        return send(HttpRequest.newBuilder(resolve(path)).header("Accept", "application/json").GET(), 200).body();
    }

    /** POSTs to {@code path}; the response whatever its status (the caller tells 404 from the rest). */
    public HttpResponse<String> post(String path) throws NotRunning, Failed {
        return send(HttpRequest.newBuilder(resolve(path)).POST(HttpRequest.BodyPublishers.noBody()), -1);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, int expected) throws NotRunning, Failed {
        token.ifPresent(t -> request.header("Authorization", t.header()));
        HttpRequest built = request.timeout(requestTimeout).build();
        HttpResponse<String> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException refused) {
            throw new NotRunning("nothing answers at " + base + " (bm.management.url): is the service running?", refused);
        } catch (IOException e) {
            throw new Failed("the service at " + base + " did not answer " + built.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted while asking " + built.uri(), e);
        }
        if (expected > 0 && response.statusCode() != expected) {
            throw new Failed(built.uri() + " answered HTTP " + response.statusCode() + ": " + response.body().strip(), null);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new Failed(built.uri() + " answered HTTP " + response.statusCode() + ": " + response.body().strip(), null);
        }
        return response;
    }
}
