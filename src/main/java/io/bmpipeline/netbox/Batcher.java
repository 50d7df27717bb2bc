package io.bmpipeline.netbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Many threads each ask NetBox one thing; one request answers them all — group commit: at most
 * {@code maxInFlight} requests of a kind are on their way to NetBox at once, and the calls that
 * arrive meanwhile wait and go together as the next request (up to {@code maxBatch} of them).
 * An idle client sends a lone call at once; a busy one sends bigger requests, with no timer.
 *
 * <p>Why: NetBox spends most of a request on its own overhead (authentication, middleware, the
 * count query of a list, serialisation, a transaction per write), so one request for 50 objects
 * costs it far less than 50 requests for one. With many leases in flight (a power-on burst),
 * every step of the per-lease logic — the MAC lookup, the IP create, the status PATCH — becomes
 * one bulk request per wave of leases, and the per-lease code stays as simple as if it were alone.
 *
 * <p>The bulk call gets the requests in arrival order and must answer with one result per request,
 * in the same order. If it throws, every caller of that batch gets the same exception (a NetBox
 * outage is everyone's outage) — except when NetBox rejects a bulk write (a 400: one bad object
 * fails the whole transaction) and a one-by-one call {@code alone} is given: then each request is
 * sent alone, so only the bad one fails, with NetBox's message about it.
 */
final class Batcher<Q, R> {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Batcher.class);

    private final String name;
    private final Function<List<Q>, List<R>> call;
    private final Function<Q, R> alone;
    private final int maxBatch;
    private final int maxInFlight;
    private final Object lock = new Object();
    private final List<Pending<Q, R>> queue = new ArrayList<>();
    private int inFlight;
    private final LongAdder calls = new LongAdder();
    private final LongAdder requests = new LongAdder();

    private record Pending<Q, R>(Q request, CompletableFuture<R> result) {}

    /** @param alone the same call for one request, used to single out a rejected one; null for reads */
    Batcher(String name, int maxBatch, int maxInFlight, Function<List<Q>, List<R>> call, Function<Q, R> alone) {
        if (maxBatch < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("maxBatch and maxInFlight must be at least 1, were " + maxBatch
                    + " and " + maxInFlight);
        }
        this.name = name;
        this.call = call;
        this.alone = alone;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
    }

    /** The answer to {@code request}, from whichever bulk call served it. */
    R get(Q request) {
        CompletableFuture<R> result = new CompletableFuture<>();
        List<Pending<Q, R>> batch = null;
        synchronized (lock) {
            queue.add(new Pending<>(request, result));
            if (inFlight < maxInFlight) {
                inFlight++;
                batch = take();
            }
        }
        if (batch != null) {
            serve(batch); // on this caller's thread: an idle client adds no hop
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetBoxException.Unavailable(name, "interrupted waiting for NetBox", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(name + " failed", e.getCause());
        }
    }

    /** Up to maxBatch waiting calls, oldest first. Caller holds the lock. */
    private List<Pending<Q, R>> take() {
        int size = Math.min(maxBatch, queue.size());
        List<Pending<Q, R>> batch = new ArrayList<>(queue.subList(0, size));
        queue.subList(0, size).clear();
        return batch;
    }

    private void serve(List<Pending<Q, R>> batch) {
        try {
            answer(batch);
        } finally {
            // Calls that arrived while this request was out go next, as one request.
            List<Pending<Q, R>> next = null;
            synchronized (lock) {
                if (queue.isEmpty()) {
                    inFlight--;
                } else {
                    next = take();
                }
            }
            if (next != null) {
                List<Pending<Q, R>> following = next;
                Thread.ofVirtual().name(name).start(() -> serve(following));
            }
        }
    }

    private void answer(List<Pending<Q, R>> batch) {
        calls.add(batch.size());
        requests.increment();
        if (LOG.isDebugEnabled()) {
            LOG.debugf("%s: %d call(s) in one request; %d calls in %d requests so far", name, batch.size(),
                    calls.sum(), requests.sum());
        }
        if (batch.size() == 1 && alone != null) {
            // A lone write goes as the plain single-object request: NetBox's answer and errors then
            // have the single-object shape (field messages at the top, not under errors[0]).
            Pending<Q, R> only = batch.getFirst();
            try {
                only.result().complete(alone.apply(only.request()));
            } catch (RuntimeException | Error e) {
                only.result().completeExceptionally(e);
            }
            return;
        }
        try {
            List<R> results = call.apply(batch.stream().map(Pending::request).toList());
            if (results.size() != batch.size()) {
                throw new IllegalStateException(name + ": " + batch.size() + " requests, " + results.size() + " answers");
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (NetBoxException.Rejected rejected) {
            if (alone == null) {
                batch.forEach(p -> p.result().completeExceptionally(rejected));
                return;
            }
            for (Pending<Q, R> p : batch) {
                try {
                    p.result().complete(alone.apply(p.request()));
                } catch (RuntimeException | Error e) {
                    p.result().completeExceptionally(e);
                }
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.result().completeExceptionally(e));
        }
    }
}
