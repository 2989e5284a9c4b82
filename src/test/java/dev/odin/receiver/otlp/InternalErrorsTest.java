package dev.odin.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.odin.testing.LogCapture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InternalErrorsTest {

    private static final String BODY = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"secret\"}]}}]}";

    @Test
    void theClientGetsAnIdAndTheLogTheDetailOncePerInterval() {
        AtomicLong now = new AtomicLong(1_000);
        InternalErrors errors = new InternalErrors(10_000, now::get);
        IllegalStateException failure = new IllegalStateException("converting failed for "
                + BODY.repeat(50) + "\nforged log line", new IllegalArgumentException("inner " + BODY));
        try (LogCapture logs = LogCapture.rootOnThisThread()) {
            String first = errors.report("OTLP/HTTP metrics request", failure);
            assertThat(first).matches("internal error in ODIN \\(error id [0-9a-f]{12}\\); the request was not applied, "
                    + "its detail is in ODIN's log");
            String id = first.replaceAll(".*error id ([0-9a-f]{12}).*", "$1");
            assertThat(logs.lines(Level.INFO)).singleElement().satisfies(line -> {
                assertThat(line).startsWith("ERROR dev.odin.receiver.otlp.InternalErrors OTLP/HTTP metrics request failed "
                        + "inside ODIN (error id " + id + "): java.lang.IllegalStateException: converting failed for ");
                assertThat(line).contains("\tat dev.odin.receiver.otlp.InternalErrorsTest")
                        .contains("Caused by: java.lang.IllegalArgumentException: inner ")
                        .contains("... (" + failure.getMessage().length() + " characters)")
                        .doesNotContain("\nforged").doesNotContain(BODY.repeat(3));
                assertThat(line.lines().filter(l -> !l.startsWith("\tat ")).mapToInt(String::length).max().orElse(0))
                        .isLessThan(InternalErrors.MAX_MESSAGE + 200);
            });
            // within the interval: no second entry, a DEBUG line at most
            String second = errors.report("OTLP/HTTP metrics request", failure);
            assertThat(second).isNotEqualTo(first).doesNotContain("converting");
            assertThat(logs.lines(Level.INFO)).hasSize(1);
            assertThat(logs.lines()).allSatisfy(l -> assertThat(l).doesNotContain(BODY.repeat(3)));
            now.addAndGet(10_000);
            errors.report("OTLP/gRPC logs request", new NullPointerException());
            assertThat(logs.lines(Level.INFO)).hasSize(2);
            assertThat(logs.lines(Level.INFO).get(1)).contains("OTLP/gRPC logs request failed inside ODIN (error id ")
                    .contains("; 1 more since the last entry, logged at DEBUG): java.lang.NullPointerException");
        }
    }
}
