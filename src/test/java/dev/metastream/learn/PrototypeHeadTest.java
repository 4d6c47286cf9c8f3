package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Learning quality of {@code meta.head.classification=prototype} on few-shot tasks built as {@code --transform ways:5}
 * builds them: ten classes, each a Gaussian cluster in 16 inputs (a random centre of norm 3, unit noise), and every
 * task draws 5 of them and labels them 0..4 in a random order, so only the features carry over between tasks. After
 * 150 tasks of 20 examples streamed once, each of 30 fresh tasks learns one example of each of its classes (in a random
 * order) and is scored on 100 held out.
 *
 * <p>A head that has seen one example per class: the prototype head is a nearest-class-mean classifier from the first
 * example of each class; an SGD head has taken five steps from an initialisation that, with labels permuted, carries
 * nothing. Observed: accuracy 0.84 (prototype) against 0.31 (SGD), 0.47 with the trunk left at its random start (0.64
 * when the trunk learned through the head with each example inside its own class mean, rather than left out of it); the
 * prototype head's probabilities are calibrated within 0.01 (the mean probability of its predicted class, 0.83,
 * against its accuracy).
 */
class PrototypeHeadTest {
    private static final int D = 16;
    /** Inputs the classes' centres differ in; the others are noise a trunk learns to ignore. */
    private static final int SIGNAL = 4;
    private static final int CLASSES = 10;
    private static final int WAYS = 5;
    private static final int TRAIN_TASKS = 150;
    private static final int TRAIN_PER_TASK = 20;
    private static final int FRESH_TASKS = 30;
    private static final int HELD_OUT = 100;

    @Test
    void aFreshTaskIsClassifiedFromOneExampleOfEachClass() {
        Result prototype = run("prototype", 0);
        Result sgd = run("sgd", 0);
        System.out.printf("fresh 5-way tasks after one example per class: prototype %.3f (confidence %.3f), sgd %.3f%n",
                prototype.accuracy, prototype.confidence, sgd.accuracy);

        assertThat(prototype.accuracy).as("prototype head").isGreaterThan(0.75).isGreaterThan(sgd.accuracy + 0.3);
        assertThat(prototype.confidence).as("mean probability of the predicted class")
                .isCloseTo(prototype.accuracy, org.assertj.core.data.Offset.offset(0.1));
    }

    @Test
    void theTrunkLearnsFeaturesInWhichClassesGatherAroundTheirMeans() {
        Result learned = run("prototype", 0);
        Result fixed = run("prototype", 0, "0");
        System.out.printf("prototype head, trunk learned %.3f, trunk fixed at its random start %.3f%n",
                learned.accuracy, fixed.accuracy);
        assertThat(learned.accuracy).isGreaterThan(fixed.accuracy + 0.2);
    }

    @Test
    void theFactorisationMachineTermKeepsProbabilitiesFinite() {
        Result withFm = run("prototype", 8);
        assertThat(withFm.accuracy).as("prototype head with model.fm.factors=8").isGreaterThan(0.75);
        assertThat(withFm.confidence).isBetween(0.0, 1.0);
    }

    @Test
    void aLearnerRebuiltFromItsStorePredictsTheSame() {
        SplittableRandom r = new SplittableRandom(3);
        float[][] centres = centres(r);
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        LearnerConfig config = config("prototype", 0);
        StreamingLearner learner = new StreamingLearner(config, store, "t", LearnerEvents.NONE);
        int[][] classes = {{0, 1, 2, 3, 4}, {5, 6, 7, 8, 9}, {9, 7, 5, 3, 1}};
        long ts = 0;
        for (int k = 0; k < 63; k++) {
            learner.observe(example(r, "task-" + k % 3, centres, classes[k % 3], r.nextInt(WAYS), ts++));
        }
        assertThat(learner.task("task-0").prototypes).isNotNull();
        learner.flush(); // as a commit does
        StreamingLearner rebuilt = new StreamingLearner(config, store, "t", LearnerEvents.NONE);
        for (int k = 0; k < 10; k++) {
            Instance in = example(r, "task-" + k % 3, centres, classes[k % 3], r.nextInt(WAYS), ts);
            assertThat(rebuilt.score(in).output()).containsExactly(learner.score(in).output());
        }
        TaskState st = learner.task("task-1");
        TaskState read = TaskState.fromBytes(st.toBytes());
        assertThat(read.prototypes).containsExactly(st.prototypes);
        assertThat(read.noiseSum).isEqualTo(st.noiseSum);
        assertThat(read.noiseCount).isEqualTo(st.noiseCount).isPositive();
    }

