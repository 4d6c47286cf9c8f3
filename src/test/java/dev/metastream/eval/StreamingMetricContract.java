package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The generic contract every {@link StreamingMetric} passes (after River's generic metric checks). Each
 * implementation's test class extends this, supplies a fresh metric and one random update, and may supply a
 * serialisation round trip.
 */
abstract class StreamingMetricContract<M extends StreamingMetric> {

    /** @return a fresh metric under test */
    protected abstract M create();

    /** Feeds one random, valid update. */
    protected abstract void feed(M m, Random r);

    /** @return a copy restored from the metric's serialised state, or null if it has none */
    protected M roundTrip(M m) {
        return null;
    }

    /** @return whether a value may be NaN even after many updates (documented as undefined in some states) */
    protected boolean mayBeUndefined(String key) {
        return false;
    }

    private M fed(long seed, int n) {
        M m = create();
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            feed(m, r);
        }
        return m;
    }

    @Test
    void contractEmptyBeforeTheFirstUpdate() {
        M m = create();
        assertThat(m.count()).isZero();
        assertThat(m.values()).isEmpty();
    }

    @Test
    void contractValuesAreFiniteAndCountsUpdates() {
        M m = create();
        Random r = new Random(7);
        for (int i = 1; i <= 300; i++) {
            feed(m, r);
            assertThat(m.count()).isEqualTo(i);
            if (i >= 50) { // early values may be undefined (an AUC before both classes), never later ones
                assertThat(m.values()).isNotEmpty().allSatisfy((k, v) -> {
                    if (!(mayBeUndefined(k) && v.isNaN())) {
                        assertThat(v).as(k).isFinite();
                    }
                });
            }
        }
    }

    @Test
    void contractKeySetIsFixedAfterTheFirstUpdate() {
        M m = create();
        Random r = new Random(3);
        feed(m, r);
        var keys = Map.copyOf(m.values()).keySet();
        for (int i = 0; i < 200; i++) {
            feed(m, r);
        }
        assertThat(m.values().keySet()).isEqualTo(keys);
    }

    @Test
    void contractReadingDoesNotChangeTheState() {
        M read = create();
        M unread = create();
        Random r1 = new Random(11);
        Random r2 = new Random(11);
        for (int i = 0; i < 120; i++) {
            feed(read, r1);
            feed(unread, r2);
            read.values();
            read.count();
        }
        assertThat(read.values()).isEqualTo(unread.values());
    }

    @Test
    void contractSameUpdatesGiveSameValues() {
        assertThat(fed(5, 257).values()).isEqualTo(fed(5, 257).values());
        assertThat(fed(5, 257).values()).isNotEqualTo(fed(6, 257).values());
    }

    @Test
    void contractSerialisationRoundTripContinuesIdentically() {
        if (roundTrip(create()) == null) {
            return;
        }
        for (int split : new int[] {0, 1, 9, 10, 23, 100}) {
            M straight = fed(17, 150);
            M first = create();
            Random r = new Random(17);
            for (int i = 0; i < split; i++) {
                feed(first, r);
            }
            M second = roundTrip(first);
            assertThat(second.values()).isEqualTo(first.values());
            assertThat(second.count()).isEqualTo(split);
            for (int i = split; i < 150; i++) {
                feed(second, r);
            }
            assertThat(second.values()).as("split %d", split).isEqualTo(straight.values());
        }
    }
}
