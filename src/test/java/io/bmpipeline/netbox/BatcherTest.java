package io.bmpipeline.netbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Request sharing and the prefix plan cache, as pure logic (NetBoxClientBatchedTest runs them against NetBox). */
class BatcherTest {

    @Test
    void concurrentCallersShareCallsAndEachGetsItsOwnAnswer() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        Batcher<Integer, String> batcher = new Batcher<>("square", 50, 2, keys -> {
            sizes.add(keys.size());
            pause(20); // NetBox takes a while to answer; callers arriving meanwhile gather
            return keys.stream().map(k -> k + "²=" + k * k).toList();
        }, null);
        int callers = 200;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(callers)) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int key = i;
                answers.add(threads.submit(() -> {
                    start.await();
                    return batcher.get(key);
                }));
            }
            start.countDown();
            for (int i = 0; i < callers; i++) {
                assertEquals(i + "²=" + i * i, answers.get(i).get());
            }
        }
        assertEquals(callers, sizes.stream().mapToInt(Integer::intValue).sum(), "every request served once");
        assertTrue(sizes.stream().allMatch(s -> s <= 50), "no batch over the limit: " + sizes);
        assertTrue(sizes.size() < callers / 2, "requests were shared: " + sizes);
    }

    @Test
    void aRejectedBatchIsRetriedOneByOneSoOnlyTheBadRequestFails() throws Exception {
        NetBoxException.Rejected bad = new NetBoxException.Rejected("POST /x/", 400, FieldErrors.from(NetBoxHttp.json().createObjectNode(), "{}"), "{}");
        CountDownLatch allQueued = new CountDownLatch(1);
        Batcher<String, String> batcher = new Batcher<>("write", 10, 1, keys -> {
            if (keys.contains("bad")) {
                throw bad;
            }
            return keys.stream().map(String::toUpperCase).toList();
        }, key -> {
            if (key.equals("first")) {
                await(allQueued); // a lone write goes alone; it holds the one slot until three calls wait
                return "FIRST";
            }
            if (key.equals("bad")) {
                throw bad;
            }
            return key.toUpperCase() + " alone";
        });
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            Future<String> first = threads.submit(() -> batcher.get("first"));
            Thread.sleep(100);
            Future<String> a = threads.submit(() -> batcher.get("a"));
            Future<String> b = threads.submit(() -> batcher.get("bad"));
            Future<String> c = threads.submit(() -> batcher.get("c"));
            Thread.sleep(200);
            allQueued.countDown();
            assertEquals("FIRST", first.get());
            assertEquals("A alone", a.get(), "the batch of a, bad, c was rejected and sent one by one");
            assertEquals("C alone", c.get());
            var failure = assertThrows(java.util.concurrent.ExecutionException.class, b::get);
            assertSame(bad, failure.getCause());
        }
    }

    @Test
    void anOutageFailsEveryCallerOfTheBatchWithTheSameError() {
        NetBoxException.Unavailable down = new NetBoxException.Unavailable("GET /x/", "connection refused", null);
        Batcher<String, String> batcher = new Batcher<>("read", 10, 1, keys -> {
            throw down;
        }, null);
        assertSame(down, assertThrows(NetBoxException.Unavailable.class, () -> batcher.get("a")));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void prefixPlanFindsTheMostSpecificPrefixAndIsReloadedWhenOld() throws Exception {
        List<String> plan = new ArrayList<>(List.of("10.0.0.0/8", "10.66.0.0/16", "2001:db8::/32", "garbage"));
        int[] loads = {0};
        PrefixIndex index = new PrefixIndex(() -> {
            loads[0]++;
            return plan.stream().map(p -> new PrefixIndex.Listed(p, java.util.Optional.empty())).toList();
        }, Duration.ofMillis(200));
        assertEquals(OptionalInt.of(16), length(index, "10.66.16.10"));
        assertEquals(OptionalInt.of(8), length(index, "10.1.2.3"));
        assertEquals(OptionalInt.empty(), length(index, "192.168.1.1"));
        assertEquals(1, loads[0], "one read of the plan for many lookups");
        plan.add("10.66.16.0/20");
        Thread.sleep(250);
        assertEquals(OptionalInt.of(20), length(index, "10.66.16.10"), "a prefix added shows after the age");
        assertEquals(2, loads[0]);
    }

    @Test
    void equallySpecificPrefixesOfSeveralVrfsGoToTheGlobalTable() {
        PrefixIndex index = new PrefixIndex(() -> List.of(
                new PrefixIndex.Listed("10.66.0.0/24", java.util.Optional.of(7L)),
                new PrefixIndex.Listed("10.66.0.0/24", java.util.Optional.empty()),
                new PrefixIndex.Listed("10.66.0.0/16", java.util.Optional.of(3L))), Duration.ofMinutes(1));
        assertEquals(java.util.Optional.empty(), index.longestContaining("10.66.0.5").orElseThrow().vrf());
        assertEquals(java.util.Optional.of(3L), index.longestContaining("10.66.1.5").orElseThrow().vrf());
    }

    private static OptionalInt length(PrefixIndex index, String host) {
        return index.longestContaining(host).map(p -> OptionalInt.of(p.length())).orElse(OptionalInt.empty());
    }
}
