package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Reservoir sampling behaviour and serialisation. */
class ReservoirTest {

    @Test
    void keepsFirstItemsVerbatimThenBounded() {
        Reservoir r = new Reservoir(5);
        for (int i = 0; i < 5; i++) {
            float[] x = {i, i + 0.5f};
            r.offer(x, new float[] {i}, Seeds.of("t", i));
            x[0] = -1; // stored as a copy
        }
        assertThat(r.size()).isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            assertThat(r.x(i)).containsExactly(i, i + 0.5f);
            assertThat(r.target(i)).containsExactly(i);
        }
        for (int i = 5; i < 1000; i++) {
            r.offer(new float[] {i, i + 0.5f}, new float[] {i}, Seeds.of("t", i));
            assertThat(r.size()).isEqualTo(5);
        }
        assertThat(r.seen()).isEqualTo(1000);
        assertThat(r.capacity()).isEqualTo(5);
        assertThatThrownBy(() -> r.x(5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void inclusionIsRoughlyUniform() {
        // Stream of 200 items into capacity 20, repeated 4000 times: each item should be kept
        // with probability 0.1, i.e. expected count 400 per item.
        int stream = 200;
        int cap = 20;
        int reps = 4000;
        long[] counts = new long[stream];
        for (int rep = 0; rep < reps; rep++) {
            Reservoir r = new Reservoir(cap);
            for (int i = 0; i < stream; i++) {
                r.offer(new float[] {i}, new float[0], Seeds.mix(rep, i));
            }
            for (int j = 0; j < r.size(); j++) {
                counts[(int) r.x(j)[0]]++;
            }
        }
        double expected = (double) reps * cap / stream;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 199 degrees of freedom (slightly fewer effective: totals are fixed): mean ~199,
        // sd ~20; 300 is ~5 sd, so a real bias (e.g. early items favoured) fails clearly.
        assertThat(chi2).isLessThan(300);
        assertThat(counts[0]).isBetween(300L, 500L);
        assertThat(counts[stream - 1]).isBetween(300L, 500L);
    }

    @Test
    void deterministicGivenBits() {
        Reservoir a = new Reservoir(8);
        Reservoir b = new Reservoir(8);
        for (int i = 0; i < 300; i++) {
            a.offer(new float[] {i}, new float[] {1}, Seeds.of("task", i));
            b.offer(new float[] {i}, new float[] {1}, Seeds.of("task", i));
        }
        assertThat(a.toBytes()).isEqualTo(b.toBytes());
    }

    @Test
    void roundTripsThroughBytes() {
        Reservoir r = new Reservoir(4);
        for (int i = 0; i < 11; i++) {
            r.offer(new float[] {i, -i, i * 0.25f}, new float[] {i % 2, 1 - i % 2}, Seeds.of("x", i));
        }
        byte[] bytes = r.toBytes();
        assertThat(bytes[0]).isEqualTo(Reservoir.FORMAT_VERSION);
        Reservoir back = Reservoir.fromBytes(bytes);
        assertThat(back.capacity()).isEqualTo(4);
        assertThat(back.size()).isEqualTo(4);
        assertThat(back.seen()).isEqualTo(11);
        for (int i = 0; i < 4; i++) {
            assertThat(back.x(i)).containsExactly(r.x(i));
            assertThat(back.target(i)).containsExactly(r.target(i));
        }
        // Continuing both with the same bits keeps them identical.
        r.offer(new float[] {99, 99, 99}, new float[] {1, 0}, Seeds.of("x", 11));
        back.offer(new float[] {99, 99, 99}, new float[] {1, 0}, Seeds.of("x", 11));
        assertThat(back.toBytes()).isEqualTo(r.toBytes());

        Reservoir empty = Reservoir.fromBytes(new Reservoir(3).toBytes());
        assertThat(empty.size()).isZero();
        assertThat(empty.capacity()).isEqualTo(3);

        bytes[0] = 9;
        assertThatThrownBy(() -> Reservoir.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        byte[] truncated = java.util.Arrays.copyOf(r.toBytes(), 20);
        assertThatThrownBy(() -> Reservoir.fromBytes(truncated))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void uniformMapsBitsIntoRange() {
        for (long bits : new long[] {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 12345L}) {
            assertThat(Reservoir.uniform(bits, 7)).isBetween(0L, 6L);
        }
        assertThat(Reservoir.uniform(-1L, 7)).isEqualTo(6L);
        assertThat(Reservoir.uniform(0L, 7)).isEqualTo(0L);
    }
}
