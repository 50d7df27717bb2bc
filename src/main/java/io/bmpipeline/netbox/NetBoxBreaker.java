package io.bmpipeline.netbox;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import java.net.URI;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * One circuit breaker per NetBox, shared by every client of it in the process (discovery's consumers, manifest
 * intake, readiness): when most of the last {@link #WINDOW} calls failed as unavailable (connection refused, 5xx,
 * timeouts after their retries), calls fail at once for {@link #OPEN_FOR} instead of each waiting out its own
 * retries; then one call probes, and {@link #PROBES} successes close it. Only unavailability counts: a 400, 403 or
 * 404 is NetBox answering. SmallRye Fault Tolerance does the counting; this class picks what counts and says each
 * change of state in one log line.
 */
final class NetBoxBreaker {

    static final int WINDOW = 20;
    static final double FAILURE_RATIO = 0.5;
    static final Duration OPEN_FOR = Duration.ofSeconds(10);
    static final int PROBES = 2;

    private static final Logger LOG = Logger.getLogger(NetBoxBreaker.class);
    private static final Map<URI, NetBoxBreaker> BY_NETBOX = new ConcurrentHashMap<>();

    private final Guard guard;
    private volatile CircuitBreakerState last = CircuitBreakerState.CLOSED;

    private NetBoxBreaker(URI netbox) {
        this.guard = Guard.create()
                .withDescription("NetBox " + netbox)
                .withCircuitBreaker()
                .requestVolumeThreshold(WINDOW)
                .failureRatio(FAILURE_RATIO)
                .delay(OPEN_FOR.toMillis(), ChronoUnit.MILLIS)
                .successThreshold(PROBES)
                .when(failure -> failure instanceof NetBoxException.Unavailable)
                .onStateChange(state -> changed(netbox, state))
                .done()
                .build();
    }

    /** The breaker of the NetBox at {@code base}. */
    static NetBoxBreaker of(URI base) {
        return BY_NETBOX.computeIfAbsent(base, NetBoxBreaker::new);
    }

    /** Runs {@code call} through the breaker; an open breaker is a {@link NetBoxException.Unavailable} naming it. */
    <T> T call(String label, Callable<T> call, Class<T> type) {
        try {
            return guard.call(call, type);
        } catch (CircuitBreakerOpenException e) {
            throw new NetBoxException.Unavailable(label, "not sent: most recent NetBox calls failed, so calls pause for "
                    + OPEN_FOR.toSeconds() + " s (circuit open)", null);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new NetBoxException.Unavailable(label, e.toString(), e);
        }
    }

    /** One line when calls start pausing and one when NetBox answers again; failed probes in between at DEBUG. */
    private void changed(URI netbox, CircuitBreakerState state) {
        CircuitBreakerState before = last;
        last = state;
        switch (state) {
            case OPEN -> {
                if (before == CircuitBreakerState.CLOSED) {
                    LOG.warnf("NetBox %s: most recent calls failed; calls pause %d s at a time until a probe passes "
                            + "(circuit open)", netbox, OPEN_FOR.toSeconds());
                } else {
                    LOG.debugf("NetBox %s: probe failed, calls pause again (circuit open)", netbox);
                }
            }
            case HALF_OPEN -> LOG.debugf("NetBox %s: probing (circuit half-open)", netbox);
            case CLOSED -> LOG.infof("NetBox %s answers again (circuit closed)", netbox);
        }
    }
}