    @Test
    void anUnseenClassIsNotPredicted() {
        SplittableRandom r = new SplittableRandom(5);
        float[][] centres = centres(r);
        StreamingLearner learner = new StreamingLearner(config("prototype", 0), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        int[] classes = {0, 1, 2, 3, 4};
        long ts = 0;
        for (int k = 0; k < 12; k++) {
            learner.observe(example(r, "t", centres, classes, k % 2, ts++));
        }
        for (int k = 0; k < 50; k++) {
            Prediction p = learner.score(example(r, "t", centres, classes, 2 + k % 3, ts));
            assertThat(p.predictedClass()).isIn(0, 1);
        }
    }

    private record Result(double accuracy, double confidence) {}

    private static Result run(String head, int fmFactors) {
        return run(head, fmFactors, null);
    }

    private static Result run(String head, int fmFactors, String trunkRate) {
        SplittableRandom r = new SplittableRandom(17);
        float[][] centres = centres(r);
        Properties settings = properties(head, fmFactors);
        if (trunkRate != null) {
            settings.setProperty("optimizer.trunk.learning.rate", trunkRate);
        }
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(settings), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        long ts = 0;
        for (int t = 0; t < TRAIN_TASKS; t++) {
            int[] classes = draw(r);
            for (int k = 0; k < TRAIN_PER_TASK; k++) {
                learner.observe(example(r, "train-" + t, centres, classes, r.nextInt(WAYS), ts++));
            }
        }
        learner.learnPending(ts);
        int right = 0;
        double confidence = 0;
        int n = 0;
        for (int t = 0; t < FRESH_TASKS; t++) {
            int[] classes = draw(r);
            String id = "fresh-" + t;
            for (int label : draw(r, WAYS, WAYS)) {
                learner.observe(example(r, id, centres, classes, label, ts++));
            }
            learner.learnPending(ts);
            for (int k = 0; k < HELD_OUT; k++) {
                int label = r.nextInt(WAYS);
                Prediction p = learner.score(example(r, id, centres, classes, label, ts));
                right += p.predictedClass() == label ? 1 : 0;
                confidence += p.output()[p.predictedClass()];
                n++;
            }
        }
        return new Result((double) right / n, confidence / n);
    }

    private static float[][] centres(SplittableRandom r) {
        float[][] c = new float[CLASSES][D];
        for (float[] centre : c) {
            double s = 0;
            for (int i = 0; i < SIGNAL; i++) {
                centre[i] = (float) r.nextGaussian();
                s += centre[i] * centre[i];
            }
            for (int i = 0; i < SIGNAL; i++) {
                centre[i] *= (float) (3 / Math.sqrt(s));
            }
        }
        return c;
    }

    private static int[] draw(SplittableRandom r) {
        return draw(r, CLASSES, WAYS);
    }

    /** {@code k} distinct numbers below {@code n}, in random order. */
    private static int[] draw(SplittableRandom r, int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, k);
    }

    private static Instance example(SplittableRandom r, String task, float[][] centres, int[] classes, int label,
                                    long ts) {
        float[] x = new float[D];
        float[] centre = centres[classes[label]];
        for (int i = 0; i < D; i++) {
            x[i] = (float) (centre[i] + (i < SIGNAL ? 0.5 : 1) * r.nextGaussian());
        }
        float[] target = new float[WAYS];
        target[label] = 1f;
        return new Instance(task, x, target, null, ts);
    }

    private static LearnerConfig config(String head, int fmFactors) {
        return LearnerConfig.from(properties(head, fmFactors));
    }

    private static Properties properties(String head, int fmFactors) {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(D));
        p.setProperty("task.kind", "classification");
        p.setProperty("task.classes", String.valueOf(WAYS));
        p.setProperty("model.trunk.layers", "32");
        p.setProperty("model.seed", "42");
        p.setProperty("model.fm.factors", String.valueOf(fmFactors));
        p.setProperty("learner.batch.size", "8");
        p.setProperty("meta.head.classification", head);
        // The partition's gate learns from every task's first examples, which here are all of classes not seen yet
        // (every fresh task's five): wrong for any head, right a fifth of the time for the partition's label
        // frequencies, so on this stream the gate turns to those (0.57 with it on).
        p.setProperty("model.mixture.gate", "false");
        p.setProperty("drift.detector", "none");
        p.setProperty("drift.reaction", "none");
        return p;
    }
}
