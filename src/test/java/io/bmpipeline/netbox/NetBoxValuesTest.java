package io.bmpipeline.netbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The small value types of the client: tokens, versions, NetBox's error bodies. */
class NetBoxValuesTest {

    @Test
    void tokenKindIsReadOffTheTokenAndTheSecretNeverPrints() {
        NetBoxToken v1 = new NetBoxToken(" 0123456789abcdef0123456789abcdef01234567\n");
        NetBoxToken v2 = new NetBoxToken("nbt_abc123.secretsecret");
        assertEquals("Token 0123456789abcdef0123456789abcdef01234567", v1.authorizationHeader());
        assertEquals("Bearer nbt_abc123.secretsecret", v2.authorizationHeader());
        assertFalse(v1.toString().contains("0123"));
        assertFalse(v2.toString().contains("secret"));
        assertThrows(IllegalArgumentException.class, () -> new NetBoxToken("  "));
        assertThrows(IllegalArgumentException.class, () -> new NetBoxToken("abc def"));
    }

    @Test
    void versionParsingAndMacModel() {
        assertEquals(new NetBoxVersion(4, 7, 3), NetBoxVersion.parse("4.7.3"));
        assertEquals(new NetBoxVersion(4, 1, 0), NetBoxVersion.parse("v4.1-Docker-3.0.2"));
        assertEquals(NetBoxVersion.MacModel.OBJECTS, NetBoxVersion.parse("4.2.0").macModel());
        assertEquals(NetBoxVersion.MacModel.INTERFACE_FIELD, NetBoxVersion.parse("4.1.11").macModel());
        assertEquals(NetBoxVersion.MacModel.INTERFACE_FIELD, NetBoxVersion.parse("3.7.8").macModel());
        assertThrows(IllegalArgumentException.class, () -> NetBoxVersion.parse("latest"));
    }

    @Test
    void fieldErrorsKeepNetBoxWordsForObjectsAndBulkLists() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var single = FieldErrors.from(json.readTree(
                "{\"address\":[\"Enter a valid IPv4 or IPv6 address.\"],\"__all__\":[\"Duplicate IP\"]}"), "");
        assertEquals(List.of("Enter a valid IPv4 or IPv6 address."), single.messages("address"));
        assertEquals(List.of("Duplicate IP"), single.messages("__all__"));
        var bulk = FieldErrors.from(json.readTree("[{},{\"status\":[\"\\\"x\\\" is not a valid choice.\"]}]"), "");
        assertEquals(List.of("\"x\" is not a valid choice."), bulk.messages("[1].status"));
        assertEquals(List.of("<html>oops</html>"), FieldErrors.from(null, "<html>oops</html>").messages("detail"));
    }
}
