package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** Reading NetBox's JSON shapes: choice fields are {@code {value, label}}, text may be null or "". */
final class Json {

    private Json() {}

    static Optional<String> optionalText(JsonNode node) {
        return node.isTextual() && !node.asText().isEmpty() ? Optional.of(node.asText()) : Optional.empty();
    }

    static String choiceValue(JsonNode node) {
        return node.isObject() ? node.path("value").asText("") : node.asText("");
    }
}
