package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The random radial-basis-function stream with drift, as MOA's {@code RandomRBFGeneratorDrift} builds it (Bifet et
 * al., "New ensemble methods for evolving data streams", KDD 2009).
 *
 * <p>{@code centroids} centroids, each with a centre uniform in [0, 1]^d, a class, a standard deviation and a weight
 * uniform in [0, 1]. An example picks a centroid with probability proportional to its weight and lies at a random
 * direction from its centre at a distance drawn from {@code N(0, stdDev)}; its label is the centroid's class.
 * <ul>
 *   <li>Gradual mode (MOA's): the first {@code drifting} centroids move {@code speed} per example along a random unit
 *       direction, bouncing off the walls of the unit cube. No discrete change points (the list is empty).</li>
 *   <li>Abrupt mode (added so detection can be scored): the drifting centroids keep still and get a new centre and
 *       class every {@code conceptLength} examples; each re-draw is a change point of width 1.</li>
 * </ul>
 * The held-out test set (if asked for) uses the centroids at the end of the stream, frozen.
 *
 * <pre>{@code
 * Scenario s = new RandomRbfGenerator(10, 2, 50, 50, 0.001, false, 5_000, 20_000, 0).generate(42);
 * }</pre>
 */
public final class RandomRbfGenerator {
    /** The task id of the stream. */
    public static final String TASK = "rbf";

    private final int dims;
    private final int classes;
    private final int centroids;
    private final int drifting;
    private final double speed;
    private final boolean abrupt;
    private final int conceptLength;
    private final int length;
    private final int testSize;

    /**
     * @param dims          number of features
     * @param classes       number of classes
     * @param centroids     number of centroids
     * @param drifting      how many centroids drift
     * @param speed         distance a drifting centroid moves per example (gradual mode)
     * @param abrupt        re-draw drifting centroids every {@code conceptLength} examples instead of moving them
     * @param conceptLength examples per concept in abrupt mode
     * @param length        training examples
     * @param testSize      held-out examples from the final concept
     */
    public RandomRbfGenerator(int dims, int classes, int centroids, int drifting, double speed, boolean abrupt,
            int conceptLength, int length, int testSize) {
        this.dims = dims;
        this.classes = classes;
        this.centroids = centroids;
        this.drifting = Math.min(drifting, centroids);
        this.speed = speed;
        this.abrupt = abrupt;
        this.conceptLength = conceptLength;
        this.length = length;
        this.testSize = testSize;
    }

    /**
     * Reads {@code rbf:dims=10,classes=2,centroids=50,drifting=50,speed=0.001,mode=gradual|abrupt,length=5000,
     * concepts=4,shift-every=0}.
     */
    static Scenario fromSpec(String source, SourceParams p, ScenarioSpec spec) {
        int dims = p.integer("dims", 10, 1);
        int classes = p.integer("classes", 2, 2);
        int centroids = p.integer("centroids", 50, 1);
        int drifting = p.integer("drifting", centroids, 0);
        double speed = p.number("speed", 0.001, 0, 1);
        boolean abrupt = p.choice("mode", "gradual", "gradual", "abrupt").equals("abrupt");
        int conceptLength = p.integer("length", 5000, 1);
        int concepts = p.integer("concepts", 4, 1);
        InputShift shift = InputShift.from(p);
        p.rejectUnknown();
        if (drifting > centroids) {
            throw new IllegalArgumentException("--source " + source + ": drifting=" + drifting + " exceeds centroids="
                    + centroids);
        }
        int length = spec.trainPerTask() > 0 ? spec.trainPerTask() : concepts * conceptLength;
        return SeaGenerator.rename(new RandomRbfGenerator(dims, classes, centroids, drifting, speed, abrupt,
                conceptLength, length, spec.testPerTask()).generate(spec.seed(), shift), source);
    }

    /** Generates the stream. */
    public Scenario generate(long seed) {
        return generate(seed, InputShift.NONE);
    }

    /**
     * Generates the stream, its inputs drawn under {@code shift}: the shift tilts which centroid an example comes from
     * (the centroids' sampling weights move, each centroid keeps its label).
     */
    Scenario generate(long seed, InputShift shift) {
        Random rnd = new Random(seed);
        double[][] centre = new double[centroids][dims];
        int[] label = new int[centroids];
        double[] std = new double[centroids];
        double[] cumWeight = new double[centroids];
        double total = 0;
        for (int c = 0; c < centroids; c++) {
            drawCentroid(rnd, centre[c], label, c);
            std[c] = rnd.nextDouble();
            total += rnd.nextDouble();
            cumWeight[c] = total;
        }
        double[][] velocity = new double[drifting][];
        for (int c = 0; c < drifting; c++) {
            velocity[c] = unit(rnd);
        }
        List<Instance> train = new ArrayList<>(length);
        List<Scenario.ChangePoint> cps = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            if (abrupt && t > 0 && t % conceptLength == 0) {
                for (int c = 0; c < drifting; c++) {
                    drawCentroid(rnd, centre[c], label, c);
                }
                cps.add(new Scenario.ChangePoint(TASK, t, 1));
            }
            train.add(example(rnd, shift, centre, label, std, cumWeight, t));
            if (!abrupt && speed > 0) {
                for (int c = 0; c < drifting; c++) {
                    for (int j = 0; j < dims; j++) {
                        centre[c][j] += velocity[c][j] * speed;
                        if (centre[c][j] > 1 || centre[c][j] < 0) { // bounce off the wall
                            centre[c][j] = centre[c][j] > 1 ? 2 - centre[c][j] : -centre[c][j];
                            velocity[c][j] = -velocity[c][j];
                        }
                    }
                }
            }
        }
        List<Instance> test = new ArrayList<>(testSize);
        for (int i = 0; i < testSize; i++) {
            test.add(example(rnd, shift, centre, label, std, cumWeight, length + i));
        }
        return new Scenario("rbf", Generators.classification(dims, classes),
                List.of(new Scenario.TaskData(TASK, train, test)), cps).withShiftPoints(shift.points(TASK, length));
    }

    private void drawCentroid(Random rnd, double[] centre, int[] label, int c) {
        for (int j = 0; j < dims; j++) {
            centre[j] = rnd.nextDouble();
        }
        label[c] = rnd.nextInt(classes);
    }

    private double[] unit(Random rnd) {
        double[] v = new double[dims];
        double norm = 0;
        while (norm == 0) {
            norm = 0;
            for (int j = 0; j < dims; j++) {
                v[j] = rnd.nextDouble() * 2 - 1;
                norm += v[j] * v[j];
            }
        }
        norm = Math.sqrt(norm);
        for (int j = 0; j < dims; j++) {
            v[j] /= norm;
        }
        return v;
    }

    private Instance example(Random rnd, InputShift shift, double[][] centre, int[] label, double[] std,
            double[] cumWeight, long t) {
        double u = shift.uniform(rnd, 0, t) * cumWeight[centroids - 1];
        int c = 0;
        while (c < centroids - 1 && cumWeight[c] <= u) {
            c++;
        }
        double[] dir = unit(rnd);
        double distance = rnd.nextGaussian() * std[c];
        float[] x = new float[dims];
        for (int j = 0; j < dims; j++) {
            x[j] = (float) (centre[c][j] + dir[j] * distance);
        }
        return new Instance(TASK, x, Generators.oneHot(label[c], classes), null, t);
    }
}
