package io.bmpipeline.testbed;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for a test (root only): a file system that really runs out of space when {@link #fill()}
 * takes what is left, and has it again after {@link #free()}. Unmounted on {@link #close()}.
 */
public final class Tmpfs implements AutoCloseable {

    private final Path dir;
    private final Path filler;

    private Tmpfs(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler");
    }

    /** Mounts a tmpfs of {@code size} (e.g. "8m") on {@code dir}, made if needed; skips the test where it cannot. */
    public static Tmpfs mount(Path dir, String size) {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] result = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        Assumptions.assumeTrue(result[0].equals("0"), "no tmpfs here: " + result[1]);
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes a file until the file system has no room left. */
    public void fill() {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Removes what {@link #fill()} wrote. */
    public void free() {
        try {
            Files.deleteIfExists(filler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unmounts; lazily when a process still holds a file there (it is being killed). */
    @Override
    public void close() {
        if (!run("umount", dir.toString())[0].equals("0")) {
            run("umount", "-l", dir.toString());
        }
    }

    private static String[] run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new String[] {Integer.toString(p.waitFor()), output};
        } catch (IOException e) {
            return new String[] {"-1", e.toString()};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
