package io.bmpipeline.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The site-wide alternative to per-device credentials, for sites that bake one secret into their image: the header
 * {@code X-BM-Signature: t=UNIX-SECONDS,v1=HEX} where HEX is {@code HMAC-SHA256(secret, "t\nMETHOD\nPATH\nBODY")}.
 * A signature whose time is more than the window away from the service's clock is refused, and so is one already
 * seen within the window (a replay): a retry signs again, with a new time. Seen signatures are kept in memory for
 * the window; a restart forgets them, so a replay within the window of a restart is not caught.
 *
 * <p>Signing in the image: {@code printf '%s\n%s\n%s\n%s' "$t" POST "$path" "$body" | openssl dgst -sha256 -hmac
 * "$secret"}.
 */
public final class SiteSignature {

    public static final String HEADER = "X-BM-Signature";
    private static final int MAX_REMEMBERED = 1_000_000;

    private final byte[] secret;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Instant> seen = new ConcurrentHashMap<>();

    public SiteSignature(byte[] secret, Duration window, Clock clock) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the site HMAC secret must be at least 16 bytes, is " + secret.length);
        }
        this.secret = secret.clone();
        this.window = window;
        this.clock = clock;
    }

    /** Empty when the request is signed right and fresh; otherwise why it is refused. */
    public Optional<String> refusal(String header, String method, String path, byte[] body) {
        String t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                t = kv[1];
            } else if (kv.length == 2 && kv[0].equals("v1")) {
                v1 = kv[1].toLowerCase(java.util.Locale.ROOT);
            }
        }
        if (t == null || v1 == null || !t.matches("\\d{1,12}") || !v1.matches("[0-9a-f]{64}")) {
            return Optional.of(HEADER + " must be t=UNIX-SECONDS,v1=64 hex digits");
        }
        Instant now = clock.instant();
        Instant signedAt = Instant.ofEpochSecond(Long.parseLong(t));
        if (Duration.between(signedAt, now).abs().compareTo(window) > 0) {
            return Optional.of("signature time " + signedAt + " is outside the " + window.toSeconds()
                    + " s window of the service's clock");
        }
        byte[] expected = sign(t, method, path, body);
        if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(v1))) {
            return Optional.of("signature does not match the body");
        }
        forgetExpired(now);
        if (seen.putIfAbsent(v1, signedAt.plus(window)) != null) {
            return Optional.of("signature already used (replayed request)");
        }
        return Optional.empty();
    }

    byte[] sign(String t, String method, String path, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((t + "\n" + method + "\n" + path + "\n").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private void forgetExpired(Instant now) {
        if (seen.size() < MAX_REMEMBERED / 2 && (now.getNano() % 64 != 0)) {
            return; // sweep now and then, and always when the map grows large
        }
        for (Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue().isBefore(now)) {
                it.remove();
            }
        }
    }
}
