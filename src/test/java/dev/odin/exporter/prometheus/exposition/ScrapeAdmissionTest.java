package dev.odin.exporter.prometheus.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScrapeAdmissionTest {

    @Test
    void aClientGetsItsShareAndNoMore() {
        ScrapeAdmission a = new ScrapeAdmission(10, 2);
        assertThat(a.tryAcquire("10.0.0.1")).isNull();
        assertThat(a.tryAcquire("10.0.0.1")).isNull();
        assertThat(a.tryAcquire("10.0.0.1")).isEqualTo(ScrapeAdmission.Refusal.CLIENT_LIMIT);
        // a refusal takes no slot: another client still gets in
        assertThat(a.inFlight()).isEqualTo(2);
        assertThat(a.tryAcquire("10.0.0.2")).isNull();
        a.release("10.0.0.1");
        assertThat(a.tryAcquire("10.0.0.1")).isNull();
        assertThat(a.inFlight()).isEqualTo(3);
    }

    @Test
    void theTotalIsReachedWhateverTheClient() {
        ScrapeAdmission a = new ScrapeAdmission(3, 2);
        assertThat(a.tryAcquire("a")).isNull();
        assertThat(a.tryAcquire("b")).isNull();
        assertThat(a.tryAcquire("c")).isNull();
        assertThat(a.tryAcquire("d")).isEqualTo(ScrapeAdmission.Refusal.TOTAL_LIMIT);
        assertThat(a.tryAcquire("a")).isEqualTo(ScrapeAdmission.Refusal.TOTAL_LIMIT);
        assertThat(a.inFlight()).isEqualTo(3);
        a.release("b");
        assertThat(a.tryAcquire("d")).isNull();
    }

    @Test
    void onlyClientsWithAScrapeInFlightAreRemembered() {
        ScrapeAdmission a = new ScrapeAdmission(4, 4);
        for (int i = 0; i < 10_000; i++) {
            String client = "10.0." + (i / 256) + "." + (i % 256);
            assertThat(a.tryAcquire(client)).isNull();
            assertThat(a.trackedClients()).isEqualTo(1);
            a.release(client);
        }
        assertThat(a.trackedClients()).isZero();
        assertThat(a.inFlight()).isZero();
    }

    @Test
    void aPerClientLimitAboveTheTotalIsTheTotal() {
        ScrapeAdmission a = new ScrapeAdmission(2, 8);
        assertThat(a.tryAcquire("a")).isNull();
        assertThat(a.tryAcquire("a")).isNull();
        assertThat(a.tryAcquire("a")).isEqualTo(ScrapeAdmission.Refusal.TOTAL_LIMIT);
    }

    @Test
    void limitsBelowOneAreRefused() {
        assertThatThrownBy(() -> new ScrapeAdmission(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScrapeAdmission(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
