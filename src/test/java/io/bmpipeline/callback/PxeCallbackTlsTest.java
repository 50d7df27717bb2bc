package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The callback port with TLS from PEM files, as an operator configures it: the API answers over HTTPS with that
 * certificate, and plain HTTP is refused.
 */
@QuarkusTest
@TestProfile(PxeCallbackTlsTest.Tls.class)
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class PxeCallbackTlsTest {

    static final Path DIR = Path.of("target/pxe-tls");

    /** A self-signed certificate for 127.0.0.1, made by openssl, and the settings an operator writes. */
    public static class Tls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(DIR);
                Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", DIR.resolve("key.pem").toString(), "-out", DIR.resolve("cert.pem").toString(),
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
                        .redirectErrorStream(true).redirectOutput(DIR.resolve("openssl.log").toFile()).start();
                if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
                    throw new IllegalStateException("openssl failed: " + Files.readString(DIR.resolve("openssl.log")));
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot make the test certificate", e);
            }
            return Map.of("quarkus.http.ssl.certificate.files", DIR.resolve("cert.pem").toAbsolutePath().toString(),
                    "quarkus.http.ssl.certificate.key-files", DIR.resolve("key.pem").toAbsolutePath().toString(),
                    "quarkus.http.insecure-requests", "disabled",
                    "quarkus.http.test-ssl-port", "0");
        }
    }

    @TestHTTPResource(value = "/pxe/v1/openapi.json", tls = true)
    URL https;

    @Test
    void theApiAnswersOverTlsWithTheConfiguredCertificateAndRefusesPlainHttp() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream pem = Files.newInputStream(DIR.resolve("cert.pem"))) {
            trust.setCertificateEntry("callback", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();

        assertTrue(https.toString().startsWith("https://"), https.toString());
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(https.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("StepResult"), answer.body());

        // A post over TLS reaches the API (and is refused there for want of a credential, not by the transport).
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(https.toURI().resolve("/pxe/v1/devices/X/report"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, post.statusCode(), post.body());

        // No plain-HTTP listener (insecure-requests=disabled), and the TLS port speaks no plain HTTP.
        java.net.URI plain = new java.net.URI("http", null, https.getHost(), https.getPort(), https.getPath(), null, null);
        HttpClient insecure = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            HttpResponse<String> refused = insecure.send(HttpRequest.newBuilder(plain).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(!refused.body().contains("StepResult"), refused.statusCode() + " " + refused.body());
        } catch (java.io.IOException expected) {
            // the connection was refused or closed: nothing served in the clear
        }
    }
}
