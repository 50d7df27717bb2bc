package io.bmpipeline.netbox;

/**
 * Everything that can go wrong talking to NetBox, as a closed set so callers can decide
 * per kind: retry later ({@link Unavailable}), stop and tell the operator ({@link AuthRefused}),
 * or record NetBox's own words and move on ({@link Rejected}, {@link NotFound}).
 */
public abstract sealed class NetBoxException extends RuntimeException
        permits NetBoxException.Unavailable, NetBoxException.AuthRefused,
                NetBoxException.Rejected, NetBoxException.NotFound {

    private final String request;

    NetBoxException(String request, String message, Throwable cause) {
        super(request + ": " + message, cause);
        this.request = request;
    }

    /** The method and path that failed, e.g. {@code PATCH /api/dcim/devices/7/}. */
    public String request() {
        return request;
    }

    /** Connection refused, timed out, 5xx or 429 after the retries allowed for the call. */
    public static final class Unavailable extends NetBoxException {
        public Unavailable(String request, String message, Throwable cause) {
            super(request, message, cause);
        }
    }

    /** 401 or 403: the token is wrong, expired, or lacks the permission. Retrying will not help. */
    public static final class AuthRefused extends NetBoxException {
        private final int status;

        public AuthRefused(String request, int status, String detail) {
            super(request, "NetBox refused the API token (HTTP " + status + "): " + detail, null);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * NetBox understood the request and said no (400, 409, other 4xx): the field messages are
     * NetBox's own, and {@link #attempted()} is the object we tried to write, for the journal.
     */
    public static final class Rejected extends NetBoxException {
        private final int status;
        private final FieldErrors errors;
        private final String attempted;

        public Rejected(String request, int status, FieldErrors errors, String attempted) {
            super(request, "NetBox rejected the request (HTTP " + status + "): " + errors
                    + (attempted.isEmpty() ? "" : "; attempted: " + attempted), null);
            this.status = status;
            this.errors = errors;
            this.attempted = attempted;
        }

        public int status() {
            return status;
        }

        public FieldErrors errors() {
            return errors;
        }

        public String attempted() {
            return attempted;
        }
    }

    /** 404 on an object path: the object was deleted or never existed. */
    public static final class NotFound extends NetBoxException {
        public NotFound(String request) {
            super(request, "not found", null);
        }
    }
}
