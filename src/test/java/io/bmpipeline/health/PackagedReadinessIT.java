package io.bmpipeline.health;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same readiness contract, against the packaged artifact started as an operator would. */
@QuarkusIntegrationTest
class PackagedReadinessIT extends NetBoxReadinessTest {
}
