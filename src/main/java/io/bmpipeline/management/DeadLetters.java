package io.bmpipeline.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.events.DeadLetter;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The dead letters of every consumer group of the running service, as the operator's endpoints and commands show
 * them, and their redrive. A letter is named by its event id (what the log lines and the events carry); an event
 * dead in several groups is one letter per group.
 */
public final class DeadLetters {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLetters() {}

    /** One dead letter, flat. */
    public record Letter(String eventId, String topic, String group, long sequence, String type, String subject,
                         String key, int attempts, Instant publishedAt, Instant deadAt, String reason) {

        static Letter of(DeadLetter letter) {
            var d = letter.delivery();
            var e = d.envelope();
            return new Letter(e.id(), d.topic(), d.group(), d.sequence(), e.type(), e.subject(), d.key(), d.attempt(),
                    d.publishedAt(), letter.deadAt(), letter.reason() == null ? "" : letter.reason());
        }
    }

    /** Where a redriven letter went back in line. */
    public record Redriven(String topic, String group, long sequence) {}

    /** Every dead letter, oldest death first. */
    public static List<Letter> all(EventBus bus) {
        List<Letter> letters = new ArrayList<>();
        for (Subscription subscription : bus.subscriptions()) {
            subscription.deadLetters().forEach(l -> letters.add(Letter.of(l)));
        }
        letters.sort(Comparator.comparing(Letter::deadAt).thenComparing(Letter::sequence));
        return letters;
    }

    /** Puts the letters of event {@code eventId} back in line, in {@code group} only when given. */
    public static List<Redriven> redrive(EventBus bus, String eventId, Optional<String> group) {
        List<Redriven> done = new ArrayList<>();
        for (Subscription subscription : bus.subscriptions()) {
            if (group.isPresent() && !group.get().equals(subscription.group())) {
                continue;
            }
            for (DeadLetter letter : subscription.deadLetters()) {
                if (letter.delivery().envelope().id().equals(eventId) && subscription.redrive(letter.delivery().sequence())) {
                    done.add(new Redriven(subscription.topic(), subscription.group(), letter.delivery().sequence()));
                }
            }
        }
        return done;
    }

    public static String toJson(List<Letter> letters) {
        ArrayNode array = JSON.createArrayNode();
        for (Letter l : letters) {
            array.addObject().put("eventId", l.eventId()).put("topic", l.topic()).put("group", l.group())
                    .put("sequence", l.sequence()).put("type", l.type()).put("subject", l.subject()).put("key", l.key())
                    .put("attempts", l.attempts()).put("publishedAt", l.publishedAt().toString())
                    .put("deadAt", l.deadAt().toString()).put("reason", l.reason());
        }
        return array.toString();
    }

    /** Reads what {@link #toJson(List)} wrote; anything else is an {@link IllegalArgumentException} saying what. */
    public static List<Letter> fromJson(String json) {
        JsonNode array;
        try {
            array = JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("not a JSON array of dead letters");
        }
        List<Letter> letters = new ArrayList<>();
        for (JsonNode n : array) {
            try {
                letters.add(new Letter(text(n, "eventId"), text(n, "topic"), text(n, "group"), n.path("sequence").asLong(),
                        text(n, "type"), text(n, "subject"), text(n, "key"), n.path("attempts").asInt(),
                        Instant.parse(text(n, "publishedAt")), Instant.parse(text(n, "deadAt")), text(n, "reason")));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("dead letter " + letters.size() + ": " + e.getMessage(), e);
            }
        }
        return letters;
    }

    public static String redrivenJson(List<Redriven> redriven) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("redriven");
        redriven.forEach(r -> array.addObject().put("topic", r.topic()).put("group", r.group()).put("sequence", r.sequence()));
        return body.toString();
    }

    public static List<Redriven> redrivenFromJson(String json) {
        try {
            List<Redriven> out = new ArrayList<>();
            for (JsonNode n : JSON.readTree(json).path("redriven")) {
                out.add(new Redriven(text(n, "topic"), text(n, "group"), n.path("sequence").asLong()));
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("a dead letter without " + field);
        }
        return value.asText();
    }
}
