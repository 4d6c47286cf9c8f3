package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The store's keys are the bytes earlier releases wrote, so stores written by them still read. */
class StoreKeysTest {
    @Test
    void zeroPaddedIsWhatStringFormatWrote() {
        int[] values = {0, 7, 42, 999_999, 1_000_000, 123_456_789, 2_147_483_647};
        for (int v : values) {
            assertThat(KafkaLearnerStore.zeroPadded(v, 6)).isEqualTo(String.format(Locale.ROOT, "%06d", v));
            assertThat(KafkaLearnerStore.zeroPadded(v, 10)).isEqualTo(String.format(Locale.ROOT, "%010d", v));
        }
        assertThat(KafkaLearnerStore.memoryKey("user-1", 63)).isEqualTo("user-1\u0000000063");
        assertThat(KafkaLearnerStore.memoryTaskKey(12)).isEqualTo("memory.task\u00000000000012");
        assertThatThrownBy(() -> KafkaLearnerStore.zeroPadded(-1, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
    }
}
