package dev.odin.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.odin.loki.wire.EntryAdapter;
import dev.odin.loki.wire.LabelPairAdapter;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * One event as one JSON object on one line: the same labels, line, timestamp and structured
 * metadata that go to Loki, so {@code jq} and {@code grep} work on the files.
 *
 * <pre>{"timestamp":"1795358434617000000","labels":{"service_name":"claude-code"},
 *  "line":"claude_code.api_request","metadata":{"event_name":"api_request","cost_usd":"0.0065",...}}</pre>
 */
public final class EventJson {

    /** No separator between root values: each object starts its own line with '{' (JSON Lines). */
    private static final JsonFactory JSON = new JsonFactoryBuilder().rootValueSeparator((String) null).build();

    private EventJson() {
    }

    public static JsonGenerator generator(Writer out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        g.configure(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM, false);
        return g;
    }

    /** Writes the object and a newline; {@code extra} fields (e.g. an error) come last. */
    public static void write(JsonGenerator g, Map<String, String> labels, EntryAdapter e, Map<String, String> extra)
            throws IOException {
        g.writeStartObject();
        long nanos = e.getTimestamp().getSeconds() * 1_000_000_000L + e.getTimestamp().getNanos();
        g.writeStringField("timestamp", Long.toString(nanos));
        g.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> l : labels.entrySet()) {
            g.writeStringField(l.getKey(), l.getValue());
        }
        g.writeEndObject();
        g.writeStringField("line", e.getLine());
        g.writeObjectFieldStart("metadata");
        for (LabelPairAdapter p : e.getStructuredMetadataList()) {
            g.writeStringField(p.getName(), p.getValue());
        }
        g.writeEndObject();
        for (Map.Entry<String, String> x : extra.entrySet()) {
            g.writeStringField(x.getKey(), x.getValue());
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }
}
