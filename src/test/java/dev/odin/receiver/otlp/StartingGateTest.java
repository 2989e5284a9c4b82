package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Until the application is ready the receivers' paths answer 503 + Retry-After, never 404. */
class StartingGateTest {

    @Test
    void closedItAnswersRetryLaterAndOpenItPassesEveryRequestOn() throws Exception {
        StartingGate gate = new StartingGate();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/metrics");
        request.setServletPath("/v1/metrics");
        request.setContentType("application/x-protobuf");
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        gate.doFilter(request, response, chain);
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("1");
        assertThat(Status.parseFrom(response.getContentAsByteArray()).getCode())
                .isEqualTo(io.grpc.Status.Code.UNAVAILABLE.value());
        assertThat(chain.getRequest()).isNull();

        MockHttpServletRequest webhook = new MockHttpServletRequest("POST", "/alertmanager/webhook");
        webhook.setServletPath("/alertmanager/webhook");
        MockHttpServletResponse refused = new MockHttpServletResponse();
        gate.doFilter(webhook, refused, new MockFilterChain());
        assertThat(refused.getStatus()).isEqualTo(503);

        gate.open();
        MockFilterChain passed = new MockFilterChain();
        MockHttpServletResponse ok = new MockHttpServletResponse();
        gate.doFilter(request, ok, passed);
        assertThat(passed.getRequest()).isSameAs(request);
        assertThat(ok.getStatus()).isEqualTo(200);
    }
}
