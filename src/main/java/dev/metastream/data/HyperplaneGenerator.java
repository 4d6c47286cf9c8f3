package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The rotating hyperplane stream (Hulten, Spencer and Domingos, "Mining time-changing data streams", KDD 2001), as
 * MOA's {@code HyperplaneGenerator} builds it.
 *
 * <p>Features {@code x} uniform in [0, 1]^d; the label is 1 when {@code sum_i w_i x_i >= (sum_i w_i) / 2}, flipped with
 * probability {@code noise}. Weights start uniform in [0, 1].
 * <ul>
 *   <li>Gradual mode (the paper's): after every example the first {@code driftFeatures} weights move by
 *       {@code magnitude} in their current direction, and each direction reverses with probability {@code sigma}.
 *       The concept changes everywhere a little, so there are no discrete change points (the list is empty).</li>
 *   <li>Abrupt mode (added so detection can be scored): weights stay fixed and are all re-drawn every
 *       {@code conceptLength} examples; each re-draw is a change point of width 1.</li>
 * </ul>
 * The held-out test set (if asked for) uses the weights at the end of the stream, frozen.
 *
 * <pre>{@code
 * Scenario s = new HyperplaneGenerator(10, 2, 0.001, 0.1, 0.05, false, 5_000, 20_000, 0).generate(42);
 * }</pre>
 */
public final class HyperplaneGenerator {
    /** The task id of the stream. */
    public static final String TASK = "hyperplane";

    private final int dims;
    private final int driftFeatures;
    private final double magnitude;
    private final double sigma;
    private final double noise;
    private final boolean abrupt;
    private final int conceptLength;
    private final int length;
    private final int testSize;

    /**
     * @param dims          number of features d
     * @param driftFeatures how many weights drift (gradual mode)
     * @param magnitude     weight change per example (gradual mode)
     * @param sigma         probability per example that a drifting weight reverses direction (gradual mode)
     * @param noise         label noise probability
     * @param abrupt        re-draw all weights every {@code conceptLength} examples instead of drifting
     * @param conceptLength examples per concept in abrupt mode
     * @param length        training examples
     * @param testSize      held-out examples from the final concept
     */
    public HyperplaneGenerator(int dims, int driftFeatures, double magnitude, double sigma, double noise,
            boolean abrupt, int conceptLength, int length, int testSize) {
        this.dims = dims;
        this.driftFeatures = Math.min(driftFeatures, dims);
        this.magnitude = magnitude;
        this.sigma = sigma;
        this.noise = noise;
        this.abrupt = abrupt;
        this.conceptLength = conceptLength;
        this.length = length;
        this.testSize = testSize;
    }

    /**
     * Reads {@code hyperplane:dims=10,drift-features=2,magnitude=0.001,sigma=0.1,noise=0.05,mode=gradual|abrupt,
     * length=5000,concepts=4,shift-every=0}.
     */
    static Scenario fromSpec(String source, SourceParams p, ScenarioSpec spec) {
        int dims = p.integer("dims", 10, 1);
        int driftFeatures = p.integer("drift-features", 2, 0);
        double magnitude = p.number("magnitude", 0.001, 0, 1);
        double sigma = p.number("sigma", 0.1, 0, 1);
        double noise = p.number("noise", 0.05, 0, 1);
        boolean abrupt = p.choice("mode", "gradual", "gradual", "abrupt").equals("abrupt");
        int conceptLength = p.integer("length", 5000, 1);
        int concepts = p.integer("concepts", 4, 1);
        InputShift shift = InputShift.from(p);
        p.rejectUnknown();
        if (driftFeatures > dims) {
            throw new IllegalArgumentException("--source " + source + ": drift-features=" + driftFeatures
                    + " exceeds dims=" + dims);
        }
        int length = spec.trainPerTask() > 0 ? spec.trainPerTask() : concepts * conceptLength;
        return SeaGenerator.rename(new HyperplaneGenerator(dims, driftFeatures, magnitude, sigma, noise, abrupt,
                conceptLength, length, spec.testPerTask()).generate(spec.seed(), shift), source);
    }

    /** Generates the stream. */
    public Scenario generate(long seed) {
        return generate(seed, InputShift.NONE);
    }

    /** Generates the stream, its inputs drawn under {@code shift}. */
    Scenario generate(long seed, InputShift shift) {
        Random rnd = new Random(seed);
        double[] w = new double[dims];
        double[] direction = new double[dims];
        for (int i = 0; i < dims; i++) {
            w[i] = rnd.nextDouble();
            direction[i] = i < driftFeatures ? 1 : 0;
        }
        List<Instance> train = new ArrayList<>(length);
        List<Scenario.ChangePoint> cps = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            if (abrupt && t > 0 && t % conceptLength == 0) {
                for (int i = 0; i < dims; i++) {
                    w[i] = rnd.nextDouble();
                }
                cps.add(new Scenario.ChangePoint(TASK, t, 1));
            }
            train.add(example(rnd, shift, w, t));
            if (!abrupt) {
                for (int i = 0; i < driftFeatures; i++) {
                    w[i] += direction[i] * magnitude;
                    if (rnd.nextDouble() < sigma) {
                        direction[i] = -direction[i];
                    }
                }
            }
        }
        List<Instance> test = new ArrayList<>(testSize);
        for (int i = 0; i < testSize; i++) {
            test.add(example(rnd, shift, w, length + i));
        }
        return new Scenario("hyperplane", Generators.classification(dims, 2),
                List.of(new Scenario.TaskData(TASK, train, test)), cps).withShiftPoints(shift.points(TASK, length));
    }

    /** The noise-free label of {@code x} under weights {@code w}. */
    public static int label(float[] x, double[] w) {
        double sum = 0;
        double sumW = 0;
        for (int i = 0; i < w.length; i++) {
            sum += w[i] * x[i];
            sumW += w[i];
        }
        return sum >= sumW * 0.5 ? 1 : 0;
    }

    private Instance example(Random rnd, InputShift shift, double[] w, long t) {
        float[] x = new float[dims];
        for (int i = 0; i < dims; i++) {
            x[i] = (float) shift.uniform(rnd, i, t);
        }
        int y = label(x, w);
        if (rnd.nextDouble() < noise) {
            y = 1 - y;
        }
        return new Instance(TASK, x, Generators.oneHot(y, 2), null, t);
    }
}
