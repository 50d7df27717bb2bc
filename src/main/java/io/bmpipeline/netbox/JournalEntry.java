package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;

/** A journal entry on a device: NetBox's audit trail of what the pipeline did and why. */
public record JournalEntry(long id, long deviceId, Kind kind, String comments, String created) {

    /** NetBox's journal kinds, in its own words. */
    public enum Kind {
        INFO, SUCCESS, WARNING, DANGER;

        public String apiValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Kind fromApi(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** The fields {@link #from} reads: what the client asks NetBox to serialize. */
    static final String FIELDS = "id,assigned_object_id,kind,comments,created";

    static JournalEntry from(JsonNode json) {
        return new JournalEntry(
                json.path("id").asLong(),
                json.path("assigned_object_id").asLong(),
                Kind.fromApi(Json.choiceValue(json.path("kind"))),
                json.path("comments").asText(""),
                json.path("created").asText(""));
    }
}
