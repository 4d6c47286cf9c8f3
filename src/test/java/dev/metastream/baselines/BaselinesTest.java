package dev.metastream.baselines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.learn.Instance;
import dev.metastream.learn.TaskKind;
import org.junit.jupiter.api.Test;

/** Each baseline's predictions worked out by hand on a few examples. */
class BaselinesTest {

    static Instance reg(String task, double y, float... x) {
        return new Instance(task, x.length == 0 ? new float[] {0} : x, new float[] {(float) y}, null, 0);
    }

    static Instance cls(String task, int c, int classes) {
        float[] t = new float[classes];
        t[c] = 1;
        return new Instance(task, new float[] {0}, t, null, 0);
    }

    static Instance bin(String task, int y, float... x) {
        return new Instance(task, x.length == 0 ? new float[] {0} : x, new float[] {y}, null, 0);
    }

    @Test
    void noChangePredictsTheTasksPreviousLabelAndClassZeroFirst() {
        NoChange b = new NoChange(TaskKind.CLASSIFICATION, 3);
        assertThat(b.predictOne(cls("a", 2, 3), null)).containsExactly(1, 0, 0);
        b.learnOne(cls("a", 2, 3), null);
        b.learnOne(cls("b", 1, 3), null);
        assertThat(b.predictOne(cls("a", 0, 3), null)).containsExactly(0, 0, 1);
        assertThat(b.predictOne(cls("b", 0, 3), null)).containsExactly(0, 1, 0);
        assertThat(b.predictOne(cls("c", 0, 3), null)).containsExactly(1, 0, 0);

        NoChange bb = new NoChange(TaskKind.BINARY, 2);
        bb.learnOne(bin("a", 1), null);
        assertThat(bb.predictOne(bin("a", 0), null)).containsExactly(1f);
        assertThat(bb.predictOne(bin("z", 0), null)).containsExactly(0f);
    }

    @Test
    void noChangeRegressionFallsBackToTheGlobalMean() {
        NoChange b = new NoChange(TaskKind.REGRESSION, 1);
        assertThat(b.predictOne(reg("a", 9), null)).containsExactly(0f);
        b.learnOne(reg("a", 2), null);
        b.learnOne(reg("b", 5), null);
        b.learnOne(reg("a", 4), null);
        assertThat(b.predictOne(reg("a", 0), null)).containsExactly(4f);
        assertThat(b.predictOne(reg("b", 0), null)).containsExactly(5f);
        assertThat(b.predictOne(reg("new", 0), null)).containsExactly(11f / 3);
    }

