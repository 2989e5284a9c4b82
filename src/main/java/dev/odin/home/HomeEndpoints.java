package dev.odin.home;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The management port's home page ({@code GET /}, endpoint {@code home}) and its JSON form
 * ({@code GET /api/status}, endpoint {@code statusapi}). Both serve one report, built at most
 * once every {@value #MAX_AGE_MILLIS} ms however many ask: a reload storm costs a string copy,
 * not a walk over every health indicator each.
 */
public final class HomeEndpoints {

    static final long MAX_AGE_MILLIS = 1000;

    private final Supplier<Map<String, Object>> report;
    private final Clock clock;
    private final ReentrantLock building = new ReentrantLock();
    private volatile Built built;

    private record Built(long millis, Map<String, Object> report, String html) {
    }

    /** @param report builds the report ({@link StatusReport#build}) */
    public HomeEndpoints(Supplier<Map<String, Object>> report, Clock clock) {
        this.report = report;
        this.clock = clock;
    }

    /** The report no older than {@link #MAX_AGE_MILLIS}; while another thread builds it, the one before. */
    Built current() {
        Built b = built;
        long now = clock.millis();
        if (b != null && now - b.millis() < MAX_AGE_MILLIS && now >= b.millis()) {
            return b;
        }
        if (b != null && !building.tryLock()) {
            return b;
        }
        if (b == null) {
            building.lock();
        }
        try {
            Built again = built;
            if (again != null && again != b) {
                return again;
            }
            Map<String, Object> r = report.get();
            Built fresh = new Built(clock.millis(), r, HomePage.render(r));
            built = fresh;
            return fresh;
        } finally {
            building.unlock();
        }
    }

    /** {@code GET /}: the home page. */
    @WebEndpoint(id = "home")
    public static final class Page {
        private final HomeEndpoints home;

        public Page(HomeEndpoints home) {
            this.home = home;
        }

        @ReadOperation(produces = "text/html;charset=UTF-8")
        public String page() {
            return home.current().html();
        }
    }

    /** {@code GET /api/status}: the same report as JSON. */
    @WebEndpoint(id = "statusapi")
    public static final class Api {
        private final HomeEndpoints home;

        public Api(HomeEndpoints home) {
            this.home = home;
        }

        @ReadOperation(produces = "application/json")
        public Map<String, Object> status() {
            return home.current().report();
        }
    }
}
