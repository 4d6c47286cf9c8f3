package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** HeadStepNormalization: parsing of optimizer.head.normalized and the scaling each mode applies to a head gradient. */
class HeadStepNormalizationTest {
    // hidden 2, wide 3, lag 1, out 2: W is 6 rows x 2 columns, then b[2].
    private static final int HIDDEN = 2;
    private static final int WIDE = 3;
    private static final int LAG = 1;
    private static final int OUT = 2;
    private static final float[] NORMS = {3f, 1f, 0.25f};

    private static float[] gradient() {
        float[] g = new float[(HIDDEN + WIDE + LAG + 1) * OUT];
        for (int i = 0; i < g.length; i++) {
            g[i] = i + 1;
        }
        return g;
    }

    @Test
    void parsesTheThreeValuesCaseInsensitively() {
        assertThat(HeadStepNormalization.parse("per-part")).isEqualTo(HeadStepNormalization.PER_PART);
        assertThat(HeadStepNormalization.parse("PER-Part")).isEqualTo(HeadStepNormalization.PER_PART);
        assertThat(HeadStepNormalization.parse(" Joint ")).isEqualTo(HeadStepNormalization.JOINT);
        assertThat(HeadStepNormalization.parse("NONE")).isEqualTo(HeadStepNormalization.NONE);
    }

    @Test
    void rejectsOtherValuesNamingTheKey() {
        for (String bad : new String[] {"per_part", "perpart", "true", ""}) {
            assertThatThrownBy(() -> HeadStepNormalization.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("optimizer.head.normalized");
        }
    }

    @Test
    void noneLeavesTheGradientUnchanged() {
        float[] g = gradient();
        HeadStepNormalization.NONE.apply(g, NORMS, HIDDEN, WIDE, LAG, OUT);
        assertThat(g).containsExactly(gradient());
    }

    @Test
    void jointScalesEveryEntryByOneOverOnePlusTheSumOfPartNorms() {
        float[] g = gradient();
        HeadStepNormalization.JOINT.apply(g, NORMS, HIDDEN, WIDE, LAG, OUT);
        float s = 1f / (1f + 3f + 1f + 0.25f);
        float[] raw = gradient();
        for (int i = 0; i < g.length; i++) {
            assertThat(g[i]).as("entry %d", i).isCloseTo(raw[i] * s, within(1e-6f));
        }
    }

    @Test
    void perPartScalesEachPartsRowsByItsOwnNormAndTheBiasByOneHalf() {
        float[] g = gradient();
        HeadStepNormalization.PER_PART.apply(g, NORMS, HIDDEN, WIDE, LAG, OUT);
        float[] raw = gradient();
        for (int row = 0; row < HIDDEN + WIDE + LAG + 1; row++) {
            float s = row < HIDDEN ? 1f / (1f + 3f)
                    : row < HIDDEN + WIDE ? 1f / (1f + 1f)
                    : row < HIDDEN + WIDE + LAG ? 1f / (1f + 0.25f)
                    : 0.5f;
            for (int j = 0; j < OUT; j++) {
                int i = row * OUT + j;
                assertThat(g[i]).as("row %d column %d", row, j).isCloseTo(raw[i] * s, within(1e-6f));
            }
        }
    }

    @Test
    void perPartWithNoLagPartScalesTheBiasRowNotALagRow() {
        float[] g = new float[(HIDDEN + WIDE + 1) * OUT];
        java.util.Arrays.fill(g, 1f);
        HeadStepNormalization.PER_PART.apply(g, new float[] {1f, 3f, 0f}, HIDDEN, WIDE, 0, OUT);
        for (int i = 0; i < g.length; i++) {
            int row = i / OUT;
            float expected = row < HIDDEN ? 0.5f : row < HIDDEN + WIDE ? 0.25f : 0.5f;
            assertThat(g[i]).as("entry %d", i).isCloseTo(expected, within(1e-6f));
        }
    }
}
