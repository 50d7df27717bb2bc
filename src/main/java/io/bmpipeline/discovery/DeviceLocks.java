package io.bmpipeline.discovery;

import java.util.concurrent.Semaphore;
import org.apache.camel.Exchange;

/**
 * Applies one lease of a device at a time. The bus orders each MAC's leases; a device leasing from two MACs (two BMC
 * ports, a replaced BMC) would otherwise have two leases read, decided and written at once, each deciding on what the
 * other is about to change. A lease holds its device from the moment it is known whose lease it is until its exchange
 * is done, success or failure. Devices share a fixed set of locks by id (a collision only makes two unrelated devices
 * take turns), so nothing grows with the fleet. Locks are not owned by a thread: they are released by the exchange.
 */
public final class DeviceLocks {

    private final Semaphore[] stripes;

    public DeviceLocks(int stripes) {
        if (stripes < 1) {
            throw new IllegalArgumentException("stripes must be at least 1, got " + stripes);
        }
        this.stripes = new Semaphore[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new Semaphore(1);
        }
    }

    /** Waits for the device's lock and hands back what releases it (once, however often it is called). */
    public Runnable acquire(long deviceId) {
        Semaphore lock = stripes[Math.floorMod(Long.hashCode(deviceId) * 0x9E3779B9, stripes.length)];
        lock.acquireUninterruptibly();
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                lock.release();
            }
        };
    }

    /**
     * The route's step: holds the device the identified lease belongs to until the exchange is done. A lease of no
     * known device holds nothing.
     */
    public BmcIdentity hold(BmcIdentity identity, Exchange exchange) {
        identity.deviceId().ifPresent(id -> {
            Runnable release = acquire(id);
            exchange.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    release.run();
                }
            });
        });
        return identity;
    }
}
