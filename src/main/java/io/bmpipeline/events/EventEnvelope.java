package io.bmpipeline.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.UUID;

/**
 * The one event envelope of the pipeline: a CloudEvents 1.0 event in the structured JSON format. {@code subject} is
 * the device (serial, or BMC MAC before the device is known); {@code partitionKey} (the CloudEvents partitioning
 * extension, {@code partitionkey}) keeps one device's events in order on every bus. Built and read with Jackson
 * trees only: no reflection on our types, so it stays native-friendly.
 *
 * <p>Immutable data with record semantics (accessors, equality and text as a record's), but a class: it keeps its
 * JSON once encoded, so the tap's spool and the bus write of one lease encode it once between them.
 */
public final class EventEnvelope {

    public static final String SPEC_VERSION = "1.0";
    public static final String DATA_CONTENT_TYPE = "application/json";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Namespace for name-based ids, so the same input always gets the same id (and dedupes on re-publish). */
    private static final String ID_NAMESPACE = "io.bmpipeline.events/";

    private final String id;
    private final String source;
    private final String type;
    private final String subject;
    private final Instant time;
    private final String partitionKey;
    private final JsonNode data;
    /** {@link #toJson}, once asked; two threads asking at once both encode the same text, and either is kept. */
    private String json;

    public EventEnvelope(String id, String source, String type, String subject, Instant time, String partitionKey,
                         JsonNode data) {
        requireText(id, "id");
        requireText(source, "source");
        requireText(type, "type");
        requireText(subject, "subject");
        requireText(partitionKey, "partitionkey");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        if (data.isMissingNode() || data.isNull()) {
            throw new IllegalArgumentException("CloudEvent attribute 'data': required");
        }
        this.id = id;
        this.source = source;
        this.type = type;
        this.subject = subject;
        this.time = time;
        this.partitionKey = partitionKey;
        this.data = data.deepCopy();
    }

    /** An event keyed by its subject, the usual case: one device, one key. */
    public static EventEnvelope of(String id, String source, String type, String subject, Instant time,
                                   JsonNode data) {
        return new EventEnvelope(id, source, type, subject, time, subject, data);
    }

    /** A copy keyed differently, e.g. by serial when the subject is a MAC. */
    public EventEnvelope withPartitionKey(String key) {
        return new EventEnvelope(id, source, type, subject, time, key, data);
    }

    public String id() {
        return id;
    }

    public String source() {
        return source;
    }

    public String type() {
        return type;
    }

    public String subject() {
        return subject;
    }

    public Instant time() {
        return time;
    }

    public String partitionKey() {
        return partitionKey;
    }

    /** A defensive copy: the envelope stays immutable. */
    public JsonNode data() {
        return data.deepCopy();
    }

