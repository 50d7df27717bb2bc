package io.bmpipeline.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bmpipeline.lifecycle.Decision.Warn;
import io.bmpipeline.lifecycle.Decision.Warning;
import io.bmpipeline.lifecycle.FlapLimiter.Admission;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FlapLimiterTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Decision IP_MISMATCH = new Warn(Warning.BMC_IP_MISMATCH);

    private final FlapLimiter limiter = new FlapLimiter(Duration.ofMinutes(10), 1000);

    @Test
    void firstWarningIsJournaledAndRepeatsWithinTheWindowAreOnlyCounted() {
        assertEquals(new Admission.Journal(0), limiter.admit("SN1", IP_MISMATCH, T0));
        assertEquals(new Admission.CountOnly(1), limiter.admit("SN1", IP_MISMATCH, T0.plusSeconds(30)));
        assertEquals(new Admission.CountOnly(2), limiter.admit("SN1", IP_MISMATCH, T0.plusSeconds(599)));
        assertEquals(2, limiter.suppressedTotal());
    }

    @Test
    void afterTheWindowTheNextWarningIsJournaledWithTheSuppressedCount() {
        limiter.admit("SN1", IP_MISMATCH, T0);
        limiter.admit("SN1", IP_MISMATCH, T0.plusSeconds(60));
        limiter.admit("SN1", IP_MISMATCH, T0.plusSeconds(120));
        assertEquals(new Admission.Journal(2), limiter.admit("SN1", IP_MISMATCH, T0.plus(Duration.ofMinutes(10))));
        assertEquals(new Admission.CountOnly(1), limiter.admit("SN1", IP_MISMATCH, T0.plus(Duration.ofMinutes(11))));
    }

    @Test
    void devicesAreLimitedIndependently() {
        assertEquals(new Admission.Journal(0), limiter.admit("SN1", IP_MISMATCH, T0));
        assertEquals(new Admission.Journal(0), limiter.admit("SN2", IP_MISMATCH, T0));
        assertEquals(new Admission.CountOnly(1), limiter.admit("SN1", IP_MISMATCH, T0));
    }

    @Test
    void oneDecisionDoesNotHideAnotherOnTheSameDevice() {
        limiter.admit("SN1", IP_MISMATCH, T0);
        assertEquals(new Admission.Journal(0),
                limiter.admit("SN1", new Decision.Quarantine(Conflict.LEASED_IP_ON_ANOTHER_BMC), T0));
        assertEquals(new Admission.Journal(0), limiter.admit("SN1", new Decision.RefreshBmcIp(), T0));
    }

    @Test
    void decisionsJournaledEveryTimeAreAlwaysAdmittedAndNotTracked() {
        Decision promote = new Decision.Promote(DeviceStatus.DISCOVERED, Decision.IpWrite.ASSIGN);
        for (int i = 0; i < 5; i++) {
            assertEquals(new Admission.Journal(0), limiter.admit("SN1", promote, T0));
        }
        assertEquals(0, limiter.trackedKeys());
    }

    @Test
    void askingForADecisionThatJournalsNothingIsAWiringMistake() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> limiter.admit("SN1", new Decision.NoOp(), T0));
        assertEquals("decision 'no action' journals nothing", e.getMessage());
    }

    @Test
    void aClockSteppingBackwardsOpensANewWindow() {
        limiter.admit("SN1", IP_MISMATCH, T0);
        assertEquals(new Admission.Journal(0), limiter.admit("SN1", IP_MISMATCH, T0.minusSeconds(1)));
    }

    @Test
    void expiredWindowsAreForgottenWhenTheBoundIsReached() {
        FlapLimiter small = new FlapLimiter(Duration.ofMinutes(1), 3);
        small.admit("SN1", IP_MISMATCH, T0);
        small.admit("SN2", IP_MISMATCH, T0);
        small.admit("SN3", IP_MISMATCH, T0);
        assertEquals(3, small.trackedKeys());
        small.admit("SN4", IP_MISMATCH, T0.plus(Duration.ofMinutes(2)));
        assertEquals(1, small.trackedKeys());
    }

    @Test
    void aWindowMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new FlapLimiter(Duration.ZERO, 10));
        assertThrows(IllegalArgumentException.class, () -> new FlapLimiter(Duration.ofMinutes(1), 0));
    }
}
