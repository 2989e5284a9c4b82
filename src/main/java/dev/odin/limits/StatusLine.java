package dev.odin.limits;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What ODIN reads of the JSON Claude Code hands its {@code statusLine} command
 * (code.claude.com/docs/en/statusline): the session's model and cost for the answer, and
 * {@code rate_limits.<window>.used_percentage} / {@code resets_at} for the plan-limit gauges.
 * Every field is optional (older versions and API-key users have no {@code rate_limits}); a field
 * that is present with the wrong type is refused, so a broken sender is told, not half-counted.
 *
 * @param windows the plan-limit windows in the order sent (five_hour, seven_day, ...)
 */
public record StatusLine(String sessionId, String modelId, String modelName, String version, BigDecimal sessionCost,
        List<Window> windows) {

    /**
     * One plan-limit window.
     *
     * @param name as Claude Code names it: five_hour, seven_day (any [a-z0-9_]{1,32})
     * @param usedPercentage 0 to 100 (can pass 100 once the limit is hit); null when not sent
     * @param resetsAt when the window resets; null when not sent
     */
    public record Window(String name, BigDecimal usedPercentage, Instant resetsAt) {
    }

    /** A statusline JSON that cannot be read; the message says what is wrong. */
    public static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    static final Pattern WINDOW_NAME = Pattern.compile("[a-z0-9_]{1,32}");
    /** Windows read from one body; Claude Code sends two. */
    static final int MAX_WINDOWS = 8;
    /** A used_percentage above this is refused: not a percentage. */
    static final BigDecimal MAX_PERCENTAGE = BigDecimal.valueOf(1000);
    /** The latest resets_at taken (year 2200): later is not a time Claude Code sends. */
    static final long MAX_EPOCH_SECONDS = 7_258_118_400L;

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64)
                .maxNumberLength(64).maxStringLength(16_384).build());
    }

    public static StatusLine parse(byte[] body) throws Malformed {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Malformed("the body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new Malformed("the body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Malformed("the body is not a JSON object: the statusline JSON is an object"
                    + " ({\"session_id\": ..., \"rate_limits\": {...}})");
        }
        JsonNode model = object(root, "model");
        JsonNode cost = object(root, "cost");
        List<Window> windows = new ArrayList<>();
        JsonNode limits = object(root, "rate_limits");
        if (limits != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = limits.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> w = it.next();
                if (w.getValue().isNull()) {
                    continue;
                }
                String field = "rate_limits." + w.getKey();
                if (!WINDOW_NAME.matcher(w.getKey()).matches()) {
                    throw new Malformed(field + ": a window name is 1 to 32 of a-z, 0-9 and _ (five_hour, seven_day)");
                }
                if (!w.getValue().isObject()) {
                    throw new Malformed(field + " is not an object {used_percentage, resets_at}");
                }
                if (windows.size() == MAX_WINDOWS) {
                    throw new Malformed("rate_limits has more than " + MAX_WINDOWS + " windows");
                }
                BigDecimal used = number(w.getValue(), "used_percentage", field);
                if (used != null && (used.signum() < 0 || used.compareTo(MAX_PERCENTAGE) > 0)) {
                    throw new Malformed(field + ".used_percentage " + used.toPlainString()
                            + " is not a percentage (0 to 100)");
                }
                windows.add(new Window(w.getKey(), used, time(w.getValue().get("resets_at"), field + ".resets_at")));
            }
        }
        BigDecimal sessionCost = cost == null ? null : number(cost, "total_cost_usd", "cost");
        return new StatusLine(text(root, "session_id", ""), model == null ? null : text(model, "id", "model."),
                model == null ? null : text(model, "display_name", "model."), text(root, "version", ""), sessionCost,
                List.copyOf(windows));
    }

    private static JsonNode object(JsonNode parent, String field) throws Malformed {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new Malformed(field + " is not an object");
        }
        return n;
    }

    private static String text(JsonNode parent, String field, String prefix) throws Malformed {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new Malformed(prefix + field + " is not a string");
        }
        return n.asText();
    }

    private static BigDecimal number(JsonNode parent, String field, String prefix) throws Malformed {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new Malformed(prefix + "." + field + " is not a number");
        }
        return decimal(n, prefix + "." + field);
    }

    /** A JSON number as a decimal; 1e400 (a double node holding Infinity) is refused, not a 500. */
    private static BigDecimal decimal(JsonNode n, String what) throws Malformed {
        if (n.isDouble() && !Double.isFinite(n.doubleValue())) {
            throw new Malformed(what + " " + n.asText() + " is not a finite number");
        }
        try {
            return n.decimalValue();
        } catch (NumberFormatException e) {
            throw new Malformed(what + " " + n.asText() + " is not a finite number");
        }
    }

    /** Epoch seconds as Claude Code sends them; an ISO-8601 instant is taken too (some versions' docs say so). */
    private static Instant time(JsonNode n, String field) throws Malformed {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isNumber()) {
            BigDecimal s = decimal(n, field);
            if (s.signum() < 0 || s.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) > 0) {
                throw new Malformed(field + " " + s.toPlainString() + " is not a time in epoch seconds");
            }
            return Instant.ofEpochMilli(s.movePointRight(3).longValue());
        }
        if (n.isTextual()) {
            try {
                Instant t = Instant.parse(n.asText());
                if (t.getEpochSecond() < 0 || t.getEpochSecond() > MAX_EPOCH_SECONDS) {
                    throw new Malformed(field + " " + n.asText() + " is out of range");
                }
                return t;
            } catch (DateTimeException e) {
                throw new Malformed(field + " \"" + n.asText() + "\" is not epoch seconds or an ISO-8601 instant");
            }
        }
        throw new Malformed(field + " is not a time (epoch seconds)");
    }
}
