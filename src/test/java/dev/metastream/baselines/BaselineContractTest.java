package dev.metastream.baselines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.learn.Instance;
import dev.metastream.learn.TaskKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link Baseline} of {@link Baselines#forKind} satisfies, for every kind it serves: output shape
 * and range of the kind, predicting does not learn, same stream same predictions, tasks kept apart where the baseline
 * is per task, and a constant stream is learned.
 */
class BaselineContractTest {
    static final int CLASSES = 3;
    static final int DIM = 4;

    /** (label, kind, factory of a fresh baseline) for every baseline of every kind, items on. */
    static Stream<Arguments> baselines() {
        List<Arguments> out = new ArrayList<>();
        for (TaskKind kind : List.of(TaskKind.CLASSIFICATION, TaskKind.BINARY, TaskKind.REGRESSION)) {
            int n = Baselines.forKind(kind, CLASSES, true).size();
            for (int i = 0; i < n; i++) {
                final int k = i;
                Supplier<Baseline> f = () -> Baselines.forKind(kind, CLASSES, true).get(k);
                out.add(Arguments.of(kind + "/" + f.get().name(), kind, f));
            }
        }
        return out.stream();
    }

    /** A mixed stream of two tasks: random inputs, labels depending on the first feature, items from 5. */
    static List<Instance> stream(TaskKind kind, long seed, int n) {
        Random r = new Random(seed);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
            }
            String task = r.nextBoolean() ? "a" : "b";
            out.add(new Instance(task, x, target(kind, x[0] > 0 ? 1 : r.nextInt(CLASSES), x[0]), null, i));
        }
        return out;
    }

    static float[] target(TaskKind kind, int c, double v) {
        return switch (kind) {
            case CLASSIFICATION -> {
                float[] t = new float[CLASSES];
                t[c] = 1;
                yield t;
            }
            case BINARY -> new float[] {c == 1 ? 1 : 0};
            default -> new float[] {(float) (3 + v)};
        };
    }

    static String item(int i) {
        return "i" + (i % 5);
    }

    @Test
    void namesAreUniquePerKindAndLinearIsLast() {
        for (TaskKind kind : List.of(TaskKind.CLASSIFICATION, TaskKind.BINARY, TaskKind.REGRESSION)) {
            List<Baseline> bs = Baselines.forKind(kind, CLASSES, true);
            Set<String> names = new HashSet<>();
            bs.forEach(b -> assertThat(names.add(b.name())).as(b.name()).isTrue());
            assertThat(bs.get(bs.size() - 1).name()).isEqualTo(Baselines.LINEAR);
        }
        assertThat(Baselines.forKind(TaskKind.REGRESSION, 1, true)).extracting(Baseline::name)
                .containsExactly("no-change", "task-mean", "global-mean", "bias", "linear");
        assertThat(Baselines.forKind(TaskKind.REGRESSION, 1, false)).extracting(Baseline::name)
                .containsExactly("no-change", "task-mean", "global-mean", "linear");
        assertThat(Baselines.forKind(TaskKind.BINARY, 2, false)).extracting(Baseline::name)
                .containsExactly("no-change", "majority", "global-majority", "linear");
        assertThat(Baselines.supports(TaskKind.MULTILABEL)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("baselines")
    void outputsHaveTheKindsShapeAndRange(String label, TaskKind kind, Supplier<Baseline> f) {
        Baseline b = f.get();
        List<Instance> s = stream(kind, 1, 300);
        for (int i = 0; i < s.size(); i++) {
            float[] p = b.predictOne(s.get(i), item(i));
            assertThat(p).hasSize(kind == TaskKind.CLASSIFICATION ? CLASSES : 1);
            double sum = 0;
            for (float v : p) {
                assertThat(Float.isFinite(v)).isTrue();
                if (kind != TaskKind.REGRESSION) {
                    assertThat(v).isBetween(0f, 1f);
                }
                sum += v;
            }
            if (kind == TaskKind.CLASSIFICATION) {
                assertThat(sum).isCloseTo(1.0, within(1e-5));
            }
            b.learnOne(s.get(i), item(i));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("baselines")
    void predictingDoesNotLearnAndSameStreamGivesSamePredictions(String label, TaskKind kind, Supplier<Baseline> f) {
        Baseline probed = f.get();
        Baseline plain = f.get();
        List<Instance> s = stream(kind, 2, 200);
        List<Instance> probes = stream(kind, 3, 200);
        for (int i = 0; i < s.size(); i++) {
            // the probed copy predicts other examples (twice) in between; the plain one never does
            float[] first = probed.predictOne(probes.get(i), item(i + 1));
            assertThat(probed.predictOne(probes.get(i), item(i + 1))).containsExactly(first);
            assertThat(probed.predictOne(s.get(i), item(i))).containsExactly(plain.predictOne(s.get(i), item(i)));
            probed.learnOne(s.get(i), item(i));
            plain.learnOne(s.get(i), item(i));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("baselines")
    void learnsAConstantStream(String label, TaskKind kind, Supplier<Baseline> f) {
        Baseline b = f.get();
        Random r = new Random(4);
        Instance last = null;
        for (int i = 0; i < 1500; i++) {
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
            }
            // class 2 (1 for binary), or the value 4: never what an untrained baseline predicts
            last = new Instance("t", x, target(kind, kind == TaskKind.BINARY ? 1 : 2, 1.0), null, i);
            b.learnOne(last, "i0");
        }
        float[] p = b.predictOne(last, "i0");
        switch (kind) {
            case CLASSIFICATION -> assertThat(Targets.argmax(p)).isEqualTo(2);
            case BINARY -> assertThat(p[0]).isGreaterThan(0.5f);
            default -> assertThat((double) p[0]).isCloseTo(4.0, within(0.01));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("baselines")
    void perTaskBaselinesKeepTasksApart(String label, TaskKind kind, Supplier<Baseline> f) {
        Baseline b = f.get();
        if (b.name().startsWith("global")) {
            return; // shared over tasks by design
        }
        Random r = new Random(5);
        // task "a" is constant (class 2 / value 4), task "b" constant at class 0 / value 2 (binary: 1 and 0)
        for (int i = 0; i < 1500; i++) {
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
            }
            boolean a = i % 2 == 0;
            int c = a ? (kind == TaskKind.BINARY ? 1 : 2) : 0;
            b.learnOne(new Instance(a ? "a" : "b", x, target(kind, c, a ? 1.0 : -1.0), null, i), "i" + (i % 2));
        }
        float[] x = new float[DIM];
        float[] pa = b.predictOne(new Instance("a", x, null, null, 0), "i0");
        float[] pb = b.predictOne(new Instance("b", x, null, null, 0), "i1");
        switch (kind) {
            case CLASSIFICATION -> {
                assertThat(Targets.argmax(pa)).isEqualTo(2);
                assertThat(Targets.argmax(pb)).isEqualTo(0);
            }
            case BINARY -> {
                assertThat(pa[0]).isGreaterThan(0.5f);
                assertThat(pb[0]).isLessThan(0.5f);
            }
            default -> {
                assertThat((double) pa[0]).isCloseTo(4.0, within(0.3));
                assertThat((double) pb[0]).isCloseTo(2.0, within(0.3));
            }
        }
    }
}
