package dev.odin.alerting;

import dev.odin.receiver.alertmanager.WebhookException;
import dev.odin.receiver.alertmanager.WebhookMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** What Alertmanager is told when something goes wrong: 400 only for its own mistakes, else retry. */
class AlertIntakeFailureTest {

    private Exchange fail(Throwable t) throws Exception {
        AlertIntake intake = new AlertIntake(null, new WebhookMetrics(new SimpleMeterRegistry()), null,
                java.time.Clock.systemUTC());
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        e.getMessage().setHeader("CamelHttpUri", "/alertmanager/webhook");
        e.setProperty(Exchange.EXCEPTION_CAUGHT, t);
        intake.failure().process(e);
        return e;
    }

    @Test
    void aBadRequestIs400WithItsMessage() throws Exception {
        Exchange e = fail(new WebhookException(400, "unsupported webhook version \"3\""));
        assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(400);
        assertThat(e.getMessage().getBody(String.class)).contains("unsupported webhook version \\\"3\\\"");
        assertThat(e.getMessage().getHeader("CamelHttpUri")).isNull();
    }

    @Test
    void aFullQueueIs503AndAnythingElse500SoAlertmanagerRetries() throws Exception {
        assertThat(fail(new dev.odin.delivery.QueueFullException("full")).getMessage()
                .getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        Exchange e = fail(new java.io.IOException("disk gone"));
        assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);
        assertThat(e.getMessage().getBody(String.class)).contains("retry").contains("disk gone");
    }
}
