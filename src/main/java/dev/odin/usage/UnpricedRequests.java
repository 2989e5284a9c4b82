package dev.odin.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests whose model the price table does not know: tokens counted, cost left null (never 0,
 * never guessed), and counted here as {@code odin_claude_unpriced_requests_total{source,model}}
 * (source transcript or telemetry) so a new model shows up before anyone trusts a total. The
 * model label is the client's text: at most {@value #MAX_MODELS} distinct models are named, the
 * rest are counted under {@value #OVERFLOW}.
 */
public final class UnpricedRequests {

    static final int MAX_MODELS = 50;
    static final String OVERFLOW = "other";

    private final MeterRegistry registry;
    private final Map<String, Boolean> models = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public UnpricedRequests(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts nowhere but in memory (for callers built without a registry). */
    static UnpricedRequests unregistered() {
        return new UnpricedRequests(new SimpleMeterRegistry());
    }

    /** One request of {@code model} (null: "") from {@code source} that has no price. */
    public void count(String source, String model) {
        counter(source, label(model == null ? "" : model)).increment();
    }

    /** Requests counted under {@code model} from {@code source} since start. */
    public double counted(String source, String model) {
        Counter c = counters.get(source + "\u0000" + model);
        return c == null ? 0 : c.count();
    }

    private String label(String model) {
        if (models.containsKey(model)) {
            return model;
        }
        synchronized (models) {
            if (models.size() < MAX_MODELS) {
                models.putIfAbsent(model, Boolean.TRUE);
                return model;
            }
        }
        return models.containsKey(model) ? model : OVERFLOW;
    }

    private Counter counter(String source, String label) {
        return counters.computeIfAbsent(source + "\u0000" + label, k -> Counter.builder("odin.claude.unpriced.requests")
                .description("Requests whose model is not in the price table (tokens counted, cost left empty)")
                .tag("source", source).tag("model", label).register(registry));
    }
}
