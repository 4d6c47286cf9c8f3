package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.learn.Instance;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratorsTest {

    private static Scenario build(String source, int train, int test, long seed) {
        return Scenarios.build(ScenarioSpec.of(source, train, test, seed));
    }

    private static int label(Instance in) {
        return TransformsTest.argmax(in.target());
    }

    @Test
    void seaFollowsTheThresholdRuleWithoutNoiseAndSwitchesConceptsAbruptly() {
        Scenario s = build("sea:noise=0,length=1000", 0, 200, 3);
        assertThat(s.learnerConfig()).containsEntry("input.dim", "3").containsEntry("task.classes", "2");
        List<Instance> train = s.tasks().get(0).train();
        assertThat(train).hasSize(4000);
        assertThat(s.changePoints()).containsExactly(new Scenario.ChangePoint("sea", 1000, 1),
                new Scenario.ChangePoint("sea", 2000, 1), new Scenario.ChangePoint("sea", 3000, 1));
        for (int t = 0; t < train.size(); t++) {
            Instance in = train.get(t);
            for (float v : in.x()) {
                assertThat(v).isBetween(0f, 10f);
            }
            double theta = SeaGenerator.THETAS[t / 1000];
            assertThat(label(in)).as("example %d", t).isEqualTo(in.x()[0] + in.x()[1] <= theta ? 1 : 0);
        }
        // the test set follows the last concept (theta 9.5)
        for (Instance in : s.tasks().get(0).test()) {
            assertThat(label(in)).isEqualTo(in.x()[0] + in.x()[1] <= 9.5 ? 1 : 0);
        }
    }

    @Test
    void shiftEveryMovesTheInputsButNotTheConcept() {
        Scenario s = build("sea:noise=0,length=100000,shift-every=2000", 8000, 0, 5);
        assertThat(s.changePoints()).isEmpty();
        assertThat(s.shiftPoints()).containsExactly(new Scenario.ChangePoint("sea", 2000, 1),
                new Scenario.ChangePoint("sea", 4000, 1), new Scenario.ChangePoint("sea", 6000, 1));
        List<Instance> train = s.tasks().get(0).train();
        double[][] means = new double[4][3];
        for (int t = 0; t < train.size(); t++) {
            Instance in = train.get(t);
            // One concept throughout: the first threshold's rule labels every example.
            assertThat(label(in)).as("example %d", t).isEqualTo(SeaGenerator.label(in.x()[0], in.x()[1], 0));
            for (int j = 0; j < 3; j++) {
                assertThat(in.x()[j]).isBetween(0f, 10f);
                means[t / 2000][j] += in.x()[j] / 2000;
            }
        }
        // Segment 0 uniform (mean 5); then each feature's mass moves to one end and back, odd and even features
        // opposite (means 10/3 and 20/3).
        for (int j = 0; j < 3; j++) {
            assertThat(means[0][j]).isCloseTo(5, org.assertj.core.data.Offset.offset(0.3));
            for (int seg = 1; seg < 4; seg++) {
                double expected = (seg + j) % 2 == 1 ? 10 / 3.0 : 20 / 3.0;
                assertThat(means[seg][j]).as("segment %d feature %d", seg, j)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(0.3));
            }
        }
    }

    @Test
    void everyGeneratorTakesShiftEveryAndDrawsAsBeforeWithoutIt() {
        for (String g : List.of("hyperplane", "sea", "rbf", "stagger", "sinusoid", "recsys")) {
            Scenario plain = build(g, 40, 5, 7);
            Scenario zero = build(g + ":shift-every=0", 40, 5, 7);
            Scenario shifted = build(g + ":shift-every=10", 40, 5, 7);
            assertThat(zero.shiftPoints()).as(g).isEmpty();
            assertThat(shifted.shiftPoints()).as(g).isNotEmpty()
                    .allSatisfy(p -> assertThat(p.position() % 10).isZero());
            for (int t = 0; t < plain.tasks().size(); t++) {
                List<Instance> a = plain.tasks().get(t).train();
                List<Instance> b = zero.tasks().get(t).train();
                for (int i = 0; i < a.size(); i++) {
                    assertThat(b.get(i).x()).as(g).containsExactly(a.get(i).x());
                    assertThat(b.get(i).target()).as(g).containsExactly(a.get(i).target());
                }
            }
        }
    }

    @Test
    void seaNoiseFlipsAboutTenPercent() {
        List<Instance> train = build("sea", 0, 0, 9).tasks().get(0).train();
        assertThat(train).hasSize(20_000);
        int flipped = 0;
        for (int t = 0; t < train.size(); t++) {
            Instance in = train.get(t);
            if (label(in) != SeaGenerator.label(in.x()[0], in.x()[1], t / 5000)) {
                flipped++;
            }
        }
        // binomial(20000, 0.1): sd 42; 0.09..0.11 is about 4.7 sd either side
        assertThat(flipped / 20_000.0).isBetween(0.09, 0.11);
    }

    @Test
    void seaGradualDriftMixesConceptsAroundTheSwitch() {
        Scenario s = build("sea:noise=0,drift=gradual,width=400,length=2000,concepts=2", 0, 0, 5);
        assertThat(s.changePoints()).containsExactly(new Scenario.ChangePoint("sea", 1800, 400));
        List<Instance> train = s.tasks().get(0).train();
        // count examples only the new concept (theta 9) explains: f1 + f2 in (8, 9] labelled 1
        int[] newConcept = new int[5];
        int[] ambiguous = new int[5];
        for (int t = 0; t < train.size(); t++) {
            Instance in = train.get(t);
            double sum = in.x()[0] + in.x()[1];
            if (sum > 8 && sum <= 9) {
                int bucket = t < 1000 ? 0 : t < 1800 ? 1 : t < 2200 ? 2 : t < 3000 ? 3 : 4;
                ambiguous[bucket]++;
                newConcept[bucket] += label(in);
            }
        }
        assertThat(newConcept[0]).isZero();
        assertThat(newConcept[2]).isPositive().isLessThan(ambiguous[2]);
        assertThat(newConcept[4]).isEqualTo(ambiguous[4]);
    }

    @Test
    void hyperplaneAbruptRedrawsAtChangePointsAndGradualHasNone() {
        Scenario abrupt = build("hyperplane:mode=abrupt,length=500,dims=4,noise=0", 2000, 0, 1);
        assertThat(abrupt.changePoints()).extracting(Scenario.ChangePoint::position).containsExactly(500L, 1000L,
                1500L);
        assertThat(abrupt.learnerConfig()).containsEntry("input.dim", "4");
        Scenario gradual = build("hyperplane", 1000, 0, 1);
        assertThat(gradual.changePoints()).isEmpty();
        assertThat(gradual.tasks().get(0).train()).hasSize(1000);
        // labels are balanced-ish (the threshold is half the weight sum) and features are in [0, 1]
        long ones = gradual.tasks().get(0).train().stream().filter(i -> label(i) == 1).count();
        assertThat(ones).isBetween(300L, 700L);
        for (Instance in : gradual.tasks().get(0).train()) {
            for (float v : in.x()) {
                assertThat(v).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void rbfAbruptChangePointsAndClassesInRange() {
        Scenario s = build("rbf:mode=abrupt,length=300,classes=3,dims=5,centroids=10", 900, 0, 4);
        assertThat(s.changePoints()).extracting(Scenario.ChangePoint::position).containsExactly(300L, 600L);
        assertThat(s.learnerConfig()).containsEntry("input.dim", "5").containsEntry("task.classes", "3");
        assertThat(s.tasks().get(0).train()).allSatisfy(i -> assertThat(i.target()).hasSize(3));
        assertThat(build("rbf", 500, 0, 4).changePoints()).isEmpty();
    }

    @Test
    void staggerIsOneHotAndFollowsItsConcepts() {
        Scenario s = build("stagger:length=100", 0, 0, 2);
        List<Instance> train = s.tasks().get(0).train();
        assertThat(train).hasSize(300);
        assertThat(s.changePoints()).extracting(Scenario.ChangePoint::position).containsExactly(100L, 200L);
        for (int t = 0; t < train.size(); t++) {
            float[] x = train.get(t).x();
            int size = hot(x, 0);
            int colour = hot(x, 3);
            int shape = hot(x, 6);
            assertThat(label(train.get(t))).isEqualTo(StaggerGenerator.label(size, colour, shape, t / 100));
        }
        assertThat(StaggerGenerator.label(0, 0, 2, 0)).isEqualTo(1);
        assertThat(StaggerGenerator.label(1, 0, 0, 0)).isEqualTo(0);
        assertThat(StaggerGenerator.label(2, 2, 1, 1)).isEqualTo(1);
        assertThat(StaggerGenerator.label(0, 1, 0, 2)).isEqualTo(0);
    }

    private static int hot(float[] x, int from) {
        int found = -1;
        for (int i = 0; i < 3; i++) {
            if (x[from + i] == 1f) {
                assertThat(found).isEqualTo(-1);
                found = i;
            } else {
                assertThat(x[from + i]).isZero();
            }
        }
        assertThat(found).isNotNegative();
        return found;
    }

    @Test
    void sinusoidTasksAreSinesWithMamlRanges() {
        Scenario s = Scenarios.build(new ScenarioSpec("sinusoid", null, 20, 5, "natural", 8, 0, 30, null, null, null,
                null));
        assertThat(s.tasks()).hasSize(30);
        assertThat(s.tasks().get(0).task()).isEqualTo("sin-00");
        assertThat(s.learnerConfig()).containsEntry("input.dim", "1").containsEntry("task.kind", "regression");
        double minAmp = Double.MAX_VALUE;
        double maxAmp = 0;
        for (Scenario.TaskData t : s.tasks()) {
            assertThat(t.train()).hasSize(20);
            assertThat(t.test()).hasSize(5);
            double amp = 0;
            for (Instance in : t.train()) {
                assertThat(in.x()[0]).isBetween(-5f, 5f);
                amp = Math.max(amp, Math.abs(in.target()[0]));
            }
            assertThat(amp).isLessThanOrEqualTo(5.0);
            minAmp = Math.min(minAmp, amp);
            maxAmp = Math.max(maxAmp, amp);
            // y = A sin(x - phi): recover A and phi from two points and check the rest
            Instance p = t.train().get(0);
            Instance q = t.train().get(1);
            double[] fit = fit(p.x()[0], p.target()[0], q.x()[0], q.target()[0]);
            assertThat(fit[0]).isBetween(0.1 - 1e-4, 5.0 + 1e-4);
            assertThat(fit[1]).isBetween(-1e-4, Math.PI + 1e-4);
            for (Instance in : t.test()) {
                assertThat(in.target()[0]).isCloseTo((float) (fit[0] * Math.sin(in.x()[0] - fit[1])),
                        org.assertj.core.api.Assertions.within(1e-3f));
            }
        }
        assertThat(maxAmp - minAmp).as("tasks differ in amplitude").isGreaterThan(1.0);
    }

    /** A, phi with A >= 0 and phi in [0, pi] such that y = A sin(x - phi) passes through both points. */
    private static double[] fit(double x1, double y1, double x2, double y2) {
        // y = a sin x + b cos x with a = A cos phi, b = -A sin phi
        double det = Math.sin(x1) * Math.cos(x2) - Math.cos(x1) * Math.sin(x2);
        double a = (y1 * Math.cos(x2) - y2 * Math.cos(x1)) / det;
        double b = (Math.sin(x1) * y2 - Math.sin(x2) * y1) / det;
        return new double[] {Math.hypot(a, b), Math.atan2(-b, a)};
    }

    @Test
    void generatorsAreSeeded() {
        for (String g : List.of("sea", "hyperplane", "rbf", "stagger", "sinusoid")) {
            String a = TransformsTest.fingerprint(build(g, 300, 10, 1));
            assertThat(TransformsTest.fingerprint(build(g, 300, 10, 1))).as(g).isEqualTo(a);
            assertThat(TransformsTest.fingerprint(build(g, 300, 10, 2))).as(g).isNotEqualTo(a);
        }
    }

    @Test
    void badParametersNameTheSourceAndKey() {
        assertThatThrownBy(() -> build("sea:widht=10", 0, 0, 1))
                .hasMessageStartingWith("--source sea:widht=10: unknown parameter 'widht'");
        assertThatThrownBy(() -> build("sea:drift=sudden", 0, 0, 1))
                .hasMessage("--source sea:drift=sudden: drift=sudden must be one of abrupt, gradual");
        assertThatThrownBy(() -> build("hyperplane:dims=0", 0, 0, 1)).hasMessageContaining("dims=0");
        assertThatThrownBy(() -> build("sea:noise", 0, 0, 1)).hasMessageContaining("is not key=value");
    }
}
