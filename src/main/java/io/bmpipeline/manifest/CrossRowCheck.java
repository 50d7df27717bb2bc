package io.bmpipeline.manifest;

import io.bmpipeline.address.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The rules that span rows, checked in a first pass over the file: a serial listed twice with
 * different MACs fails every row that has it; a MAC listed for two serials fails every row that
 * has it; a row repeated exactly counts once. Memory is a few primitive arrays per row (serials as
 * 64-bit hashes, MACs as 48-bit numbers), so a million-row file fits in a small heap.
 */
final class CrossRowCheck {

    private final LongIntMap firstBySerial = new LongIntMap();
    private final LongIntMap firstByMac = new LongIntMap();
    private long[] serialHash = new long[1024];
    private long[] mac = new long[1024];
    private long[] line = new long[1024];
    private int rows;
    private final BitSet conflictedSerialRow = new BitSet();
    private final BitSet conflictedMacRow = new BitSet();
    private final BitSet duplicateRow = new BitSet();
    private final Map<Long, String> reasons = new HashMap<>();

    void add(ManifestRow row) {
        if (rows == serialHash.length) {
            serialHash = Arrays.copyOf(serialHash, rows * 2);
            mac = Arrays.copyOf(mac, rows * 2);
            line = Arrays.copyOf(line, rows * 2);
        }
        long s = hash(row.serial().toUpperCase(Locale.ROOT));
        long m = macBits(row.mac());
        int index = rows++;
        serialHash[index] = s;
        mac[index] = m;
        line[index] = row.line();
        int sameSerial = firstBySerial.putIfAbsent(s, index);
        if (sameSerial >= 0) {
            if (mac[sameSerial] == m) {
                duplicateRow.set(index);
                reasons.put(row.line(), "repeats line " + line[sameSerial]);
                return;
            }
            conflictedSerialRow.set(sameSerial);
            conflictedSerialRow.set(index);
            reasons.merge(line[sameSerial], "serial " + row.serial() + " is listed again on line " + row.line()
                    + " with another MAC", (a, b) -> a);
            reasons.put(row.line(), "serial " + row.serial() + " is already listed on line " + line[sameSerial]
                    + " with another MAC");
        }
        int sameMac = firstByMac.putIfAbsent(m, index);
        if (sameMac >= 0 && serialHash[sameMac] != s) {
            conflictedMacRow.set(sameMac);
            conflictedMacRow.set(index);
            reasons.merge(line[sameMac], "MAC " + row.mac() + " is listed again on line " + row.line()
                    + " for another serial", (a, b) -> a);
            reasons.merge(row.line(), "MAC " + row.mac() + " is already listed on line " + line[sameMac]
                    + " for another serial", (a, b) -> a + "; " + b);
        }
    }

    /** Why this line cannot be loaded, if a cross-row rule says so. */
    java.util.Optional<Outcome> verdict(long rowLine, int rowIndex) {
        if (duplicateRow.get(rowIndex)) {
            return java.util.Optional.of(new Outcome(ManifestOutcome.DUPLICATE_ROW, reasons.get(rowLine)));
        }
        if (conflictedSerialRow.get(rowIndex) || conflictedMacRow.get(rowIndex)) {
            return java.util.Optional.of(new Outcome(ManifestOutcome.FAILED, reasons.get(rowLine)));
        }
        return java.util.Optional.empty();
    }

    record Outcome(ManifestOutcome outcome, String reason) {}

    int rows() {
        return rows;
    }

    private static long macBits(MacAddress mac) {
        return Long.parseLong(mac.value().replace(":", ""), 16);
    }

    /** 64-bit FNV-1a: collisions among a million serials are improbable (about 3 in 10^8). */
    private static long hash(String serial) {
        long h = 0xcbf29ce484222325L;
        for (byte b : serial.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** Open addressing long → int, no boxing. */
    private static final class LongIntMap {
        private long[] keys = new long[2048];
        private int[] values = new int[2048];
        private boolean[] used = new boolean[2048];
        private int size;

        /** The existing value, or -1 after storing {@code value}. */
        int putIfAbsent(long key, int value) {
            if (size * 2 >= keys.length) {
                grow();
            }
            int slot = slot(key, keys.length);
            while (used[slot]) {
                if (keys[slot] == key) {
                    return values[slot];
                }
                slot = (slot + 1) & (keys.length - 1);
            }
            used[slot] = true;
            keys[slot] = key;
            values[slot] = value;
            size++;
            return -1;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldValues = values;
            boolean[] oldUsed = used;
            keys = new long[oldKeys.length * 2];
            values = new int[oldKeys.length * 2];
            used = new boolean[oldKeys.length * 2];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldUsed[i]) {
                    int slot = slot(oldKeys[i], keys.length);
                    while (used[slot]) {
                        slot = (slot + 1) & (keys.length - 1);
                    }
                    used[slot] = true;
                    keys[slot] = oldKeys[i];
                    values[slot] = oldValues[i];
                }
            }
        }

        private static int slot(long key, int capacity) {
            long mixed = key * 0x9E3779B97F4A7C15L;
            return (int) (mixed >>> 40) & (capacity - 1);
        }
    }
}
