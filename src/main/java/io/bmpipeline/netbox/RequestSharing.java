package io.bmpipeline.netbox;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Request sharing wrapped around the single-object calls of the per-lease path. A part of {@link NetBoxClient}
 * hands each such call here, with the bulk request that can answer many of them, and gets back the call it should
 * make: the single call itself when sharing is off, else a {@link Batcher} that serves concurrent calls of the
 * same kind with one bulk request per wave. The parts read the same either way.
 */
final class RequestSharing {

    private final NetBoxClient.Batching batching;

    RequestSharing(NetBoxClient.Batching batching) {
        this.batching = batching;
    }

    /**
     * A lookup: with sharing on, even a lone call goes as the bulk request (a list with one filter value), so
     * every call of the kind costs NetBox the same.
     */
    <Q, R> Function<Q, R> read(String name, Function<Q, R> one, Function<List<Q>, List<R>> many) {
        return batching.on() ? batcher(name, many, null)::get : one;
    }

    /**
     * A write: a lone call goes as the single-object request, and a rejected bulk write is sent again one by
     * one, so only the object NetBox refused fails, with NetBox's message about it.
     */
    <Q, R> Function<Q, R> write(String name, Function<Q, R> one, Function<List<Q>, List<R>> many) {
        return batching.on() ? batcher(name, many, one)::get : one;
    }

    /** The prefix plan, read once per {@code prefixCacheAge} instead of once per lease; empty when not kept. */
    Optional<PrefixIndex> prefixPlan(Supplier<List<PrefixIndex.Listed>> load) {
        return batching.on() && !batching.prefixCacheAge().isZero()
                ? Optional.of(new PrefixIndex(load, batching.prefixCacheAge()))
                : Optional.empty();
    }

    private <Q, R> Batcher<Q, R> batcher(String name, Function<List<Q>, List<R>> many, Function<Q, R> alone) {
        return new Batcher<>("netbox-" + name, batching.maxBatch(), batching.maxInFlight(), many, alone);
    }
}
