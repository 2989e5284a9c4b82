package dev.odin.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The statusline JSON as Claude Code documents it, the fields it may lack, and what is refused. */
class StatusLineTest {

    static final Path EXAMPLE = Path.of("src/test/resources/statusline/statusline-input.json");

    static StatusLine parse(String json) throws StatusLine.Malformed {
        return StatusLine.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheDocumentedExample() throws Exception {
        StatusLine s = StatusLine.parse(Files.readAllBytes(EXAMPLE));
        assertThat(s.sessionId()).isEqualTo("8f0c2e7a-3b1d-4c52-9a8e-5d7f1e2b4c6a");
        assertThat(s.modelId()).isEqualTo("claude-opus-4-8");
        assertThat(s.modelName()).isEqualTo("Opus 4.8");
        assertThat(s.version()).isEqualTo("2.1.332");
        assertThat(s.sessionCost()).isEqualByComparingTo("1.2345");
        assertThat(s.windows()).containsExactly(
                new StatusLine.Window("five_hour", new BigDecimal("23.5"), Instant.ofEpochSecond(4102444800L)),
                new StatusLine.Window("seven_day", new BigDecimal("41.2"), Instant.ofEpochSecond(4102876800L)));
    }

    @Test
    void everyFieldIsOptional() throws Exception {
        StatusLine s = parse("{}");
        assertThat(s.windows()).isEmpty();
        assertThat(s.modelName()).isNull();
        assertThat(s.sessionCost()).isNull();
        assertThat(parse("{\"rate_limits\": null, \"model\": null}").windows()).isEmpty();
        assertThat(parse("{\"rate_limits\": {\"five_hour\": {\"used_percentage\": 5}}}").windows())
                .containsExactly(new StatusLine.Window("five_hour", new BigDecimal("5"), null));
        assertThat(parse("{\"rate_limits\": {\"five_hour\": null, \"seven_day\": {}}}").windows())
                .containsExactly(new StatusLine.Window("seven_day", null, null));
    }

    @Test
    void takesAnIsoResetTimeAndALimitPassed() throws Exception {
        assertThat(parse("{\"rate_limits\": {\"five_hour\": {\"used_percentage\": 105,"
                + " \"resets_at\": \"2100-01-01T05:00:00Z\"}}}").windows()).containsExactly(
                new StatusLine.Window("five_hour", new BigDecimal("105"), Instant.parse("2100-01-01T05:00:00Z")));
    }

    @Test
    void refusesWhatIsNotTheStatuslineJson() {
        assertThatThrownBy(() -> parse("{not json")).isInstanceOf(StatusLine.Malformed.class)
                .hasMessageStartingWith("the body is not JSON: ");
        assertThatThrownBy(() -> parse("")).hasMessageStartingWith("the body is not a JSON object");
        assertThatThrownBy(() -> parse("[1,2]")).hasMessageStartingWith("the body is not a JSON object");
        // numbers beyond a double: refused with the field, not an exception out of Jackson
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"five_hour\": {\"used_percentage\": 1e400}}}"))
                .isInstanceOf(StatusLine.Malformed.class).hasMessageContaining("is not a finite number");
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"five_hour\": {\"used_percentage\": 5,"
                + " \"resets_at\": 1e400}}}")).isInstanceOf(StatusLine.Malformed.class)
                .hasMessageContaining("is not a finite number");
        assertThatThrownBy(() -> parse("{\"rate_limits\": [1]}")).hasMessage("rate_limits is not an object");
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"five_hour\": 3}}"))
                .hasMessage("rate_limits.five_hour is not an object {used_percentage, resets_at}");
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"five_hour\": {\"used_percentage\": \"42\"}}}"))
                .hasMessage("rate_limits.five_hour.used_percentage is not a number");
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"five_hour\": {\"used_percentage\": -1}}}"))
                .hasMessage("rate_limits.five_hour.used_percentage -1 is not a percentage (0 to 100)");
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"five_hour\": {\"used_percentage\": 1e9}}}"))
                .hasMessageContaining("is not a percentage");
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"five_hour\": {\"resets_at\": \"tomorrow\"}}}"))
                .hasMessage("rate_limits.five_hour.resets_at \"tomorrow\" is not epoch seconds or an ISO-8601 instant");
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"five_hour\": {\"resets_at\": 1e300}}}"))
                .hasMessageContaining("is not a time in epoch seconds");
        assertThatThrownBy(() -> parse("{\"rate_limits\": {\"Five Hour\": {}}}"))
                .hasMessageContaining("a window name is 1 to 32 of a-z, 0-9 and _");
        assertThatThrownBy(() -> parse("{\"model\": {\"display_name\": 7}}"))
                .hasMessage("model.display_name is not a string");
        assertThatThrownBy(() -> parse("{\"cost\": {\"total_cost_usd\": true}}"))
                .hasMessage("cost.total_cost_usd is not a number");
        StringBuilder many = new StringBuilder("{\"rate_limits\": {");
        for (int i = 0; i < 9; i++) {
            many.append(i == 0 ? "" : ",").append("\"w").append(i).append("\": {}");
        }
        assertThatThrownBy(() -> parse(many + "}}")).hasMessage("rate_limits has more than 8 windows");
        assertThatThrownBy(() -> parse("[".repeat(100) + "]".repeat(100))).isInstanceOf(StatusLine.Malformed.class);
    }
}
