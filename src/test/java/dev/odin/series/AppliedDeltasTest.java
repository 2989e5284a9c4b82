package dev.odin.series;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The repeat-delta ring, grown as entries arrive: the same SIZE newest entries as a full one. */
class AppliedDeltasTest {

    @Test
    void remembersTheNewestEightAcrossItsGrowthAndForgetsTheOldest() {
        AppliedDeltas d = new AppliedDeltas();
        assertThat(d.contains(1, 0, 10)).isFalse();
        for (int i = 1; i <= AppliedDeltas.SIZE + 3; i++) {
            d.add(7, i * 10L, i * 10L + 10);
            assertThat(d.contains(7, i * 10L, i * 10L + 10)).isTrue();
            for (int j = 1; j <= i; j++) {
                boolean kept = j > i - AppliedDeltas.SIZE;
                assertThat(d.contains(7, j * 10L, j * 10L + 10)).as("entry %d after %d adds", j, i).isEqualTo(kept);
            }
        }
        assertThat(d.contains(8, 110, 120)).as("another source").isFalse();
    }
}
