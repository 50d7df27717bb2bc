package io.bmpipeline.lifecycle;

import static io.bmpipeline.lifecycle.DeviceStatus.ACTIVE;
import static io.bmpipeline.lifecycle.DeviceStatus.DISCOVERED;
import static io.bmpipeline.lifecycle.DeviceStatus.OFFLINE;
import static io.bmpipeline.lifecycle.DeviceStatus.READY;
import static io.bmpipeline.lifecycle.DeviceStatus.STAGED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.lifecycle.Decision.AssignBmcIp;
import io.bmpipeline.lifecycle.Decision.IpWrite;
import io.bmpipeline.lifecycle.Decision.NetBoxWrite;
import io.bmpipeline.lifecycle.Decision.NoOp;
import io.bmpipeline.lifecycle.Decision.Promote;
import io.bmpipeline.lifecycle.Decision.Quarantine;
import io.bmpipeline.lifecycle.Decision.RefreshBmcIp;
import io.bmpipeline.lifecycle.Decision.ReportFailure;
import io.bmpipeline.lifecycle.Decision.Stage;
import io.bmpipeline.lifecycle.Decision.Warn;
import io.bmpipeline.lifecycle.Decision.Warning;
import io.bmpipeline.lifecycle.LifecycleEvent.BmcLeaseObserved;
import io.bmpipeline.lifecycle.LifecycleEvent.HardeningFailed;
import io.bmpipeline.lifecycle.LifecycleEvent.HardeningSucceeded;
import io.bmpipeline.lifecycle.LifecycleEvent.PxeValidationFailed;
import io.bmpipeline.lifecycle.LifecycleEvent.PxeValidationPassed;
import io.bmpipeline.lifecycle.LifecycleEvent.TenantDelivered;
import io.bmpipeline.netbox.JournalEntry;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LifecycleTableTest {

    private static final LifecycleTable TABLE = LifecycleTable.STANDARD;

    private static Decision lease(DeviceStatus status, RecordedBmcIp ip) {
        return TABLE.decide(status, BmcLeaseObserved.withoutConflict(ip));
    }

    // ---- the table as a whole ------------------------------------------------------------------------------------

    @Test
    void everyStatusAndEventValueHasExactlyOneRule() {
        int combinations = 0;
        for (DeviceStatus status : DeviceStatus.values()) {
            for (LifecycleEvent event : LifecycleEvent.all()) {
                List<String> matching = TABLE.rules().stream().filter(r -> r.matches(status, event))
                        .map(Rule::id).toList();
                assertEquals(1, matching.size(), status + " × " + event + " matched " + matching);
                assertEquals(matching.getFirst(), TABLE.ruleFor(status, event).id());
                combinations++;
            }
        }
        // 10 statuses × (4 recorded-IP comparisons × 4 conflicts + 6 phase events): the space the table covers.
        assertEquals(10 * (4 * 4 + 6), combinations);
    }

    @Test
    void everyRuleDecidesSomething() {
        Set<String> used = new java.util.HashSet<>();
        for (DeviceStatus status : DeviceStatus.values()) {
            for (LifecycleEvent event : LifecycleEvent.all()) {
                used.add(TABLE.ruleFor(status, event).id());
            }
        }
        assertEquals(TABLE.rules().stream().map(Rule::id).collect(Collectors.toSet()), used);
    }

    @Test
    void everyDecisionKindIsReachable() {
        Set<Decision.Kind> kinds = EnumSet.noneOf(Decision.Kind.class);
        TABLE.rules().forEach(r -> kinds.add(r.decision().kind()));
        assertEquals(EnumSet.allOf(Decision.Kind.class), kinds);
    }

    // ---- the spec's Phase 0 table, row by row --------------------------------------------------------------------

    @Test
    void offlineDeviceIsPromotedToDiscoveredAndGetsItsBmcIp() {
        Decision decision = lease(OFFLINE, RecordedBmcIp.ABSENT);
        assertEquals(new Promote(DISCOVERED, IpWrite.ASSIGN), decision);
        assertEquals(EnumSet.of(NetBoxWrite.STATUS, NetBoxWrite.BMC_IP, NetBoxWrite.OOB_IP), decision.writes());
        assertEquals(JournalEntry.Kind.SUCCESS, decision.journal().orElseThrow().kind());
    }

    @Test
    void offlineDeviceWithItsBmcIpAlreadyRecordedIsPromotedWithoutIpWrite() {
        Decision decision = lease(OFFLINE, RecordedBmcIp.SAME);
        assertEquals(new Promote(DISCOVERED, IpWrite.KEEP), decision);
        assertEquals(EnumSet.of(NetBoxWrite.STATUS), decision.writes());
    }

    @Test
    void offlineDeviceWithAPlannedBmcIpIsPromotedAndTheLeasedIpReplacesIt() {
        assertEquals(new Promote(DISCOVERED, IpWrite.REPLACE), lease(OFFLINE, RecordedBmcIp.DIFFERENT));
    }

    @Test
    void discoveredDeviceWithANewLeaseGetsItsBmcIpRefreshed() {
        Decision decision = lease(DISCOVERED, RecordedBmcIp.DIFFERENT);
        assertEquals(new RefreshBmcIp(), decision);
        assertEquals(EnumSet.of(NetBoxWrite.BMC_IP, NetBoxWrite.OOB_IP), decision.writes());
        assertEquals(Decision.JournalPolicy.ONCE_PER_WINDOW, decision.journal().orElseThrow().policy());
    }

    @Test
    void discoveredDeviceWithoutBmcIpGetsTheLeasedIp() {
        assertEquals(new AssignBmcIp(), lease(DISCOVERED, RecordedBmcIp.ABSENT));
    }

    @Test
    void discoveredDeviceWhoseLeaseConfirmsItsIpIsLeftAlone() {
        assertEquals(new NoOp(), lease(DISCOVERED, RecordedBmcIp.SAME));
    }

    @Test
    void activeDeviceWithoutBmcIpGetsItAssigned() {
        Decision decision = lease(ACTIVE, RecordedBmcIp.ABSENT);
        assertEquals(new AssignBmcIp(), decision);
        assertFalse(decision.writes().contains(NetBoxWrite.STATUS));
    }

    @Test
    void activeDeviceWithMatchingIpGetsNoAction() {
        Decision decision = lease(ACTIVE, RecordedBmcIp.SAME);
        assertEquals(new NoOp(), decision);
        assertTrue(decision.writes().isEmpty());
        assertTrue(decision.journal().isEmpty());
        assertTrue(decision.announcement().isEmpty());
    }

    @Test
    void activeDeviceWithDifferentIpGetsWarningNotWrite() {
        Decision decision = lease(ACTIVE, RecordedBmcIp.DIFFERENT);
        assertEquals(new Warn(Warning.BMC_IP_MISMATCH), decision);
        assertTrue(decision.writes().isEmpty());
        assertEquals(JournalEntry.Kind.WARNING, decision.journal().orElseThrow().kind());
    }

    @ParameterizedTest
    @EnumSource(value = DeviceStatus.class, names = {"PLANNED", "FAILED", "DECOMMISSIONING", "INVENTORY", "OTHER"})
    void anyOtherStatusGetsWarningAndNoAction(DeviceStatus status) {
        for (RecordedBmcIp ip : RecordedBmcIp.values()) {
            Decision decision = lease(status, ip);
            assertEquals(new Warn(Warning.UNTOUCHABLE_STATUS), decision, status + " with " + ip);
            assertTrue(decision.writes().isEmpty());
            assertEquals(JournalEntry.Kind.WARNING, decision.journal().orElseThrow().kind());
        }
    }

    // ---- DESIGN §2 -----------------------------------------------------------------------------------------------

    @Test
    void noDecisionEverMovesADeviceBackwardsOrOffThePath() {
        for (DeviceStatus status : DeviceStatus.values()) {
            for (LifecycleEvent event : LifecycleEvent.all()) {
                Decision decision = TABLE.decide(status, event);
                if (decision instanceof Promote promote) {
                    assertTrue(status.precedes(promote.to()), status + " × " + event + " → " + promote);
                } else {
                    assertFalse(decision.writes().contains(NetBoxWrite.STATUS), status + " × " + event);
                }
            }
        }
    }

    @Test
    void readyAndActiveAreNeverDemoted() {
        for (DeviceStatus status : EnumSet.of(READY, ACTIVE)) {
            for (LifecycleEvent event : LifecycleEvent.all()) {
                Decision decision = TABLE.decide(status, event);
                if (decision instanceof Promote promote) {
                    assertEquals(ACTIVE, promote.to());
                    assertEquals(READY, status);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DeviceStatus.class, names = {"PLANNED", "FAILED", "DECOMMISSIONING", "INVENTORY", "OTHER"})
    void untouchableStatusesAreNeverWrittenWhateverTheEvent(DeviceStatus status) {
        for (LifecycleEvent event : LifecycleEvent.all()) {
            Decision decision = TABLE.decide(status, event);
            assertTrue(decision.writes().isEmpty(), status + " × " + event + " → " + decision);
            assertTrue(decision instanceof Warn || decision instanceof Quarantine, status + " × " + event);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceStatus.class)
    void bmcMacOnSeveralDevicesQuarantinesInEveryStatus(DeviceStatus status) {
        for (RecordedBmcIp ip : RecordedBmcIp.values()) {
            Decision decision = TABLE.decide(status, new BmcLeaseObserved(ip, Conflict.BMC_MAC_ON_SEVERAL_DEVICES));
            assertEquals(new Quarantine(Conflict.BMC_MAC_ON_SEVERAL_DEVICES), decision);
            assertTrue(decision.writes().isEmpty());
            assertEquals(JournalEntry.Kind.DANGER, decision.journal().orElseThrow().kind());
            assertEquals(io.bmpipeline.events.Topics.HW_ALERTS, decision.announcement().orElseThrow().topic());
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceStatus.class)
    void leasedIpOnAnotherBmcQuarantinesInEveryStatus(DeviceStatus status) {
        for (RecordedBmcIp ip : RecordedBmcIp.values()) {
            Decision decision = TABLE.decide(status, new BmcLeaseObserved(ip, Conflict.LEASED_IP_ON_ANOTHER_BMC));
            assertEquals(new Quarantine(Conflict.LEASED_IP_ON_ANOTHER_BMC), decision);
            assertTrue(decision.writes().isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceStatus.class)
    void aLeasedIpNetBoxSetsAsideOrGivesElsewhereQuarantinesInEveryStatus(DeviceStatus status) {
        for (RecordedBmcIp ip : RecordedBmcIp.values()) {
            Decision decision = TABLE.decide(status, new BmcLeaseObserved(ip, Conflict.LEASED_IP_NOT_FREE));
            assertEquals(new Quarantine(Conflict.LEASED_IP_NOT_FREE), decision);
            assertTrue(decision.writes().isEmpty());
        }
        assertEquals(Conflict.LEASED_IP_ON_ANOTHER_BMC, Conflict.of(false, true, true));
        assertEquals(Conflict.LEASED_IP_NOT_FREE, Conflict.of(false, false, true));
    }

    @Test
    void duplicatedMacTakesPrecedenceOverDuplicatedIp() {
        assertEquals(Conflict.BMC_MAC_ON_SEVERAL_DEVICES, Conflict.of(true, true));
        assertEquals(Conflict.LEASED_IP_ON_ANOTHER_BMC, Conflict.of(false, true));
        assertEquals(Conflict.NONE, Conflict.of(false, false));
    }

    @ParameterizedTest
    @EnumSource(value = DeviceStatus.class, names = {"OFFLINE", "DISCOVERED", "STAGED", "READY", "ACTIVE"})
    void aLeaseOlderThanTheOneTheRecordedIpCameFromChangesNothing(DeviceStatus status) {
        Decision decision = lease(status, RecordedBmcIp.FROM_LATER_LEASE);
        assertEquals(new NoOp(), decision);
        assertTrue(decision.writes().isEmpty());
        assertTrue(decision.announcement().isEmpty());
    }

    @Test
    void onlyADifferentIpFromALaterLeaseMakesALeaseLate() {
        java.time.Instant t1 = java.time.Instant.parse("2026-12-05T01:00:00Z");
        java.time.Instant t2 = t1.plusMillis(1);
        assertEquals(RecordedBmcIp.FROM_LATER_LEASE,
                RecordedBmcIp.compare(Optional.of("10.0.0.6/24"), Optional.of(t2), "10.0.0.5", t1));
        assertEquals(RecordedBmcIp.DIFFERENT,
                RecordedBmcIp.compare(Optional.of("10.0.0.6/24"), Optional.of(t1), "10.0.0.5", t2));
        assertEquals(RecordedBmcIp.DIFFERENT,
                RecordedBmcIp.compare(Optional.of("10.0.0.6/24"), Optional.of(t1), "10.0.0.5", t1), "same instant: not older");
        assertEquals(RecordedBmcIp.DIFFERENT,
                RecordedBmcIp.compare(Optional.of("10.0.0.6/24"), Optional.empty(), "10.0.0.5", t1), "no stamp: an operator's IP");
        assertEquals(RecordedBmcIp.SAME,
                RecordedBmcIp.compare(Optional.of("10.0.0.5/24"), Optional.of(t2), "10.0.0.5", t1));
        assertEquals(RecordedBmcIp.ABSENT, RecordedBmcIp.compare(Optional.empty(), Optional.of(t2), "10.0.0.5", t1));
    }

    @ParameterizedTest
    @EnumSource(value = DeviceStatus.class, names = {"STAGED", "READY"})
    void stagedOrReadyDeviceFollowsTheActiveRowsOnALease(DeviceStatus status) {
        assertEquals(new AssignBmcIp(), lease(status, RecordedBmcIp.ABSENT));
        assertEquals(new NoOp(), lease(status, RecordedBmcIp.SAME));
        assertEquals(new Warn(Warning.BMC_IP_MISMATCH), lease(status, RecordedBmcIp.DIFFERENT));
    }

    @Test
    void repeatedWarningsAndQuarantinesAreRateLimitedPerDevice() {
        for (Rule rule : TABLE.rules()) {
            if (rule.decision() instanceof Warn || rule.decision() instanceof Quarantine) {
                assertEquals(Decision.JournalPolicy.ONCE_PER_WINDOW, rule.decision().journal().orElseThrow().policy(),
                        rule.id());
            }
        }
    }

    // ---- replays: applying a decision, then seeing the same event again, changes nothing -----------------------

    @Test
    void replayingAnAppliedEventIsANoOp() {
        List<String> failures = new ArrayList<>();
        for (DeviceStatus status : DeviceStatus.values()) {
            for (LifecycleEvent event : LifecycleEvent.all()) {
                Decision first = TABLE.decide(status, event);
                Optional<DeviceStatus> after = switch (first) {
                    case Promote p -> Optional.of(p.to());
                    case AssignBmcIp a -> Optional.of(status);
                    case RefreshBmcIp r -> Optional.of(status);
                    default -> Optional.empty();
                };
                if (after.isEmpty()) {
                    continue;
                }
                // Whatever was recorded before, after the write NetBox records the leased IP.
                LifecycleEvent replay = event instanceof BmcLeaseObserved
                        ? BmcLeaseObserved.withoutConflict(RecordedBmcIp.SAME) : event;
                Decision second = TABLE.decide(after.get(), replay);
                if (!(second instanceof NoOp)) {
                    failures.add(status + " × " + event + " → " + first + ", replay → " + second);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    // ---- Phase 1, Phase 2, delivery ------------------------------------------------------------------------------

    @Test
    void discoveredDeviceIsStagedWhenPxeValidationPasses() {
        assertEquals(new Promote(STAGED, IpWrite.KEEP), TABLE.decide(DISCOVERED, new PxeValidationPassed()));
    }

    @Test
    void stagedDeviceIsReadyWhenHardeningSucceeds() {
        assertEquals(new Promote(READY, IpWrite.KEEP), TABLE.decide(STAGED, new HardeningSucceeded()));
    }

    @Test
    void readyDeviceIsActiveWhenDeliveredToItsTenant() {
        assertEquals(new Promote(ACTIVE, IpWrite.KEEP), TABLE.decide(READY, new TenantDelivered()));
    }

    @Test
    void failedValidationIsReportedAndKeepsTheStatus() {
        assertEquals(new ReportFailure(Stage.PXE_VALIDATION), TABLE.decide(DISCOVERED, new PxeValidationFailed()));
        assertEquals(new ReportFailure(Stage.PXE_VALIDATION), TABLE.decide(STAGED, new PxeValidationFailed()));
    }

    @Test
    void aValidationStepIsRecordedInPhaseOneOnlyAndNeverMovesTheDevice() {
        for (DeviceStatus phaseOne : List.of(DISCOVERED, STAGED)) {
            Decision recorded = TABLE.decide(phaseOne, new LifecycleEvent.PxeStepReported());
            assertEquals(new Decision.RecordStep(Stage.PXE_VALIDATION), recorded);
            assertEquals(java.util.EnumSet.of(Decision.NetBoxWrite.LOCAL_CONTEXT), recorded.writes());
        }
        for (DeviceStatus other : List.of(OFFLINE, READY, ACTIVE)) {
            assertEquals(new Warn(Warning.OUT_OF_ORDER), TABLE.decide(other, new LifecycleEvent.PxeStepReported()));
        }
        assertEquals(new Warn(Warning.UNTOUCHABLE_STATUS), TABLE.decide(DeviceStatus.PLANNED,
                new LifecycleEvent.PxeStepReported()));
    }

    @Test
    void failedHardeningIsReportedAndNeverDemotesReady() {
        assertEquals(new ReportFailure(Stage.HARDENING), TABLE.decide(STAGED, new HardeningFailed()));
        Decision onReady = TABLE.decide(READY, new HardeningFailed());
        assertEquals(new ReportFailure(Stage.HARDENING), onReady);
        assertTrue(onReady.writes().isEmpty());
    }

    @Test
    void offlineDeviceIsNotStagedOnAValidationReportAlone() {
        assertEquals(new Warn(Warning.OUT_OF_ORDER), TABLE.decide(OFFLINE, new PxeValidationPassed()));
    }

    @Test
    void phaseEventsThatSkipAStepWarnInsteadOfJumping() {
        assertEquals(new Warn(Warning.OUT_OF_ORDER), TABLE.decide(DISCOVERED, new HardeningSucceeded()));
        assertEquals(new Warn(Warning.OUT_OF_ORDER), TABLE.decide(STAGED, new TenantDelivered()));
        assertEquals(new Warn(Warning.OUT_OF_ORDER), TABLE.decide(ACTIVE, new PxeValidationPassed()));
    }

    // ---- inputs from NetBox --------------------------------------------------------------------------------------

    @Test
    void netboxStatusValuesMapToTheLifecycleAndUnknownOnesAreOther() {
        assertEquals(ACTIVE, DeviceStatus.fromNetBox("active"));
        assertEquals(DISCOVERED, DeviceStatus.fromNetBox(" Discovered "));
        assertEquals(DeviceStatus.OTHER, DeviceStatus.fromNetBox("maintenance"));
        assertEquals(DeviceStatus.OTHER, DeviceStatus.fromNetBox("other"));
        assertEquals(DeviceStatus.OTHER, DeviceStatus.fromNetBox(""));
        assertEquals(DeviceStatus.OTHER, DeviceStatus.fromNetBox(null));
        assertEquals(new Warn(Warning.UNTOUCHABLE_STATUS),
                TABLE.ruleFor("maintenance", BmcLeaseObserved.withoutConflict(RecordedBmcIp.ABSENT)).decision());
    }

    @Test
    void recordedIpIsComparedByHostPart() {
        assertEquals(RecordedBmcIp.SAME, RecordedBmcIp.compare(Optional.of("10.0.0.5/24"), "10.0.0.5"));
        assertEquals(RecordedBmcIp.SAME, RecordedBmcIp.compare(Optional.of("10.0.0.5"), "10.0.0.5/32"));
        assertEquals(RecordedBmcIp.DIFFERENT, RecordedBmcIp.compare(Optional.of("10.0.0.6/24"), "10.0.0.5"));
        assertEquals(RecordedBmcIp.ABSENT, RecordedBmcIp.compare(Optional.empty(), "10.0.0.5"));
        assertEquals(RecordedBmcIp.ABSENT, RecordedBmcIp.compare(Optional.of(" "), "10.0.0.5"));
    }

    @Test
    void leaseFactsAreBuiltFromWhatTheRouteLookedUp() {
        assertEquals(new BmcLeaseObserved(RecordedBmcIp.DIFFERENT, Conflict.NONE),
                BmcLeaseObserved.of(Optional.of("10.0.0.6/24"), "10.0.0.5", false, false));
        assertEquals(new BmcLeaseObserved(RecordedBmcIp.ABSENT, Conflict.LEASED_IP_ON_ANOTHER_BMC),
                BmcLeaseObserved.of(Optional.empty(), "10.0.0.5", false, true));
    }

    // ---- the construction check ----------------------------------------------------------------------------------

    @Test
    void aTableWithAGapFailsNamingTheMissingCombination() {
        List<Rule> rules = new ArrayList<>(TABLE.rules());
        rules.removeIf(r -> r.id().equals("active-lease-different-ip-warns"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new LifecycleTable(rules));
        assertTrue(e.getMessage().contains("no rule for active × BmcLeaseObserved[recordedBmcIp=DIFFERENT, "
                + "conflict=NONE]"), e.getMessage());
    }

    @Test
    void aTableWithOverlappingRowsFailsNamingBoth() {
        List<Rule> rules = new ArrayList<>(TABLE.rules());
        rules.add(new Rule("shadow", EnumSet.of(ACTIVE), EnumSet.of(LifecycleEvent.Kind.BMC_LEASE_OBSERVED),
                Guard.noConflict(RecordedBmcIp.DIFFERENT), new RefreshBmcIp(), "would silently move active IPs"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new LifecycleTable(rules));
        assertTrue(e.getMessage().contains("[active-lease-different-ip-warns, shadow]"), e.getMessage());
    }

    @Test
    void aTableThatMovesADeviceBackwardsIsRejected() {
        List<Rule> rules = new ArrayList<>(TABLE.rules());
        rules.removeIf(r -> r.id().equals("ready-hardening-succeeded-again"));
        rules.add(new Rule("demote", EnumSet.of(READY), EnumSet.of(LifecycleEvent.Kind.HARDENING_SUCCEEDED),
                Guard.ANY, new Promote(STAGED, IpWrite.KEEP), "backwards"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new LifecycleTable(rules));
        assertTrue(e.getMessage().contains("moves ready to staged, which is not forward"), e.getMessage());
    }

    @Test
    void aLeaseGuardOnAnotherEventIsRejected() {
        List<Rule> rules = new ArrayList<>(TABLE.rules());
        rules.removeIf(r -> r.id().equals("ready-delivered-activates"));
        rules.add(new Rule("guarded-delivery", EnumSet.of(READY), EnumSet.of(LifecycleEvent.Kind.TENANT_DELIVERED),
                Guard.noConflict(), new Promote(ACTIVE, IpWrite.KEEP), "guard means nothing here"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new LifecycleTable(rules));
        assertTrue(e.getMessage().contains("'guarded-delivery' guards on lease facts"), e.getMessage());
    }
}
