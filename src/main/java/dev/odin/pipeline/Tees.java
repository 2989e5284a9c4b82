package dev.odin.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bean {@code tee}: the error step of routeConfiguration {@code tee-errors} (routes/tees.yaml),
 * which a route a {@code wireTap} sends to names ({@code routeConfigurationId: tee-errors}). A
 * tee runs beside the request (wireTap), so its failure never fails the request; here it is
 * counted in {@code odin_tee_failures_total{route}} and logged (the first failure of a route, then
 * at most once a minute, with the count since).
 */
public final class Tees {

    private static final Logger log = LoggerFactory.getLogger(Tees.class);
    private static final long LOG_EVERY_MILLIS = 60_000;

    private final MeterRegistry registry;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    public Tees(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The onException step. Body in: anything (the tee's copy); body out: unchanged. Reads the
     * exchange properties {@code CamelExceptionCaught} and {@code CamelFailureRouteId} (the tee's
     * route; a wireTap's copy still names the tapped route as where it came from).
     */
    public void failed(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable cause,
            @ExchangeProperty(Exchange.FAILURE_ROUTE_ID) String failedRoute) {
        String route = failedRoute == null ? "unknown" : failedRoute;
        Counter counter = failures.computeIfAbsent(route, r -> Counter.builder("odin.tee.failures")
                .description("Tee sends (wireTap routes with routeConfiguration tee-errors) that failed; the"
                        + " requests they copied were not affected").tag("route", r).register(registry));
        counter.increment();
        long now = System.currentTimeMillis();
        Long last = lastLogged.get(route);
        if (last == null || now - last >= LOG_EVERY_MILLIS) {
            lastLogged.put(route, now);
            log.warn("tee route {} failed ({} failures so far; the request it copied was not affected): {}", route,
                    (long) counter.count(), cause == null ? "unknown" : cause.toString());
        }
    }
}
