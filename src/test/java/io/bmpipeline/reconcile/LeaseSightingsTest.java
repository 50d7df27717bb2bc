package io.bmpipeline.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.discovery.BmcLease;
import io.bmpipeline.discovery.DiscoveryCase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease sightings file: one line per MAC, kept across restarts, bounded by age, readable only when free. */
class LeaseSightingsTest {

    private static final MacAddress A = MacAddress.of("D0:94:66:00:00:0A");
    private static final MacAddress B = MacAddress.of("D0:94:66:00:00:0B");
    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

    @TempDir
    Path dir;

    private static DiscoveryCase unexpected(MacAddress mac, String ip, Instant at) {
        return new DiscoveryCase.SeenNotExpected(new BmcLease("lease-" + mac.value() + "-" + at, mac, ip,
                OptionalInt.of(24), Optional.of("bmc-" + ip), Optional.empty(), "tap", at), List.of());
    }

    private LeaseSightings open(Instant now) {
        return LeaseSightings.open(dir.resolve("sightings"), Duration.ofDays(90), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void oneLinePerMacKeptAcrossARestartAndTheSameLeaseCountedOnce() throws Exception {
        try (LeaseSightings sightings = open(T0)) {
            sightings.decided(unexpected(A, "10.0.0.1", T0));
            sightings.decided(unexpected(A, "10.0.0.1", T0));              // redelivered: the same lease
            sightings.decided(unexpected(A, "10.0.0.2", T0.plusSeconds(60)));
            sightings.decided(unexpected(A, "10.0.0.0", T0.minusSeconds(60))); // an older lease, handled late
            sightings.refused(unexpected(B, "10.0.0.9", T0.plusSeconds(30)));
        }
        List<LeaseSighting> read = LeaseSightings.readStopped(dir.resolve("sightings"));
        assertEquals(List.of(A, B), read.stream().map(LeaseSighting::mac).toList(), "most recently seen first");
        LeaseSighting a = read.getFirst();
        assertEquals("10.0.0.2", a.ip(), "the latest lease's address");
        assertEquals(Optional.of("bmc-10.0.0.2"), a.hostname());
        assertEquals(T0.minusSeconds(60), a.firstSeen());
        assertEquals(T0.plusSeconds(60), a.lastSeen());
        assertEquals(3, a.count());
        assertEquals(LeaseSighting.SEEN_NOT_EXPECTED, a.decision());
        assertEquals(LeaseSighting.REJECTED, read.get(1).decision());
        assertEquals(read, LeaseSightings.fromJson(LeaseSightings.toJson(read)), "the service's answer reads back");

        try (LeaseSightings reopened = open(T0)) {
            assertEquals(read, reopened.all());
        }
    }

    @Test
    void aMacThatHasNotLeasedForMaxAgeIsDroppedWhenTheStoreOpens() throws Exception {
        try (LeaseSightings sightings = open(T0)) {
            sightings.decided(unexpected(A, "10.0.0.1", T0));
            sightings.decided(unexpected(B, "10.0.0.2", T0.plus(Duration.ofDays(60))));
        }
        try (LeaseSightings later = open(T0.plus(Duration.ofDays(91)))) {
            assertEquals(List.of(B), later.all().stream().map(LeaseSighting::mac).toList());
        }
        assertEquals(List.of(B), LeaseSightings.readStopped(dir.resolve("sightings")).stream()
                .map(LeaseSighting::mac).toList());
    }

    @Test
    void aStoreThatIsMissingOrHeldIsAnErrorNamingIt() {
        Path path = dir.resolve("sightings");
        LeaseSightings.Unreadable missing = assertThrows(LeaseSightings.Unreadable.class,
                () -> LeaseSightings.readStopped(path));
        assertTrue(missing.getMessage().contains("no such store: " + path + ".mv.db"), missing.getMessage());
        try (LeaseSightings held = open(T0)) {
            held.decided(unexpected(A, "10.0.0.1", T0));
            LeaseSightings.Unreadable locked = assertThrows(LeaseSightings.Unreadable.class,
                    () -> LeaseSightings.readStopped(path));
            assertTrue(locked.getMessage().contains(path + ".mv.db"), locked.getMessage());
        }
    }
}
