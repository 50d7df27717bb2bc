package io.bmpipeline.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to a device, reduced to the facts the lifecycle decides on. Payloads (the lease itself, a
 * PXE report) stay with the caller; an event here is a small, finite value, so that every possible input of
 * the table can be enumerated ({@link #all()}) and checked to have exactly one rule.
 */
public sealed interface LifecycleEvent {

    Kind kind();

    /** The kinds of event, one per phase outcome. */
    enum Kind {
        BMC_LEASE_OBSERVED("BMC lease observed"),
        PXE_STEP_REPORTED("PXE validation step reported"),
        PXE_VALIDATION_PASSED("PXE validation passed"),
        PXE_VALIDATION_FAILED("PXE validation failed"),
        HARDENING_SUCCEEDED("hardening succeeded"),
        HARDENING_FAILED("hardening failed"),
        TENANT_DELIVERED("tenant delivered");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Phase 0: a BMC of a known device got a DHCP lease. */
    record BmcLeaseObserved(RecordedBmcIp recordedBmcIp, Conflict conflict) implements LifecycleEvent {
        public BmcLeaseObserved {
            Objects.requireNonNull(recordedBmcIp, "recordedBmcIp");
            Objects.requireNonNull(conflict, "conflict");
        }

        public static BmcLeaseObserved withoutConflict(RecordedBmcIp recordedBmcIp) {
            return new BmcLeaseObserved(recordedBmcIp, Conflict.NONE);
        }

        /**
         * The facts of one lease as the discovery route finds them: the BMC IP NetBox records for the device (host or
         * CIDR), the IP just leased, and the two conflict checks.
         */
        public static BmcLeaseObserved of(Optional<String> recordedBmcIp, String leasedIp,
                                          boolean bmcMacOnSeveralDevices, boolean leasedIpOnAnotherBmc) {
            return new BmcLeaseObserved(RecordedBmcIp.compare(recordedBmcIp, leasedIp),
                    Conflict.of(bmcMacOnSeveralDevices, leasedIpOnAnotherBmc));
        }

        /**
         * As above, with when the recorded BMC IP's lease was seen and when this one was (the stale-lease guard), and
         * whether NetBox has the leased IP set aside or given to something that is no BMC.
         */
        public static BmcLeaseObserved of(Optional<String> recordedBmcIp, Optional<java.time.Instant> recordedFromLeaseAt,
                                          String leasedIp, java.time.Instant leaseSeenAt,
                                          boolean bmcMacOnSeveralDevices, boolean leasedIpOnAnotherBmc,
                                          boolean leasedIpNotFree) {
            return new BmcLeaseObserved(RecordedBmcIp.compare(recordedBmcIp, recordedFromLeaseAt, leasedIp, leaseSeenAt),
                    Conflict.of(bmcMacOnSeveralDevices, leasedIpOnAnotherBmc, leasedIpNotFree));
        }

        @Override
        public Kind kind() {
            return Kind.BMC_LEASE_OBSERVED;
        }
    }

    /** Phase 1: the PXE image reported one validation step (01-init … 04-lldp, or an operator's own step). */
    record PxeStepReported() implements LifecycleEvent {
        @Override
        public Kind kind() {
            return Kind.PXE_STEP_REPORTED;
        }
    }

    /** Phase 1: every validation step of the PXE image passed (05-report). */
    record PxeValidationPassed() implements LifecycleEvent {
        @Override
        public Kind kind() {
            return Kind.PXE_VALIDATION_PASSED;
        }
    }

    /** Phase 1: at least one validation step failed. */
    record PxeValidationFailed() implements LifecycleEvent {
        @Override
        public Kind kind() {
            return Kind.PXE_VALIDATION_FAILED;
        }
    }

    /** Phase 2: the hardening playbook completed without error. */
    record HardeningSucceeded() implements LifecycleEvent {
        @Override
        public Kind kind() {
            return Kind.HARDENING_SUCCEEDED;
        }
    }

    /** Phase 2: the hardening playbook failed. */
    record HardeningFailed() implements LifecycleEvent {
        @Override
        public Kind kind() {
            return Kind.HARDENING_FAILED;
        }
    }

    /** Delivery: the device was handed to its tenant. */
    record TenantDelivered() implements LifecycleEvent {
        @Override
        public Kind kind() {
            return Kind.TENANT_DELIVERED;
        }
    }

    /** Every distinct event value the table can be asked about, in a stable order. */
    static List<LifecycleEvent> all() {
        List<LifecycleEvent> events = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            events.addAll(allOf(kind));
        }
        return List.copyOf(events);
    }

    /** Every distinct event value of one kind: all fact combinations for a lease, the single value otherwise. */
    static List<LifecycleEvent> allOf(Kind kind) {
        return switch (kind) {
            case BMC_LEASE_OBSERVED -> {
                List<LifecycleEvent> leases = new ArrayList<>();
                for (Conflict conflict : Conflict.values()) {
                    for (RecordedBmcIp ip : RecordedBmcIp.values()) {
                        leases.add(new BmcLeaseObserved(ip, conflict));
                    }
                }
                yield List.copyOf(leases);
            }
            case PXE_STEP_REPORTED -> List.of(new PxeStepReported());
            case PXE_VALIDATION_PASSED -> List.of(new PxeValidationPassed());
            case PXE_VALIDATION_FAILED -> List.of(new PxeValidationFailed());
            case HARDENING_SUCCEEDED -> List.of(new HardeningSucceeded());
            case HARDENING_FAILED -> List.of(new HardeningFailed());
            case TENANT_DELIVERED -> List.of(new TenantDelivered());
        };
    }
}
