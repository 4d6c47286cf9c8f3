package dev.metastream.drift;

import java.util.Random;
import java.util.function.Supplier;

/** Seeded 0/1 error streams for the detectors' published-behaviour tests. */
final class BernoulliRuns {

    private BernoulliRuns() {}

    /** What one detector did on one stream whose mean changes once. */
    record Change(int delay, int earlyAlarms) {}

    /**
     * Feeds {@code total} values of Bernoulli({@code p0}) before index {@code change} and Bernoulli({@code p1}) from
     * it on, drawn from {@code new Random(seed)}.
     *
     * @return the delay of the first detection at or after the change (-1 if none) and the alarms before it
     */
    static Change change(DriftDetector d, long seed, double p0, double p1, int change, int total) {
        Random r = new Random(seed);
        int early = 0;
        for (int i = 0; i < total; i++) {
            d.update(r.nextDouble() < (i < change ? p0 : p1) ? 1.0 : 0.0);
            if (d.driftDetected()) {
                if (i < change) {
                    early++;
                } else {
                    return new Change(i - change, early);
                }
            }
        }
        return new Change(-1, early);
    }

    /** The published example: p = 0.3 to 0.7 at example 501 (index 500), 3,000 values. */
    static Change published(Supplier<DriftDetector> detector, long seed) {
        return change(detector.get(), seed, 0.3, 0.7, 500, 3000);
    }

    /** Detections on {@code n} values of Bernoulli({@code p}) drawn from {@code new Random(seed)}. */
    static int falseAlarms(DriftDetector d, long seed, double p, int n) {
        Random r = new Random(seed);
        int alarms = 0;
        for (int i = 0; i < n; i++) {
            d.update(r.nextDouble() < p ? 1.0 : 0.0);
            if (d.driftDetected()) {
                alarms++;
            }
        }
        return alarms;
    }
}
