package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** Date/time columns as cyclic features. */
class TimeFeaturesTest {

    @Test
    void readsTheVegaSpellingsAndTheIsoOnes() {
        assertThat(TimeFeatures.parse("2001/01/14 21:55")).isEqualTo(LocalDateTime.of(2001, 1, 14, 21, 55));
        assertThat(TimeFeatures.parse("2012-01-01")).isEqualTo(LocalDateTime.of(2012, 1, 1, 0, 0));
        assertThat(TimeFeatures.parse("2012-01-01T08:30:15Z")).isEqualTo(LocalDateTime.of(2012, 1, 1, 8, 30, 15));
        assertThat(TimeFeatures.parse(" 2012/02/29 ")).isEqualTo(LocalDateTime.of(2012, 2, 29, 0, 0));
        assertThat(TimeFeatures.parse("14/01/2001")).isNull();
        assertThat(TimeFeatures.parse("2012-13-01")).isNull();
        assertThat(TimeFeatures.parse("")).isNull();
    }

    @Test
    void neighbouringTimesGetNeighbouringFeatures() {
        float[] late = new float[TimeFeatures.WIDTH];
        float[] early = new float[TimeFeatures.WIDTH];
        float[] noon = new float[TimeFeatures.WIDTH];
        TimeFeatures.encode(LocalDateTime.of(2001, 1, 14, 23, 59), late, 0); // Sunday
        TimeFeatures.encode(LocalDateTime.of(2001, 1, 15, 0, 1), early, 0); // Monday
        TimeFeatures.encode(LocalDateTime.of(2001, 1, 15, 12, 0), noon, 0);
        // 23:59 and 00:01 are close on the hour circle, noon is opposite
        assertThat(Math.hypot(late[0] - early[0], late[1] - early[1])).isLessThan(0.01);
        assertThat(noon[1]).isCloseTo(-1f, within(1e-6f));
        // Sunday (6) and Monday (0) are neighbours on the week circle: distance 2 sin(pi / 7)
        assertThat(Math.hypot(late[2] - early[2], late[3] - early[3])).isCloseTo(2 * Math.sin(Math.PI / 7),
                within(1e-5));
        // Monday is day 0: sin 0, cos 1
        assertThat(early[2]).isEqualTo(0f);
        assertThat(early[3]).isEqualTo(1f);
    }
}
