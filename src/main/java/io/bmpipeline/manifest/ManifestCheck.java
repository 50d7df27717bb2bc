package io.bmpipeline.manifest;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The NetBox-free part of a load — reading and the cross-row rules — for a file of any size; it
 * runs as a plain main so its memory can be measured in a JVM of a chosen heap.
 * Prints rows, row errors and rows the cross-row rules stop.
 */
public final class ManifestCheck {

    private ManifestCheck() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        CrossRowCheck check = new CrossRowCheck();
        AtomicLong errors = new AtomicLong();
        ManifestReader.read(file, item -> {
            switch (item) {
                case ManifestReader.Item.Row row -> check.add(row.row());
                case ManifestReader.Item.Error error -> errors.incrementAndGet();
            }
        });
        // Second pass, as the loader makes it: verdicts by row.
        final long[] counter = {0};
        final int[] position = {0};
        ManifestReader.read(file, item -> {
            if (item instanceof ManifestReader.Item.Row(ManifestRow row)) {
                if (check.verdict(row.line(), position[0]++).isPresent()) {
                    counter[0]++;
                }
            }
        });
        long stopped = counter[0];
        System.out.printf("rows=%d rowErrors=%d stoppedByCrossRowRules=%d heapUsedMiB=%d%n", check.rows(), errors.get(),
                stopped, (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    }
}
