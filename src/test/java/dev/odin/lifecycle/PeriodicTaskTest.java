package dev.odin.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The internal timers' lifecycle: started and stopped by Spring, a failing turn does not end it. */
class PeriodicTaskTest {

    @Test
    void aFailingTurnIsLoggedAndTheNextOneStillRuns() {
        AtomicInteger runs = new AtomicInteger();
        PeriodicTask task = new PeriodicTask("test", Duration.ofHours(1), () -> {
            if (runs.incrementAndGet() == 1) {
                throw new java.io.IOException("disk gone");
            }
        });
        task.runOnce();
        task.runOnce();
        assertThat(runs).hasValue(2);
    }

    @Test
    void runsOnItsOwnThreadBetweenStartAndStop() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        String[] thread = new String[1];
        PeriodicTask task = new PeriodicTask("latch", Duration.ofMillis(10), () -> {
            thread[0] = Thread.currentThread().getName();
            ran.countDown();
        });
        assertThat(task.isRunning()).isFalse();
        task.start();
        assertThat(task.isRunning()).isTrue();
        assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
        task.stop();
        assertThat(task.isRunning()).isFalse();
        assertThat(thread[0]).isEqualTo("odin-latch");
    }

    @Test
    void aPeriodMustBePositive() {
        assertThatThrownBy(() -> new PeriodicTask("zero", Duration.ZERO, () -> { }))
                .hasMessageContaining("the period must be positive");
    }
}
