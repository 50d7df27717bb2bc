package io.bmpipeline.callback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The per-device callback credentials of Phase 1 (after Ironic's agent token): one per device, bound to it, minted
 * when it becomes {@code discovered} and again for each new validation run, refused after its expiry or once
 * revoked. The store keeps, per device, the credential's SHA-256 hash, its expiry and a random nonce — never the
 * credential: that is {@code HMAC-SHA256(key, device id | nonce)} with the service's key ({@code <path>.key},
 * 256 random bits made at first start, owner-only), so the boot configuration can be given the current credential
 * again without it ever being written anywhere, and a copy of the store alone yields nothing.
 *
 * <p>Store: an H2 MVStore file {@code <path>.mv.db}, committed and synced on every change (they are rare: one per
 * device per run). Lookups are in memory.
 */
public final class CallbackCredentials implements AutoCloseable {

    /** Credentials start with this, so secret scanners and people recognise one in a paste. */
    public static final String PREFIX = "bmpxe_";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String MAP = "pxe-credentials";

    /**
     * One device's credential as stored. {@code serial} as NetBox had it at minting; {@code status} the device's
     * lifecycle status as the pipeline last set it (its own announcements on bm.device.state), which the API checks
     * a request against without asking NetBox.
     */
    public record Enrolment(long deviceId, String serial, String status, String nonce, String hash, Instant mintedAt,
                            Instant expiresAt, boolean revoked) {

        Enrolment with(String newStatus, boolean isRevoked) {
            return new Enrolment(deviceId, serial, newStatus, nonce, hash, mintedAt, expiresAt, isRevoked);
        }


        boolean usableAt(Instant now) {
            return !revoked && now.isBefore(expiresAt);
        }
    }

    /** What a presented credential is. */
    public sealed interface Verdict {
        /** Known, unexpired, not revoked: the device it is bound to. */
        record Valid(Enrolment enrolment) implements Verdict {}

        /** Not a credential of this service, or one that was replaced or revoked, or expired; {@code why} says which. */
        record Refused(String why) implements Verdict {}
    }

    private final Path path;
    private final Duration ttl;
    private final Clock clock;
    private volatile Opened opened;

    /** The open store, its in-memory indexes and the key. */
    private record Opened(MVStore store, MVMap<Long, String> byDevice, Map<String, Enrolment> byHash,
                          Map<String, Long> bySerial, byte[] key) {}

