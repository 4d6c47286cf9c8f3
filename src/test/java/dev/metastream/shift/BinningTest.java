package dev.metastream.shift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Binning}'s flat edges give each value the bin its own binning gives. */
class BinningTest {

    @Test
    void flatEdgesBinAsEachBinningDoes() {
        SplittableRandom r = new SplittableRandom(3);
        // Continuous, categorical (few distinct values: fewer edges, so padding), constant and empty samples.
        float[][] samples = new float[5][];
        samples[0] = new float[300];
        for (int i = 0; i < 300; i++) {
            samples[0][i] = (float) r.nextGaussian();
        }
        samples[1] = new float[300];
        for (int i = 0; i < 300; i++) {
            samples[1][i] = r.nextInt(3);
        }
        samples[2] = new float[] {2f, 2f, 2f};
        samples[3] = new float[0];
        samples[4] = new float[300];
        for (int i = 0; i < 300; i++) {
            samples[4][i] = (float) Math.exp(3 * r.nextGaussian());
        }
        Binning[] binnings = new Binning[samples.length];
        for (int j = 0; j < samples.length; j++) {
            binnings[j] = Binning.fromSample(samples[j], samples[j].length, 10);
        }
        int stride = Binning.widest(binnings);
        assertThat(binnings[1].edges.length).as("a categorical input has fewer edges").isLessThan(stride);
        float[] flat = Binning.flatEdges(binnings, stride);
        float[] probes = {Float.NEGATIVE_INFINITY, -1e30f, -1f, 0f, 0.5f, 1f, 2f, 3f, 1e30f, Float.POSITIVE_INFINITY};
        for (int j = 0; j < binnings.length; j++) {
            for (float v : probes) {
                assertThat(Binning.bin(flat, j * stride, stride, v)).as("input %d, %s", j, v)
                        .isEqualTo(binnings[j].bin(v));
            }
            for (int k = 0; k < 1_000; k++) {
                float v = (float) (r.nextGaussian() * 5);
                assertThat(Binning.bin(flat, j * stride, stride, v)).isEqualTo(binnings[j].bin(v));
            }
            for (float edge : binnings[j].edges) {
                assertThat(Binning.bin(flat, j * stride, stride, edge)).as("at an edge").isEqualTo(binnings[j].bin(edge));
                float below = Math.nextDown(edge);
                assertThat(Binning.bin(flat, j * stride, stride, below)).isEqualTo(binnings[j].bin(below));
            }
        }
    }
}
