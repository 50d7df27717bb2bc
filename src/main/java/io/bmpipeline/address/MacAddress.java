package io.bmpipeline.address;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * A 48-bit Ethernet MAC address in NetBox's canonical form: upper-case, colon-separated.
 * Vendors, switches and operators write MACs in several notations; every comparison in the
 * pipeline goes through this type so that two spellings of one address are equal.
 */
public record MacAddress(String value) {

    public MacAddress {
        if (value == null || !value.matches("([0-9A-F]{2}:){5}[0-9A-F]{2}")) {
            throw new IllegalArgumentException("not a canonical MAC address: " + value);
        }
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
        return fromHex(HexFormat.of().formatHex(bytes, offset, offset + 6));
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