    private CallbackCredentials(Path path, Duration ttl, Clock clock) {
        this.path = path;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Opens (or creates) the store {@code <path>.mv.db} and the key {@code <path>.key} now: the service's. */
    public static CallbackCredentials open(Path path, Duration ttl, Clock clock) {
        CallbackCredentials credentials = new CallbackCredentials(path, ttl, clock);
        credentials.opened();
        return credentials;
    }

    /**
     * The store, opened when first used: an operator's command that runs beside the service never uses it, so it
     * must not take the file the running service holds.
     */
    public static CallbackCredentials openOnFirstUse(Path path, Duration ttl, Clock clock) {
        return new CallbackCredentials(path, ttl, clock);
    }

    private Opened opened() {
        Opened now = opened;
        if (now != null) {
            return now;
        }
        synchronized (this) {
            if (opened == null) {
                Path file = Path.of(path + ".mv.db");
                try {
                    if (file.toAbsolutePath().getParent() != null) {
                        Files.createDirectories(file.toAbsolutePath().getParent());
                    }
                    byte[] key = key(Path.of(path + ".key"));
                    MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
                    MVMap<Long, String> byDevice = store.openMap(MAP);
                    Map<String, Enrolment> byHash = new ConcurrentHashMap<>();
                    Map<String, Long> bySerial = new ConcurrentHashMap<>();
                    byDevice.values().forEach(json -> {
                        Enrolment e = parse(json);
                        byHash.put(e.hash(), e);
                        bySerial.put(e.serial().toUpperCase(java.util.Locale.ROOT), e.deviceId());
                    });
                    opened = new Opened(store, byDevice, byHash, bySerial, key);
                } catch (IOException | RuntimeException e) {
                    throw new IllegalStateException("PXE callback credentials " + file + ": " + e.getMessage(), e);
                }
            }
            return opened;
        }
    }

    /**
     * Mints the device's credential for a new validation run: any earlier one of the device stops working now.
     * Returns the credential itself, to be handed to the booting machine and nowhere else.
     */
    public synchronized String mint(long deviceId, String serial, String status) {
        Instant now = clock.instant();
        byte[] nonceBytes = new byte[16];
        RANDOM.nextBytes(nonceBytes);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(nonceBytes);
        String token = derive(deviceId, nonce);
        Enrolment fresh = new Enrolment(deviceId, serial, status, nonce, hash(token), now, now.plus(ttl), false);
        current(deviceId).ifPresent(old -> opened().byHash().remove(old.hash()));
        save(fresh);
        return token;
    }

    /** The device's current credential, when it has one that still works: what the boot configuration hands over. */
    public Optional<String> current(long deviceId, Instant now) {
        return current(deviceId).filter(e -> e.usableAt(now)).map(e -> derive(e.deviceId(), e.nonce()));
    }

    /** The device's enrolment, usable or not. */
    public Optional<Enrolment> current(long deviceId) {
        return Optional.ofNullable(opened().byDevice().get(deviceId)).map(CallbackCredentials::parse);
    }

    /** Whether the device has a credential at all (usable or not). */
    public boolean enrolled(long deviceId) {
        return opened().byDevice().containsKey(deviceId);
    }

    /** Revokes the device's credential; true when there was a usable one. */
    public synchronized boolean revoke(long deviceId) {
        Optional<Enrolment> e = current(deviceId);
        if (e.isEmpty() || e.get().revoked()) {
            return false;
        }
        save(e.get().with(e.get().status(), true));
        return true;
    }

    /** Records the device's new lifecycle status (the pipeline moved it); nothing when it has no credential. */
    public synchronized void statusChanged(long deviceId, String status) {
        current(deviceId).filter(e -> !e.status().equals(status)).ifPresent(e -> save(e.with(status, e.revoked())));
    }

    /** The enrolment of the device NetBox had with this serial when it was minted (case-insensitive). */
    public Optional<Enrolment> bySerial(String serial) {
        Long id = opened().bySerial().get(serial.toUpperCase(java.util.Locale.ROOT));
        return id == null ? Optional.empty() : current(id);
    }

    /** Checks a presented credential; constant work whatever it is (a hash and a map lookup). */
    public Verdict verify(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 200) {
            return new Verdict.Refused("not a callback credential of this service");
        }
        Enrolment e = opened().byHash().get(hash(presented));
        if (e == null) {
            return new Verdict.Refused("unknown or replaced callback credential");
        }
        if (e.revoked()) {
            return new Verdict.Refused("callback credential revoked");
        }
        if (!clock.instant().isBefore(e.expiresAt())) {
            return new Verdict.Refused("callback credential expired at " + e.expiresAt());
        }
        return new Verdict.Valid(e);
    }

    private void save(Enrolment e) {
        Opened o = opened();
        Enrolment previous = current(e.deviceId()).orElse(null);
        o.byDevice().put(e.deviceId(), json(e));
        o.store().commit();
        o.store().sync();
        if (previous != null && !previous.hash().equals(e.hash())) {
            o.byHash().remove(previous.hash());
        }
        o.byHash().put(e.hash(), e);
        if (!e.serial().isEmpty()) {
            o.bySerial().put(e.serial().toUpperCase(java.util.Locale.ROOT), e.deviceId());
        }
    }

    private String derive(long deviceId, String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(opened().key(), "HmacSHA256"));
            byte[] tag = mac.doFinal(("pxe-callback|" + deviceId + "|" + nonce).getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The service's key: read, or made (owner-only, written to a temporary file and moved into place). */
    private static byte[] key(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] key = Base64.getDecoder().decode(Files.readString(file).strip());
            if (key.length < 32) {
                throw new IOException(file + " holds " + key.length + " bytes of key; 32 are needed");
            }
            return key;
        }
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, Base64.getEncoder().encodeToString(key) + "\n", StandardOpenOption.WRITE,
                StandardOpenOption.SYNC);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return key;
    }

    private static String json(Enrolment e) {
        ObjectNode n = JSON.createObjectNode().put("deviceId", e.deviceId()).put("serial", e.serial())
                .put("status", e.status()).put("nonce", e.nonce()).put("hash", e.hash()).put("mintedAt", e.mintedAt().toString())
                .put("expiresAt", e.expiresAt().toString()).put("revoked", e.revoked());
        return n.toString();
    }

    private static Enrolment parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new Enrolment(n.path("deviceId").asLong(), n.path("serial").asText(),
                    n.path("status").asText("discovered"), n.path("nonce").asText(),
                    n.path("hash").asText(), Instant.parse(n.path("mintedAt").asText()),
                    Instant.parse(n.path("expiresAt").asText()), n.path("revoked").asBoolean());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable credential record: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (opened != null) {
            opened.store().close();
            opened = null;
        }
    }
}