    @Test
    void majorityPerTaskAndGlobal() {
        Majority task = new Majority(TaskKind.CLASSIFICATION, 3, true);
        Majority global = new Majority(TaskKind.CLASSIFICATION, 3, false);
        int[][] stream = {{0, 2}, {0, 2}, {1, 1}, {1, 1}, {1, 1}, {0, 0}};
        for (int[] e : stream) {
            Instance in = cls("t" + e[0], e[1], 3);
            task.learnOne(in, null);
            global.learnOne(in, null);
        }
        // t0 saw 2, 2, 0; t1 saw 1, 1, 1; all: 2, 2, 1, 1, 1, 0 -> 1
        assertThat(task.predictOne(cls("t0", 0, 3), null)).containsExactly(0, 0, 1);
        assertThat(task.predictOne(cls("t1", 0, 3), null)).containsExactly(0, 1, 0);
        assertThat(task.predictOne(cls("t9", 0, 3), null)).containsExactly(1, 0, 0);
        assertThat(global.predictOne(cls("t0", 0, 3), null)).containsExactly(0, 1, 0);
        assertThat(global.predictOne(cls("t9", 0, 3), null)).containsExactly(0, 1, 0);
        // ties go to the lowest class
        Majority tie = new Majority(TaskKind.BINARY, 2, true);
        tie.learnOne(bin("a", 1), null);
        tie.learnOne(bin("a", 0), null);
        assertThat(tie.predictOne(bin("a", 0), null)).containsExactly(0f);
        tie.learnOne(bin("a", 1), null);
        assertThat(tie.predictOne(bin("a", 0), null)).containsExactly(1f);
        assertThatThrownBy(() -> new Majority(TaskKind.REGRESSION, 1, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void meansPerTaskWithGlobalFallback() {
        Mean task = new Mean(true);
        Mean global = new Mean(false);
        for (Instance in : new Instance[] {reg("a", 1), reg("a", 2), reg("b", 6)}) {
            task.learnOne(in, null);
            global.learnOne(in, null);
        }
        assertThat(task.predictOne(reg("a", 0), null)).containsExactly(1.5f);
        assertThat(task.predictOne(reg("b", 0), null)).containsExactly(6f);
        assertThat(task.predictOne(reg("c", 0), null)).containsExactly(3f);
        assertThat(global.predictOne(reg("a", 0), null)).containsExactly(3f);
        assertThat(new Mean(true).predictOne(reg("a", 0), null)).containsExactly(0f);
    }

    @Test
    void dampedBiasByHand() {
        // Ratings (user, item, r): (u1, i1, 5), (u2, i1, 3), (u1, i2, 1).
        //   after 1: mu 5, b_i1 = (5 - 5)/26 = 0, residual 0              -> R_u1 = 0
        //   after 2: mu 4, b_i1 = (8 - 8)/27 = 0, residual 3 - 4 = -1     -> R_u2 = -1
        //   after 3: mu 3, b_i2 = (1 - 3)/26 = -1/13, residual 1 - 3 + 1/13 -> R_u1 = -25/13
        DampedBias b = new DampedBias();
        b.learnOne(reg("u1", 5), "i1");
        b.learnOne(reg("u2", 3), "i1");
        b.learnOne(reg("u1", 1), "i2");
        // (u1, i1): 3 + (8 - 6)/27 + (-25/13)/(10 + 2)
        assertThat((double) b.predictOne(reg("u1", 0), "i1")[0])
                .isCloseTo(3 + 2.0 / 27 - 25.0 / 13 / 12, within(1e-6));
        // (u2, i2): 3 - 1/13 - 1/11
        assertThat((double) b.predictOne(reg("u2", 0), "i2")[0]).isCloseTo(3 - 1.0 / 13 - 1.0 / 11, within(1e-6));
        // a new user on a new item: the global mean; without an item key: no item bias
        assertThat(b.predictOne(reg("u3", 0), "i3")).containsExactly(3f);
        assertThat((double) b.predictOne(reg("u2", 0), null)[0]).isCloseTo(3 - 1.0 / 11, within(1e-6));
        assertThat(new DampedBias().predictOne(reg("u", 0), "i")).containsExactly(0f);
    }

    @Test
    void scalerIsWelfordsPopulationVariance() {
        RunningScaler s = new RunningScaler();
        assertThat(s.transform(new float[] {7})).containsExactly(0.0);
        s.learn(new float[] {2, 1});
        assertThat(s.transform(new float[] {5, 1})).containsExactly(0.0, 0.0); // variance still 0
        s.learn(new float[] {4, 1});
        s.learn(new float[] {9, 1});
        // mean 5, population variance (9 + 1 + 16) / 3 = 26/3
        assertThat(s.mean(0)).isCloseTo(5, within(1e-12));
        assertThat(s.variance(0)).isCloseTo(26.0 / 3, within(1e-12));
        assertThat(s.transform(new float[] {8, 3})[0]).isCloseTo(3 / Math.sqrt(26.0 / 3), within(1e-12));
        assertThat(s.transform(new float[] {8, 3})[1]).isEqualTo(0.0);
        assertThatThrownBy(() -> s.learn(new float[] {1})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void linearRegressionByHand() {
        // learn (x=2, y=1): scaler mean 2, var 0 -> z 0; yhat 0; g = 2(0 - 1) = -2; w 0, b 0.02
        // learn (x=4, y=3): mean 3, var 1 -> z 1; yhat 0.02; g = 2(0.02 - 3) = -5.96; w 0.0596, b 0.0796
        // predict x=5: z 2 -> 0.0596 * 2 + 0.0796 = 0.1988
        Linear l = new Linear(TaskKind.REGRESSION, 1);
        assertThat(l.predictOne(reg("a", 0, 5f), null)).containsExactly(0f);
        l.learnOne(reg("a", 1, 2f), null);
        l.learnOne(reg("a", 3, 4f), null);
        assertThat((double) l.predictOne(reg("a", 0, 5f), null)[0]).isCloseTo(0.1988, within(1e-6));
        assertThat(l.predictOne(reg("b", 0, 5f), null)).containsExactly(0f); // one model per task
    }

    @Test
    void logisticRegressionByHand() {
        // learn (x=2, y=1): z 0, p 0.5, g -0.5: b 0.005
        // learn (x=4, y=0): z 1, p = s(0.005), g = p: w = -0.01 p, b = 0.005 - 0.01 p
        // predict x=5: z 2 -> s(2 w + b)
        Linear l = new Linear(TaskKind.BINARY, 2);
        assertThat(l.predictOne(bin("a", 0, 5f), null)).containsExactly(0.5f);
        l.learnOne(bin("a", 1, 2f), null);
        l.learnOne(bin("a", 0, 4f), null);
        double p = 1 / (1 + Math.exp(-0.005));
        double w = -0.01 * p;
        double b = 0.005 - 0.01 * p;
        assertThat((double) l.predictOne(bin("a", 0, 5f), null)[0])
                .isCloseTo(1 / (1 + Math.exp(-(2 * w + b))), within(1e-7));
    }

    @Test
    void softmaxRegressionByHand() {
        // learn class 2 at z = 0: p = 1/3 each, g = (1/3, 1/3, -2/3): b = (-0.01/3, -0.01/3, 0.02/3)
        Linear l = new Linear(TaskKind.CLASSIFICATION, 3);
        l.learnOne(cls("a", 2, 3), null);
        float[] p = l.predictOne(cls("a", 0, 3), null);
        double e0 = Math.exp(-0.01 / 3);
        double e2 = Math.exp(0.02 / 3);
        assertThat((double) p[0]).isCloseTo(e0 / (2 * e0 + e2), within(1e-7));
        assertThat((double) p[2]).isCloseTo(e2 / (2 * e0 + e2), within(1e-7));
    }
}