    /**
     * A stable id from the parts that identify an input (e.g. a lease's server, xid, MAC and IP): re-publishing the
     * same input after a crash yields the same id, which the bus treats as a duplicate.
     */
    public static String deterministicId(String... parts) {
        String name = ID_NAMESPACE + String.join("\u001f", parts);
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    public ObjectNode toJsonNode() {
        ObjectNode node = JSON.createObjectNode();
        node.put("specversion", SPEC_VERSION);
        node.put("id", id);
        node.put("source", source);
        node.put("type", type);
        node.put("subject", subject);
        node.put("time", DateTimeFormatter.ISO_INSTANT.format(time));
        node.put("datacontenttype", DATA_CONTENT_TYPE);
        node.put("partitionkey", partitionKey);
        node.set("data", data.deepCopy());
        return node;
    }

    /** {@link #toJsonNode} as text, encoded on first use and kept. */
    public String toJson() {
        String encoded = json;
        if (encoded == null) {
            encoded = encode();
            json = encoded;
        }
        return encoded;
    }

    /** What {@link #toJsonNode} holds, in its order, streamed: no tree built and no copy of {@code data} made. */
    private String encode() {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            out.writeStringField("specversion", SPEC_VERSION);
            out.writeStringField("id", id);
            out.writeStringField("source", source);
            out.writeStringField("type", type);
            out.writeStringField("subject", subject);
            out.writeStringField("time", DateTimeFormatter.ISO_INSTANT.format(time));
            out.writeStringField("datacontenttype", DATA_CONTENT_TYPE);
            out.writeStringField("partitionkey", partitionKey);
            out.writeFieldName("data");
            out.writeTree(data);
            out.writeEndObject();
        } catch (IOException e) {
            // A tree of JSON nodes always serialises into a StringWriter; reaching this is a Jackson bug.
            throw new IllegalStateException("cannot serialise event " + id, e);
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EventEnvelope that && id.equals(that.id) && source.equals(that.source)
                && type.equals(that.type) && subject.equals(that.subject) && time.equals(that.time)
                && partitionKey.equals(that.partitionKey) && data.equals(that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, source, type, subject, time, partitionKey, data);
    }

    @Override
    public String toString() {
        return "EventEnvelope[id=" + id + ", source=" + source + ", type=" + type + ", subject=" + subject + ", time="
                + time + ", partitionKey=" + partitionKey + ", data=" + data + "]";
    }

    /** Reads a structured-mode CloudEvent; the exception names the first attribute that is missing or wrong. */
    public static EventEnvelope parse(String json) throws InvalidEnvelopeException {
        JsonNode node;
        try {
            node = JSON.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            throw new InvalidEnvelopeException("(document)", "not JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()));
        }
        return fromJsonNode(node);
    }

    public static EventEnvelope fromJsonNode(JsonNode node) throws InvalidEnvelopeException {
        if (node == null || !node.isObject()) {
            throw new InvalidEnvelopeException("(document)", "a CloudEvent is a JSON object");
        }
        String specVersion = text(node, "specversion");
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new InvalidEnvelopeException("specversion", "must be \"1.0\", got \"" + specVersion + "\"");
        }
        String id = text(node, "id");
        String source = text(node, "source");
        try {
            new URI(source);
        } catch (URISyntaxException e) {
            throw new InvalidEnvelopeException("source", "not a URI-reference: \"" + source + "\" (" + e.getReason() + ")");
        }
        String type = text(node, "type");
        String subject = text(node, "subject");
        String timeText = text(node, "time");
        Instant time;
        try {
            time = OffsetDateTime.parse(timeText, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidEnvelopeException("time", "not an RFC 3339 timestamp: \"" + timeText + "\"");
        }
        JsonNode contentType = node.get("datacontenttype");
        if (contentType != null) {
            String value = contentType.isTextual() ? contentType.asText() : contentType.toString();
            String mediaType = value.split(";", 2)[0].strip();
            if (!mediaType.equalsIgnoreCase(DATA_CONTENT_TYPE)) {
                throw new InvalidEnvelopeException("datacontenttype", "must be application/json, got \"" + value + "\"");
            }
        }
        if (node.has("data_base64")) {
            throw new InvalidEnvelopeException("data_base64", "binary data is not accepted; send JSON in 'data'");
        }
        String partitionKey = text(node, "partitionkey");
        JsonNode data = node.get("data");
        if (data == null || data.isNull()) {
            throw new InvalidEnvelopeException("data", "required");
        }
        return new EventEnvelope(id, source, type, subject, time, partitionKey, data);
    }

    private static String text(JsonNode node, String attribute) throws InvalidEnvelopeException {
        JsonNode value = node.get(attribute);
        if (value == null || value.isNull()) {
            throw new InvalidEnvelopeException(attribute, "required");
        }
        if (!value.isTextual()) {
            throw new InvalidEnvelopeException(attribute, "must be a string, got " + value.getNodeType()
                    .name().toLowerCase(java.util.Locale.ROOT));
        }
        if (value.asText().isBlank()) {
            throw new InvalidEnvelopeException(attribute, "must not be empty");
        }
        return value.asText();
    }

    private static void requireText(String value, String attribute) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("CloudEvent attribute '" + attribute + "': required, not empty");
        }
    }
}
