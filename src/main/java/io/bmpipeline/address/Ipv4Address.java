package io.bmpipeline.address;

import java.util.Optional;

/** An IPv4 address as its 32 bits; the dotted form is made only when asked for. */
public record Ipv4Address(int bits) {

    public static final Ipv4Address ANY = new Ipv4Address(0);

    public static Ipv4Address ofBytes(byte[] data, int offset) {
        int bits = ((data[offset] & 0xff) << 24) | ((data[offset + 1] & 0xff) << 16)
                | ((data[offset + 2] & 0xff) << 8) | (data[offset + 3] & 0xff);
        // Most BOOTP address fields are empty: one shared instance for them.
        return bits == 0 ? ANY : new Ipv4Address(bits);
    }

    /** Dotted quad, each part 0–255; anything else is empty. */
    public static Optional<Ipv4Address> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return Optional.empty();
            }
            bits = (bits << 8) | value;
        }
        return Optional.of(new Ipv4Address(bits));
    }

    public static Ipv4Address of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("invalid IPv4 address: '" + text + "'"));
    }

    public boolean isAny() {
        return bits == 0;
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
