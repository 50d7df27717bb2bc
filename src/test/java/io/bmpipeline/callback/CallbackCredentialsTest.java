package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-device callback credentials on a real store file: bound, rotated, revoked, expiring, never stored. */
class CallbackCredentialsTest {

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T12:00:00Z"));

    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private CallbackCredentials open() {
        return CallbackCredentials.open(dir.resolve("creds"), Duration.ofHours(24), clock);
    }

    @Test
    void aMintedCredentialIsBoundToItsDeviceAndSurvivesARestartButIsNeverWrittenDown() throws Exception {
        String token;
        try (CallbackCredentials store = open()) {
            token = store.mint(42, "SN42", "discovered");
            var verdict = assertInstanceOf(CallbackCredentials.Verdict.Valid.class, store.verify(token));
            assertEquals(42, verdict.enrolment().deviceId());
            assertEquals("SN42", verdict.enrolment().serial());
            assertEquals(Optional.of(token), store.current(42, now.get()));
        }
        try (CallbackCredentials reopened = open()) {
            assertInstanceOf(CallbackCredentials.Verdict.Valid.class, reopened.verify(token));
            assertEquals(Optional.of(token), reopened.current(42, now.get()), "the boot configuration gets it again");
            assertEquals(42, reopened.bySerial("sn42").orElseThrow().deviceId());
        }
        String secret = token.substring(CallbackCredentials.PREFIX.length());
        for (Path file : Files.list(dir).toList()) {
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            assertFalse(content.contains(secret), file + " holds the credential");
        }
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(dir.resolve("creds.key")));
    }

    @Test
    void aNewRunReplacesTheCredentialAndRevokingOrExpiryRefusesIt() {
        try (CallbackCredentials store = open()) {
            String first = store.mint(7, "SN7", "discovered");
            String second = store.mint(7, "SN7", "discovered");
            assertTrue(!first.equals(second));
            assertEquals("unknown or replaced callback credential",
                    assertInstanceOf(CallbackCredentials.Verdict.Refused.class, store.verify(first)).why());
            assertInstanceOf(CallbackCredentials.Verdict.Valid.class, store.verify(second));

            now.set(now.get().plus(Duration.ofHours(24)));
            assertTrue(assertInstanceOf(CallbackCredentials.Verdict.Refused.class, store.verify(second)).why()
                    .startsWith("callback credential expired"));
            assertEquals(Optional.empty(), store.current(7, now.get()));

            String third = store.mint(7, "SN7", "discovered");
            assertTrue(store.revoke(7));
            assertEquals("callback credential revoked",
                    assertInstanceOf(CallbackCredentials.Verdict.Refused.class, store.verify(third)).why());
            assertFalse(store.revoke(7));
        }
    }

    @Test
    void theStatusThePipelineSetsIsKeptBesideTheCredential() {
        try (CallbackCredentials store = open()) {
            String token = store.mint(9, "SN9", "discovered");
            store.statusChanged(9, "staged");
            var valid = assertInstanceOf(CallbackCredentials.Verdict.Valid.class, store.verify(token));
            assertEquals("staged", valid.enrolment().status());
            store.statusChanged(10, "ready"); // no credential: nothing to keep
            assertFalse(store.enrolled(10));
        }
    }

    @Test
    void somethingThatIsNoCredentialOfThisServiceIsRefusedWithoutALookup() {
        try (CallbackCredentials store = open()) {
            store.mint(1, "SN1", "discovered");
            for (String junk : new String[] {"", "Bearer", "nbt_abc", CallbackCredentials.PREFIX + "x".repeat(300)}) {
                assertInstanceOf(CallbackCredentials.Verdict.Refused.class, store.verify(junk), junk);
            }
        }
    }
}
