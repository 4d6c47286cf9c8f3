package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The STAGGER concepts (Schlimmer and Granger, "Incremental learning from noisy data", Machine Learning 1986), with
 * abrupt switches.
 *
 * <p>Three categorical attributes, each uniform over three values and one-hot encoded into 9 features in this order:
 * size (small, medium, large), colour (red, green, blue), shape (square, circular, triangular). The label is 1 when
 * the concept holds: (0) size = small and colour = red; (1) colour = green or shape = circular; (2) size = medium or
 * large. Concept {@code k mod 3} holds from example {@code k * conceptLength}; each switch is a change point of width
 * 1. Labels flip with probability {@code noise} (default 0). The held-out test set (if asked for) uses the final
 * concept.
 *
 * <pre>{@code
 * Scenario s = new StaggerGenerator(3_000, 1_000, 0.0, 0).generate(42); // change points at 1000 and 2000
 * }</pre>
 */
public final class StaggerGenerator {
    /** The task id of the stream. */
    public static final String TASK = "stagger";

    private final int length;
    private final int conceptLength;
    private final double noise;
    private final int testSize;

    /**
     * @param length        training examples
     * @param conceptLength examples per concept
     * @param noise         label noise probability
     * @param testSize      held-out examples from the final concept
     */
    public StaggerGenerator(int length, int conceptLength, double noise, int testSize) {
        this.length = length;
        this.conceptLength = conceptLength;
        this.noise = noise;
        this.testSize = testSize;
    }

    /** Reads {@code stagger:concepts=3,length=1000,noise=0,shift-every=0}. */
    static Scenario fromSpec(String source, SourceParams p, ScenarioSpec spec) {
        int concepts = p.integer("concepts", 3, 1);
        int conceptLength = p.integer("length", 1000, 1);
        double noise = p.number("noise", 0, 0, 1);
        InputShift shift = InputShift.from(p);
        p.rejectUnknown();
        int length = spec.trainPerTask() > 0 ? spec.trainPerTask() : concepts * conceptLength;
        return SeaGenerator.rename(new StaggerGenerator(length, conceptLength, noise, spec.testPerTask())
                .generate(spec.seed(), shift), source);
    }

    /** The noise-free label of (size, colour, shape), each in 0..2, under concept {@code concept mod 3}. */
    public static int label(int size, int colour, int shape, int concept) {
        boolean holds = switch (concept % 3) {
            case 0 -> size == 0 && colour == 0;
            case 1 -> colour == 1 || shape == 1;
            default -> size == 1 || size == 2;
        };
        return holds ? 1 : 0;
    }

    /** Generates the stream. */
    public Scenario generate(long seed) {
        return generate(seed, InputShift.NONE);
    }

    /** Generates the stream, its attributes drawn under {@code shift}. */
    Scenario generate(long seed, InputShift shift) {
        Random rnd = new Random(seed);
        List<Instance> train = new ArrayList<>(length);
        List<Scenario.ChangePoint> cps = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            if (t > 0 && t % conceptLength == 0) {
                cps.add(new Scenario.ChangePoint(TASK, t, 1));
            }
            train.add(example(rnd, shift, t / conceptLength, t));
        }
        int last = (length - 1) / conceptLength;
        List<Instance> test = new ArrayList<>(testSize);
        for (int i = 0; i < testSize; i++) {
            test.add(example(rnd, shift, last, length + i));
        }
        return new Scenario("stagger", Generators.classification(9, 2),
                List.of(new Scenario.TaskData(TASK, train, test)), cps).withShiftPoints(shift.points(TASK, length));
    }

    private Instance example(Random rnd, InputShift shift, int concept, long t) {
        int size = shift.uniformInt(rnd, 3, 0, t);
        int colour = shift.uniformInt(rnd, 3, 1, t);
        int shape = shift.uniformInt(rnd, 3, 2, t);
        float[] x = new float[9];
        x[size] = 1f;
        x[3 + colour] = 1f;
        x[6 + shape] = 1f;
        int y = label(size, colour, shape, concept);
        if (rnd.nextDouble() < noise) {
            y = 1 - y;
        }
        return new Instance(TASK, x, Generators.oneHot(y, 2), null, t);
    }
}
