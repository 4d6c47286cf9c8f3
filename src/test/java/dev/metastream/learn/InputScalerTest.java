package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** InputScaler: standardisation, indicator pass-through, clipping, and the task/partition pooling of transformPooled. */
class InputScalerTest {

    private static InputScaler gaussian(int n, double mean, double sd, long seed) {
        InputScaler s = InputScaler.create(1);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            s.learn(new float[] {(float) (mean + sd * r.nextGaussian())});
        }
        return s;
    }

    @Test
    void lazyZerosGiveTheStatisticsOfAnEagerWelfordPass() {
        // Mostly-zero features (hashed, one-hot, sparse numeric) among dense ones, learned lazily; the reference folds
        // every value, zeros included, one at a time.
        int dim = 6;
        InputScaler s = InputScaler.create(dim);
        double[] mean = new double[dim];
        double[] m2 = new double[dim];
        SplittableRandom r = new SplittableRandom(7);
        for (int n = 1; n <= 3_000; n++) {
            float[] x = new float[dim];
            x[0] = (float) (1019 + 8 * r.nextGaussian()); // dense
            x[1] = r.nextDouble() < 0.05 ? (float) (50 + 20 * r.nextGaussian()) : 0f; // sparse numeric
            x[2] = r.nextDouble() < 0.1 ? 1f : 0f; // indicator
            x[3] = n > 2_000 && r.nextDouble() < 0.5 ? 3f : 0f; // zeros first, values later
            x[4] = n < 10 ? 2f : 0f; // values first, zeros later
            s.learn(x);
            for (int i = 0; i < dim; i++) {
                double d = x[i] - mean[i];
                mean[i] += d / n;
                m2[i] += d * (x[i] - mean[i]);
            }
            if (n % 500 == 0 || n < 20) {
                for (int i = 0; i < dim; i++) {
                    assertThat(s.mean()[i]).as("mean %d at %d", i, n)
                            .isCloseTo(mean[i], within(1e-9 * Math.max(1, Math.abs(mean[i]))));
                    assertThat(s.std()[i]).as("std %d at %d", i, n)
                            .isCloseTo(Math.sqrt(m2[i] / n), within(1e-9 * Math.max(1, Math.sqrt(m2[i] / n))));
                }
            }
        }
        assertThat(s.seen[5]).isZero(); // an all-zero feature was never touched
    }

    @Test
    void aScalerWrittenWithoutLazyZerosReadsAsCoveringEveryExample() {
        InputScaler s = gaussian(100, 3, 2, 4);
        Codec.Writer old = new Codec.Writer(64);
        old.i64(s.count).doubles(s.mean).doubles(s.m2).longs(s.numeric); // the encoding before lazy zeros
        InputScaler read = InputScaler.read(new Codec.Reader(old.toBytes()));
        assertThat(read.seen).containsExactly(100);
        assertThat(read.mean()).containsExactly(s.mean());
        assertThat(read.std()).containsExactly(s.std());
        Codec.Writer now = new Codec.Writer(64);
        s.write(now);
        assertThat(InputScaler.read(new Codec.Reader(now.toBytes())).seen).containsExactly(s.seen);
    }

    @Test
    void theCompactEncodingKeepsEveryCountAndShrinksDenseInputs() {
        SplittableRandom r = new SplittableRandom(11);
        InputScaler dense = InputScaler.create(50);
        InputScaler indicators = InputScaler.create(50);
        InputScaler mixed = InputScaler.create(50);
        for (int n = 0; n < 200; n++) {
            float[] x = new float[50];
            float[] onehot = new float[50];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            onehot[r.nextInt(50)] = 1f;
            dense.learn(x);
            indicators.learn(onehot);
            x[3] = 0f; // one sparse feature: seen differs from count
            mixed.learn(x);
        }
        for (InputScaler s : new InputScaler[] {dense, indicators, mixed}) {
            Codec.Writer w = new Codec.Writer(64);
            s.writeCompact(w);
            InputScaler read = InputScaler.readCompact(new Codec.Reader(w.toBytes()));
            assertThat(read.count).isEqualTo(s.count);
            assertThat(read.numeric).containsExactly(s.numeric);
            assertThat(read.seen).containsExactly(s.seen);
            assertThat(read.mean()).containsExactly(s.mean());
            assertThat(read.std()).containsExactly(s.std());
        }
        Codec.Writer full = new Codec.Writer(64);
        dense.write(full);
        Codec.Writer compact = new Codec.Writer(64);
        dense.writeCompact(compact);
        // Two arrays of 50 longs become two tags: 800 bytes fewer, less the tags and a length prefix each.
        assertThat(compact.toBytes().length).isLessThan(full.toBytes().length - 780);
    }

    @Test
    void aYoungScalerIsWrittenAsItsInputsAndReadsBackBitForBit() {
        SplittableRandom r = new SplittableRandom(13);
        InputScaler s = InputScaler.create(100);
        for (int n = 0; n <= InputScaler.INPUTS_KEPT + 1; n++) {
            if (n > 0) {
                float[] x = new float[100];
                for (int i = 0; i < x.length; i++) {
                    // a sparse feature (lazy zeros), an indicator, and large numeric values
                    x[i] = i == 7 ? (n % 2 == 0 ? 0f : 3f) : i == 8 ? 1f : (float) (r.nextGaussian() * 1000 + 5);
                }
                s.learn(x);
            }
            assertThat(s.keepsInputs()).as("after %d inputs", n).isEqualTo(n <= InputScaler.INPUTS_KEPT);
            if (!s.keepsInputs()) {
                break;
            }
            Codec.Writer w = new Codec.Writer(64);
            s.writeInputs(w);
            byte[] young = w.toBytes();
            InputScaler read = InputScaler.readInputs(new Codec.Reader(young));
            assertThat(read.count).isEqualTo(s.count);
            assertThat(read.numeric).containsExactly(s.numeric);
            assertThat(read.seen).containsExactly(s.seen);
            for (int i = 0; i < 100; i++) {
                assertThat(Double.doubleToRawLongBits(read.mean[i])).isEqualTo(Double.doubleToRawLongBits(s.mean[i]));
                assertThat(Double.doubleToRawLongBits(read.m2[i])).isEqualTo(Double.doubleToRawLongBits(s.m2[i]));
            }
            Codec.Writer compact = new Codec.Writer(64);
            s.writeCompact(compact);
            assertThat(young.length).as("after %d inputs", n).isLessThan(compact.toBytes().length);
            // What the read scaler learns next is what the original learns next.
            assertThat(read.keepsInputs()).isTrue();
        }
        assertThat(s.count()).isEqualTo(InputScaler.INPUTS_KEPT + 1);
    }

    @Test
    void aTaskStateWrittenWithTheFirstScalerEncodingReadsItsScaler() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("input.dim", "1");
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        TaskState st = learner.newTaskState("t");
        InputScaler scaler = gaussian(100, 3, 2, 4);
        // The fields a writer before the compact encoding wrote, the scaler under "scaler" in full.
        byte[] old = new Codec.Fields(256).put("task", w -> w.str("t")).put("shape", w -> w.str(st.shapeKey))
                .put("metrics", w -> w.bytes(st.metrics.toBytes())).put("detector", w -> w.bytes(st.detector.toBytes()))
                .put("scaler", scaler::write).toBytes(2);
        InputScaler read = TaskState.fromBytes(old).scaler;
        assertThat(read.count).isEqualTo(100);
        assertThat(read.mean()).containsExactly(scaler.mean());
        assertThat(read.std()).containsExactly(scaler.std());
        st.scaler = scaler;
        assertThat(TaskState.fromBytes(st.toBytes()).scaler.std()).containsExactly(scaler.std());
    }

    @Test
    void aTransformBetweenTwoLearnsUsesTheStatisticsOfEveryExampleLearnedSoFar() {
        SplittableRandom r = new SplittableRandom(17);
        InputScaler s = InputScaler.create(4);
        float[] probe = {0.3f, 1f, -2f, 0f};
        float[] out = new float[4];
        for (int n = 0; n < 40; n++) {
            for (int again = 0; again < 3; again++) { // a micro-batch's replayed samples: several transforms per learn
                s.transform(probe, out);
                for (int i = 0; i < 4; i++) {
                    float expected;
                    if (s.numeric[i] == 0 && (probe[i] == 0f || probe[i] == 1f || probe[i] == -1f)) {
                        expected = probe[i];
                    } else if (s.variance(i) < 1e-12) {
                        expected = 0f;
                    } else {
                        double z = (probe[i] - s.mean(i)) / Math.sqrt(s.variance(i));
                        expected = (float) Math.max(-InputScaler.CLIP, Math.min(InputScaler.CLIP, z));
                    }
                    assertThat(out[i]).as("after %d examples, feature %d", n, i).isEqualTo(expected);
                }
            }
            float[] x = {(float) r.nextDouble(-1, 3), r.nextInt(2), n % 5 == 0 ? (float) r.nextDouble() : 0f, 7f};
            s.learn(x);
        }
    }

    @Test
    void standardisesAGaussianColumn() {
        InputScaler s = gaussian(20_000, 1000, 50, 1);
        assertThat(s.count()).isEqualTo(20_000);
        assertThat(s.mean()[0]).isCloseTo(1000, within(2.0));
        assertThat(s.std()[0]).isCloseTo(50, within(2.0));
        SplittableRandom r = new SplittableRandom(2);
        int n = 20_000;
        double sum = 0;
        double sq = 0;
        float[] out = new float[1];
        for (int i = 0; i < n; i++) {
            s.transform(new float[] {(float) (1000 + 50 * r.nextGaussian())}, out);
            sum += out[0];
            sq += (double) out[0] * out[0];
        }
        double mean = sum / n;
        double sd = Math.sqrt(sq / n - mean * mean);
        assertThat(mean).isCloseTo(0, within(0.05));
        assertThat(sd).isCloseTo(1, within(0.05));
    }

    @Test
    void indicatorFeaturesPassUnchanged() {
        InputScaler s = InputScaler.create(2);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            s.learn(new float[] {r.nextInt(3) - 1, r.nextInt(2)});
        }
        float[] out = new float[2];
        for (float[] x : new float[][] {{-1f, 0f}, {0f, 1f}, {1f, 1f}}) {
            s.transform(x, out);
            assertThat(out).containsExactly(x);
        }
    }

    @Test
    void aFeatureThatOnceHadAnotherValueIsStandardised() {
        InputScaler s = InputScaler.create(1);
        s.learn(new float[] {0.5f});
        for (int i = 0; i < 99; i++) {
            s.learn(new float[] {i % 2});
        }
        float[] out = new float[1];
        s.transform(new float[] {1f}, out);
        double mean = s.mean()[0];
        double std = s.std()[0];
        assertThat(out[0]).isNotEqualTo(1f).isCloseTo((float) ((1 - mean) / std), within(1e-5f));
    }

    @Test
    void clipsAtFiveStandardDeviations() {
        InputScaler s = gaussian(1000, 0, 1, 4);
        float[] out = new float[1];
        s.transform(new float[] {1e5f}, out);
        assertThat(out[0]).isEqualTo(InputScaler.CLIP).isEqualTo(5f);
        s.transform(new float[] {-1e5f}, out);
        assertThat(out[0]).isEqualTo(-5f);
    }

    @Test
    void pooledWithNoTaskIsThePriorsOwnStandardisation() {
        InputScaler prior = gaussian(500, 10, 3, 5);
        float[] out = new float[1];
        float[] pooled = new float[1];
        for (float v : new float[] {-2f, 7.5f, 10f, 13.25f, 30f}) {
            prior.transform(new float[] {v}, out);
            InputScaler.transformPooled(null, prior, 20, new float[] {v}, pooled);
            assertThat(pooled[0]).as("x = %s", v).isCloseTo(out[0], within(1e-5f));
        }
    }

    @Test
    void pooledWithManyTaskExamplesApproachesTheTasksOwnStatistics() {
        InputScaler prior = gaussian(5_000, 0, 1, 6);
        InputScaler task = InputScaler.create(1);
        SplittableRandom r = new SplittableRandom(7);
        float[] own = new float[1];
        float[] pooled = new float[1];
        float[] x = {85f};
        double previousGap = Double.POSITIVE_INFINITY;
        for (int checkpoint : new int[] {100, 1_000, 10_000, 100_000}) {
            while (task.count() < checkpoint) {
                task.learn(new float[] {(float) (100 + 10 * r.nextGaussian())});
            }
            task.transform(x, own);
            InputScaler.transformPooled(task, prior, 20, x, pooled);
            double gap = Math.abs(pooled[0] - own[0]);
            assertThat(gap).as("gap after %d task examples", checkpoint).isLessThan(previousGap);
            previousGap = gap;
        }
        // The prior (20 examples' worth, mean 100 away) still inflates the variance by about 20 * 100^2 / 100020.
        assertThat(previousGap).isLessThan(0.02);
        // With few task examples the prior still counts: the pooled mean lies between the two.
        InputScaler few = gaussian(20, 100, 10, 8);
        InputScaler.transformPooled(few, prior, 20, new float[] {100f}, pooled);
        few.transform(new float[] {100f}, own);
        assertThat(pooled[0]).isGreaterThan(0.5f).isGreaterThan(own[0] + 0.5f);
    }

    @Test
    void pooledWithAnEmptyPriorUsesTheTasksStatisticsAlone() {
        InputScaler prior = InputScaler.create(1);
        InputScaler task = gaussian(300, -4, 2, 9);
        float[] own = new float[1];
        float[] pooled = new float[1];
        for (float v : new float[] {-9f, -4f, 0.5f, 3f}) {
            task.transform(new float[] {v}, own);
            InputScaler.transformPooled(task, prior, 20, new float[] {v}, pooled);
            assertThat(pooled[0]).as("x = %s", v).isCloseTo(own[0], within(1e-5f));
        }
    }

    @Test
    void pooledMeanAndVarianceFollowTheShrinkageFormula() {
        // Task: values {2, 4} (mean 3, variance 1); prior: {0, 0, 10, 10} (mean 5, variance 25), weight 2.
        InputScaler task = InputScaler.create(1);
        task.learn(new float[] {2f});
        task.learn(new float[] {4f});
        InputScaler prior = InputScaler.create(1);
        for (float v : new float[] {0f, 0f, 10f, 10f}) {
            prior.learn(new float[] {v});
        }
        double m = (2 * 3 + 2 * 5) / 4.0;
        double var = (2 * (1 + (3 - m) * (3 - m)) + 2 * (25 + (5 - m) * (5 - m))) / 4.0;
        float[] pooled = new float[1];
        InputScaler.transformPooled(task, prior, 2, new float[] {7f}, pooled);
        assertThat(pooled[0]).isCloseTo((float) ((7 - m) / Math.sqrt(var)), within(1e-5f));
    }
}
