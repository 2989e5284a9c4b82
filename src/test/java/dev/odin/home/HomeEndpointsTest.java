package dev.odin.home;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odin.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** However many ask, the report is built at most once per second. */
class HomeEndpointsTest {

    @Test
    void oneBuildPerSecondForAnyNumberOfHits() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
        AtomicInteger builds = new AtomicInteger();
        HomeEndpoints home = new HomeEndpoints(() -> {
            builds.incrementAndGet();
            Map<String, Object> r = HomePageTest.hostileReport();
            r.put("version", "v" + builds.get());
            return r;
        }, clock);
        HomeEndpoints.Page page = new HomeEndpoints.Page(home);
        HomeEndpoints.Api api = new HomeEndpoints.Api(home);
        for (int i = 0; i < 1000; i++) {
            page.page();
            api.status();
        }
        assertThat(builds.get()).isEqualTo(1);
        assertThat(page.page()).contains("version v1");
        clock.advance(Duration.ofMillis(HomeEndpoints.MAX_AGE_MILLIS - 1));
        assertThat(api.status().get("version")).isEqualTo("v1");
        clock.advance(Duration.ofMillis(1));
        assertThat(page.page()).contains("version v2");
        assertThat(api.status().get("version")).isEqualTo("v2");
        assertThat(builds.get()).isEqualTo(2);
        // a clock set back does not freeze the page
        clock.advance(Duration.ofSeconds(-30));
        assertThat(page.page()).contains("version v3");
    }
}
