package io.bmpipeline.address;

import java.util.Locale;
import java.util.Optional;

/**
 * A 48-bit Ethernet MAC address in NetBox's canonical form: upper-case, colon-separated.
 * Vendors, switches and operators write MACs in several notations; every comparison in the
 * pipeline goes through this type so that two spellings of one address are equal.
 */
public record MacAddress(String value) {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public MacAddress {
        if (!isCanonical(value)) {
            throw new IllegalArgumentException("not a canonical MAC address: " + value);
        }
    }

    /** {@code XX:XX:XX:XX:XX:XX}, upper-case hex; checked by hand because the DHCP tap builds millions. */
    private static boolean isCanonical(String value) {
        if (value == null || value.length() != 17) {
            return false;
        }
        for (int i = 0; i < 17; i++) {
            char c = value.charAt(i);
            boolean ok = i % 3 == 2 ? c == ':' : (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Accepts {@code aa:bb:cc:dd:ee:ff}, {@code AA-BB-…}, {@code aabb.ccdd.eeff} and bare hex. */
    public static Optional<MacAddress> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String trimmed = text.strip();
        String hex;
        if (trimmed.matches("(?i)([0-9a-f]{2}[:-]){5}[0-9a-f]{2}")) {
            if (trimmed.indexOf(':') >= 0 && trimmed.indexOf('-') >= 0) {
                return Optional.empty();
            }
            hex = trimmed.replaceAll("[:-]", "");
        } else if (trimmed.matches("(?i)[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}")) {
            hex = trimmed.replace(".", "");
        } else if (trimmed.matches("(?i)[0-9a-f]{12}")) {
            hex = trimmed;
        } else {
            return Optional.empty();
        }
        return Optional.of(fromHex(hex));
    }

    /** Parses or fails with a message that quotes the rejected text. */
    public static MacAddress of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("invalid MAC address: '" + text + "'"));
    }

    public static MacAddress ofBytes(byte[] bytes, int offset) {
        byte[] text = new byte[17];
        for (int i = 0; i < 6; i++) {
            int b = bytes[offset + i] & 0xff;
            text[i * 3] = HEX[b >>> 4];
            text[i * 3 + 1] = HEX[b & 0x0f];
            if (i < 5) {
                text[i * 3 + 2] = (byte) ':';
            }
        }
        return new MacAddress(new String(text, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static MacAddress fromHex(String hex) {
        String upper = hex.toUpperCase(Locale.ROOT);
        StringBuilder canonical = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                canonical.append(':');
            }
            canonical.append(upper, i, i + 2);
        }
        return new MacAddress(canonical.toString());
    }

    /** The first three octets, the IEEE organisationally unique identifier, as {@code AA:BB:CC}. */
    public String oui() {
        return value.substring(0, 8);
    }

    @Override
    public String toString() {
        return value;
    }
}
