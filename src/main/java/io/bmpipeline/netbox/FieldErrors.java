package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * NetBox's validation messages, field by field, exactly as NetBox wrote them. Object-level
 * messages sit under {@code __all__} or {@code non_field_errors}; bulk requests answer a list,
 * whose entries are keyed here as {@code [index].field}.
 */
public record FieldErrors(Map<String, List<String>> byField) {

    public FieldErrors {
        byField = Map.copyOf(byField);
    }

    public static FieldErrors from(JsonNode body, String rawBody) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        if (body == null || body.isMissingNode() || body.isNull()) {
            if (!rawBody.isBlank()) {
                fields.put("detail", List.of(rawBody.strip()));
            }
        } else {
            collect("", body, fields);
        }
        return new FieldErrors(fields);
    }

    private static void collect(String prefix, JsonNode node, Map<String, List<String>> into) {
        if (node.isObject()) {
            node.properties().forEach(e -> collect(join(prefix, e.getKey()), e.getValue(), into));
        } else if (node.isArray()) {
            boolean allText = true;
            for (JsonNode item : node) {
                allText &= item.isValueNode();
            }
            if (allText) {
                List<String> messages = new ArrayList<>();
                node.forEach(item -> messages.add(item.asText()));
                into.computeIfAbsent(prefix.isEmpty() ? "detail" : prefix, k -> new ArrayList<>()).addAll(messages);
            } else {
                for (int i = 0; i < node.size(); i++) {
                    collect(prefix + "[" + i + "]", node.get(i), into);
                }
            }
        } else if (!node.isNull()) {
            into.computeIfAbsent(prefix.isEmpty() ? "detail" : prefix, k -> new ArrayList<>()).add(node.asText());
        }
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix.endsWith("]") ? prefix + "." + key : prefix + "." + key;
    }

    public List<String> messages(String field) {
        return byField.getOrDefault(field, List.of());
    }

    @Override
    public String toString() {
        return byField.entrySet().stream()
                .map(e -> e.getKey() + ": " + String.join(" ", e.getValue()))
                .collect(Collectors.joining("; "));
    }
}
