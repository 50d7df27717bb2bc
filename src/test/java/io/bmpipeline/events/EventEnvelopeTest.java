package io.bmpipeline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventEnvelopeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant TIME = Instant.parse("2026-11-24T10:15:30.123Z");

    private static EventEnvelope lease() {
        ObjectNode data = JSON.createObjectNode();
        data.put("mac", "A0:36:9F:7C:05:00");
        data.put("ip", "10.20.0.17");
        data.putObject("relay").put("giaddr", "10.20.0.1");
        return EventEnvelope.of("7b1c-1", "/bm-pipeline/dhcp/ens3", EventTypes.DHCP_LEASE_OBSERVED,
                "A0:36:9F:7C:05:00", TIME, data);
    }

    private static ObjectNode json(EventEnvelope envelope) {
        return envelope.toJsonNode();
    }

    @Test
    void structuredJsonCarriesEveryCloudEventsAttribute() throws Exception {
        JsonNode node = JSON.readTree(lease().toJson());
        assertEquals("1.0", node.get("specversion").asText());
        assertEquals("7b1c-1", node.get("id").asText());
        assertEquals("/bm-pipeline/dhcp/ens3", node.get("source").asText());
        assertEquals("bm.dhcp.lease.observed", node.get("type").asText());
        assertEquals("A0:36:9F:7C:05:00", node.get("subject").asText());
        assertEquals("2026-11-24T10:15:30.123Z", node.get("time").asText());
        assertEquals("application/json", node.get("datacontenttype").asText());
        assertEquals("A0:36:9F:7C:05:00", node.get("partitionkey").asText());
        assertEquals("10.20.0.1", node.at("/data/relay/giaddr").asText());
    }

    @Test
    void parsingWhatWasWrittenGivesTheSameEnvelope() throws Exception {
        EventEnvelope original = lease().withPartitionKey("MXP1111111");
        assertEquals(original, EventEnvelope.parse(original.toJson()));
    }

    @Test
    void itsJsonIsTheTreeWrittenOutEncodedOnce() throws Exception {
        EventEnvelope envelope = lease().withPartitionKey("MXP1111111");
        assertEquals(JSON.writeValueAsString(envelope.toJsonNode()), envelope.toJson());
        assertSame(envelope.toJson(), envelope.toJson(), "the tap's spool and the bus write share one encoding");
    }

    @ParameterizedTest
    @ValueSource(strings = {"specversion", "id", "source", "type", "subject", "time", "partitionkey", "data"})
    void aMissingAttributeIsNamed(String attribute) {
        ObjectNode node = json(lease());
        node.remove(attribute);
        InvalidEnvelopeException e = assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse(node.toString()));
        assertEquals(attribute, e.attribute());
        assertEquals("CloudEvent attribute '" + attribute + "': required", e.getMessage());
    }

    @Test
    void anEmptyOrNonStringAttributeIsNamed() {
        ObjectNode empty = json(lease());
        empty.put("subject", " ");
        assertEquals("subject", assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse(empty.toString())).attribute());

        ObjectNode number = json(lease());
        number.put("id", 42);
        InvalidEnvelopeException e = assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse(number.toString()));
        assertEquals("CloudEvent attribute 'id': must be a string, got number", e.getMessage());
    }

    @Test
    void badValuesAreNamedWithWhatWasWrong() {
        ObjectNode version = json(lease());
        version.put("specversion", "0.3");
        assertEquals("CloudEvent attribute 'specversion': must be \"1.0\", got \"0.3\"",
                assertThrows(InvalidEnvelopeException.class, () -> EventEnvelope.parse(version.toString())).getMessage());

        ObjectNode time = json(lease());
        time.put("time", "yesterday");
        assertEquals("time", assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse(time.toString())).attribute());

        ObjectNode source = json(lease());
        source.put("source", "not a uri");
        assertEquals("source", assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse(source.toString())).attribute());

        ObjectNode contentType = json(lease());
        contentType.put("datacontenttype", "text/xml");
        assertEquals("datacontenttype", assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse(contentType.toString())).attribute());

        ObjectNode binary = json(lease());
        binary.put("data_base64", "AAAA");
        assertEquals("data_base64", assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse(binary.toString())).attribute());
    }

    @Test
    void aDocumentThatIsNotAnObjectIsRejectedAsSuch() {
        InvalidEnvelopeException broken = assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse("{\"id\": "));
        assertEquals("(document)", broken.attribute());
        assertTrue(broken.getMessage().contains("not JSON"), broken.getMessage());
        assertEquals("(document)", assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse("[1, 2]")).attribute());
        assertEquals("(document)", assertThrows(InvalidEnvelopeException.class,
                () -> EventEnvelope.parse(null)).attribute());
    }

    @Test
    void anyRfc3339OffsetIsAcceptedAndContentTypeParametersAreAllowed() throws Exception {
        ObjectNode node = json(lease());
        node.put("time", "2026-11-24T11:15:30.123+01:00");
        node.put("datacontenttype", "application/json; charset=utf-8");
        assertEquals(TIME, EventEnvelope.parse(node.toString()).time());
    }

    @Test
    void anEnvelopeCannotBeChangedThroughItsData() {
        EventEnvelope envelope = lease();
        ((ObjectNode) envelope.data()).put("ip", "10.99.99.99");
        assertEquals("10.20.0.17", envelope.data().get("ip").asText());
    }

    @Test
    void theSameInputAlwaysGetsTheSameId() {
        String first = EventEnvelope.deterministicId("10.0.0.1", "0x3903f326", "A0:36:9F:7C:05:00", "10.20.0.17");
        assertEquals(first, EventEnvelope.deterministicId("10.0.0.1", "0x3903f326", "A0:36:9F:7C:05:00", "10.20.0.17"));
        assertNotEquals(first, EventEnvelope.deterministicId("10.0.0.1", "0x3903f327", "A0:36:9F:7C:05:00", "10.20.0.17"));
        // Parts are separated, so moving a boundary changes the id.
        assertNotEquals(EventEnvelope.deterministicId("ab", "c"), EventEnvelope.deterministicId("a", "bc"));
    }

    @Test
    void buildingAnEnvelopeWithoutARequiredAttributeFailsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventEnvelope.of("id", "/src", "t", "", TIME, JSON.createObjectNode()));
        assertEquals("CloudEvent attribute 'subject': required, not empty", e.getMessage());
    }

    @Test
    void theSpecsTopicsAreAllNamed() {
        assertEquals(java.util.List.of("bm.dhcp.events", "bm.device.state", "bm.pxe.events", "bm.hardening.events",
                "bm.telemetry", "bm.hw.alerts", "bm.delivery"), Topics.ALL);
    }
}
