package dev.metastream.shift;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded synthetic streams for the monitor's tests. */
final class ShiftStreams {

    private ShiftStreams() {}

    /** Features of example {@code i}. */
    interface Inputs {
        float[] next(Random r, long i);
    }

    /** P(label = 1) at example {@code i}. */
    interface Prior {
        double at(long i);
    }

    /** {@code d} independent uniform [0, 1) features. */
    static Inputs uniform(int d) {
        return (r, i) -> {
            float[] x = new float[d];
            for (int j = 0; j < d; j++) {
                x[j] = r.nextFloat();
            }
            return x;
        };
    }

    /**
     * Ten uniform features whose distribution changes every 5,000 examples: [0, 1), then [0.2, 1.2)
     * (location), then [0.2, 0.8) (spread), then [0, 1) again.
     */
    static Inputs threeShifts() {
        return (r, i) -> {
            float[] x = new float[10];
            int epoch = (int) (i / 5000);
            for (int j = 0; j < 10; j++) {
                float u = r.nextFloat();
                x[j] = switch (epoch) {
                    case 1 -> u + 0.2f;
                    case 2 -> 0.2f + 0.6f * u;
                    default -> u;
                };
            }
            return x;
        };
    }

    /** 784 non-negative integer "pixels", each non-zero with its own probability in [0.05, 0.45]. */
    static Inputs wideSparse() {
        return (r, i) -> {
            float[] x = new float[784];
            for (int j = 0; j < 784; j++) {
                if (r.nextDouble() < 0.05 + 0.4 * Math.abs(Math.sin(j * 0.37))) {
                    x[j] = r.nextInt(255) + 1;
                }
            }
            return x;
        };
    }

    /** Three features with 3 levels, three with 50 levels (integers). */
    static Inputs discrete() {
        return (r, i) -> {
            float[] x = new float[6];
            for (int j = 0; j < 6; j++) {
                x[j] = j < 3 ? r.nextInt(3) : r.nextInt(50);
            }
            return x;
        };
    }

    /** A reported shift and the examples observed when it came. */
    record Alarm(long position, ShiftReport report) {}

    /**
     * Runs a classification stream: label 1 with the prior's probability, the prediction right 80%
     * of the time, half the examples labelled.
     */
    static List<ShiftReport> run(ShiftMonitor m, long seed, long n, Inputs inputs, Prior prior) {
        Random r = new Random(seed);
        List<ShiftReport> reports = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            ShiftReport rep = step(m, r, i, inputs, prior);
            if (rep != null) {
                reports.add(rep);
            }
        }
        return reports;
    }

    static ShiftReport step(ShiftMonitor m, Random r, long i, Inputs inputs, Prior prior) {
        float[] x = inputs.next(r, i);
        double y = r.nextDouble() < prior.at(i) ? 1 : 0;
        double prediction = r.nextDouble() < 0.8 ? y : 1 - y;
        double label = r.nextDouble() < 0.5 ? y : Double.NaN;
        return m.observe(x, prediction, label);
    }
}
