package dev.odin.home;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

/** The OTLP port's texts: the gRPC line as the receiver is, and the error page for any status. */
class OtlpPortAnswersTest {

    private static MockHttpServletRequest error(int status, String message, String path) {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", "/error");
        r.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
        r.setAttribute(RequestDispatcher.ERROR_MESSAGE, message);
        r.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, path);
        return r;
    }

    @Test
    void theGrpcLineSaysWhetherItListens() {
        assertThat(new OtlpPortAnswers(() -> 4317, () -> 8080).about())
                .contains("OTLP/gRPC listens on port 4317.\n").contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://<this host>:4317")
                .contains("management port 8080: http://<this host>:8080/\n");
        assertThat(new OtlpPortAnswers(() -> -1, () -> 8080).about()).contains("OTLP/gRPC is not listening yet");
        assertThat(new OtlpPortAnswers(() -> 0, () -> 8080).about()).contains("OTLP/gRPC is switched off.\n");
    }

    @Test
    void everyStatusIsAShortText() {
        OtlpPortAnswers a = new OtlpPortAnswers(() -> 4317, () -> 8080);
        ResponseEntity<String> starting = a.error(error(503, "ODIN is starting; retry later", "/alertmanager/webhook"));
        assertThat(starting.getStatusCode().value()).isEqualTo(503);
        assertThat(starting.getBody()).isEqualTo("503 Service Unavailable: ODIN is starting; retry later\n");
        assertThat(a.error(error(405, "", "/api/statusline")).getBody())
                .isEqualTo("405 Method Not Allowed: /api/statusline does not take POST.\n");
        assertThat(a.error(error(599, null, "/x")).getBody()).isEqualTo("599 Error\n");
        assertThat(a.error(error(400, "m".repeat(5000), "/x")).getBody()).hasSizeLessThan(300).endsWith("...\n");
        // an exception that reached the container: its status, not its words
        MockHttpServletRequest thrown = error(500, "java.io.IOException: /var/lib/odin/secret-path", "/v1/logs");
        thrown.setAttribute(jakarta.servlet.RequestDispatcher.ERROR_EXCEPTION,
                new java.io.IOException("/var/lib/odin/secret-path"));
        assertThat(a.error(thrown).getBody()).isEqualTo("500 Internal Server Error\n");
        // no status at all (the error page asked for directly): a 500 text, not a stack trace
        MockHttpServletRequest direct = new MockHttpServletRequest("GET", "/error");
        assertThat(a.error(direct).getStatusCode().value()).isEqualTo(500);
        assertThat(a.error(direct).getBody()).isEqualTo("500 Internal Server Error\n");
    }
}
