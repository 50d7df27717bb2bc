package io.bmpipeline.management;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The token {@code /bm/*} requires, read from {@code bm.management.token-file}. Never printed: {@link #toString()}
 * says only that there is one.
 */
public final class ManagementToken {

    public static final String KEY = "bm.management.token-file";

    private final byte[] value;

    private ManagementToken(String value) {
        this.value = value.getBytes(StandardCharsets.UTF_8);
    }

    /** The token in {@code file} (surrounding whitespace dropped); fails naming the key and the file. */
    public static ManagementToken read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException(KEY + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        if (text.isEmpty() || text.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw new IllegalStateException(KEY + " " + file + ": the token must be one word of printable characters");
        }
        return new ManagementToken(text);
    }

    public static Optional<ManagementToken> read(Optional<Path> file) {
        return file.map(ManagementToken::read);
    }

    /** Whether an {@code Authorization} header carries this token, compared in constant time. */
    public boolean authorizes(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] offered = authorizationHeader.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(value, offered);
    }

    /** The header a command sends. */
    public String header() {
        return "Bearer " + new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ManagementToken[hidden]";
    }
}
