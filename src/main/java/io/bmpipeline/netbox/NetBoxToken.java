package io.bmpipeline.netbox;

/**
 * An API token. NetBox has two kinds: v1, 40 hex characters sent as {@code Token <key>}, and
 * v2 (NetBox 4.5+), {@code nbt_<key>.<secret>} sent as {@code Bearer}. The kind is read off
 * the token itself so an operator never has to say which one they pasted.
 * {@link #toString()} never shows the secret: tokens end up in exceptions and logs.
 */
public record NetBoxToken(String secret) {

    public enum Kind { V1, V2 }

    public NetBoxToken {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("the NetBox API token is empty");
        }
        secret = secret.strip();
        if (secret.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("the NetBox API token contains whitespace or non-ASCII characters");
        }
    }

    public Kind kind() {
        return secret.startsWith("nbt_") ? Kind.V2 : Kind.V1;
    }

    public String authorizationHeader() {
        return switch (kind()) {
            case V1 -> "Token " + secret;
            case V2 -> "Bearer " + secret;
        };
    }

    @Override
    public String toString() {
        return "NetBoxToken[" + kind() + ", ****]";
    }
}
