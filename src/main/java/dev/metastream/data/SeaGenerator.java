package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The SEA concepts stream (Street and Kim, "A streaming ensemble algorithm (SEA) for large-scale classification",
 * KDD 2001), with abrupt or gradual drift between concepts.
 *
 * <p>Three features uniform in [0, 10]; only the first two matter. Under concept {@code k} the label is 1 when
 * {@code f1 + f2 <= theta_k}, else 0, with {@code theta = 8, 9, 7, 9.5} (cycling after four concepts), and each label
 * is flipped with probability {@code noise} (10% in the paper). Concept {@code k} starts at example
 * {@code k * conceptLength}. Abrupt drift switches there; gradual drift mixes the two concepts as MOA's
 * {@code ConceptDriftStream} does: example {@code t} comes from the newer concept with probability
 * {@code 1 / (1 + exp(-4 (t - p) / width))} around each switch {@code p}. The change points mark each switch:
 * abrupt at {@code p} (width 1); gradual at {@code p - width/2} with the width, the stretch where the newer concept's
 * share goes from 12% to 88%.
 *
 * <p>The held-out test set (if asked for) is drawn from the concept in force at the end of the stream.
 *
 * <pre>{@code
 * Scenario s = new SeaGenerator(20_000, 5_000, 0.1, true, 1_000, 0).generate(42);
 * s.changePoints(); // sea@4500 (width 1000), sea@9500, sea@14500
 * }</pre>
 */
public final class SeaGenerator {
    /** The thresholds of the four SEA concepts, in order. */
    public static final double[] THETAS = {8.0, 9.0, 7.0, 9.5};
    /** The task id of the stream. */
    public static final String TASK = "sea";

    private final int length;
    private final int conceptLength;
    private final double noise;
    private final boolean gradual;
    private final int width;
    private final int testSize;

    /**
     * @param length        training examples
     * @param conceptLength examples per concept (the concept switches every this many examples)
     * @param noise         probability of flipping each label, in [0, 1]
     * @param gradual       sigmoid mixing over {@code width} examples instead of abrupt switches
     * @param width         examples over which a gradual change happens
     * @param testSize      held-out examples from the final concept
     */
    public SeaGenerator(int length, int conceptLength, double noise, boolean gradual, int width, int testSize) {
        this.length = length;
        this.conceptLength = conceptLength;
        this.noise = noise;
        this.gradual = gradual;
        this.width = width;
        this.testSize = testSize;
    }

    /** Reads {@code sea:concepts=4,length=5000,noise=0.1,drift=abrupt|gradual,width=1000,shift-every=0}. */
    static Scenario fromSpec(String source, SourceParams p, ScenarioSpec spec) {
        int concepts = p.integer("concepts", 4, 1);
        int conceptLength = p.integer("length", 5000, 1);
        double noise = p.number("noise", 0.1, 0, 1);
        boolean gradual = p.choice("drift", "abrupt", "abrupt", "gradual").equals("gradual");
        int width = p.integer("width", 1000, 1);
        InputShift shift = InputShift.from(p);
        p.rejectUnknown();
        int length = spec.trainPerTask() > 0 ? spec.trainPerTask() : concepts * conceptLength;
        return rename(new SeaGenerator(length, conceptLength, noise, gradual, width, spec.testPerTask())
                .generate(spec.seed(), shift), source);
    }

    static Scenario rename(Scenario s, String name) {
        return s.named(name);
    }

    /** The label of {@code (f1, f2)} under concept {@code concept}, before noise. */
    public static int label(double f1, double f2, int concept) {
        return f1 + f2 <= THETAS[concept % THETAS.length] ? 1 : 0;
    }

    /** Generates the stream. */
    public Scenario generate(long seed) {
        return generate(seed, InputShift.NONE);
    }

    /** Generates the stream, its inputs drawn under {@code shift}. */
    Scenario generate(long seed, InputShift shift) {
        Random rnd = new Random(seed);
        List<Integer> switches = new ArrayList<>();
        for (long s = conceptLength; s < length; s += conceptLength) {
            switches.add((int) s);
        }
        List<Instance> train = new ArrayList<>(length);
        for (int t = 0; t < length; t++) {
            int concept;
            if (gradual) {
                concept = 0;
                for (int p : switches) {
                    double share = 1.0 / (1.0 + Math.exp(-4.0 * (t - p) / width));
                    if (rnd.nextDouble() < share) {
                        concept++;
                    } else {
                        break;
                    }
                }
            } else {
                concept = t / conceptLength;
            }
            train.add(example(rnd, shift, concept, t));
        }
        int last = switches.size();
        List<Instance> test = new ArrayList<>(testSize);
        for (int i = 0; i < testSize; i++) {
            test.add(example(rnd, shift, last, length + i));
        }
        List<Scenario.ChangePoint> cps = new ArrayList<>();
        for (int p : switches) {
            cps.add(gradual ? new Scenario.ChangePoint(TASK, Math.max(0, p - width / 2), width)
                    : new Scenario.ChangePoint(TASK, p, 1));
        }
        return new Scenario("sea", Generators.classification(3, 2),
                List.of(new Scenario.TaskData(TASK, train, test)), cps).withShiftPoints(shift.points(TASK, length));
    }

    private Instance example(Random rnd, InputShift shift, int concept, long t) {
        float[] x = {(float) (10 * shift.uniform(rnd, 0, t)), (float) (10 * shift.uniform(rnd, 1, t)),
            (float) (10 * shift.uniform(rnd, 2, t))};
        int y = label(x[0], x[1], concept);
        if (rnd.nextDouble() < noise) {
            y = 1 - y;
        }
        return new Instance(TASK, x, Generators.oneHot(y, 2), null, t);
    }
}
