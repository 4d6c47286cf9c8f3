package dev.metastream.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Compares drift detectors on seeded Bernoulli error streams with abrupt changes, as MOA's
 * {@code AbruptChangeGenerator} makes them: a stream of 0/1 values whose mean switches between two
 * levels at known points ({@code low → high → low → …} every {@code period} values). The rises are
 * what a learner's error detector must find; the falls are changes too, found only by two-sided
 * detectors.
 *
 * <p>Scoring, per stream: the first detection within {@code maxDelay} values of a change point (and
 * before the next one) finds that change, with its delay; every other detection is a false alarm
 * (one change, one detection). Reported per detector and scenario: rises found and missed, falls
 * found, mean and median delay of the rises found, false alarms per 10,000 values.
 *
 * <pre>{@code
 * List<DetectorComparison.Result> results = DetectorComparison.run(
 *         DetectorComparison.SCENARIOS,
 *         Map.of("adwin", Adwin::new, "hddm-w", HddmW::new),
 *         100, 1, 1000);
 * results.forEach(r -> System.out.println(r.detector() + " " + r.risesFound() + " " + r.meanDelay()));
 * }</pre>
 */
public final class DetectorComparison {

    /**
     * A family of streams.
     *
     * @param name   label in reports
     * @param low    the mean before the first change (and after every fall)
     * @param high   the mean after every rise
     * @param length values per stream
     * @param period values between changes
     */
    public record Scenario(String name, double low, double high, int length, int period) {
        /** @return the change points: period, 2 period, … below length */
        public int[] changes() {
            int k = (length - 1) / period;
            int[] c = new int[k];
            for (int i = 0; i < k; i++) {
                c[i] = (i + 1) * period;
            }
            return c;
        }

        /** @return whether the change at index {@code i} of {@link #changes()} is a rise */
        static boolean isRise(int i) {
            return i % 2 == 0;
        }
    }

    /**
     * One detector on one scenario, over all streams.
     *
     * @param detector           detector name
     * @param scenario           scenario name
     * @param streams            streams run
     * @param rises              rises in all streams
     * @param risesFound         rises found within the maximum delay
     * @param risesMissed        rises not found
     * @param falls              falls in all streams
     * @param fallsFound         falls found within the maximum delay
     * @param meanDelay          mean delay of the rises found (NaN when none)
     * @param medianDelay        median delay of the rises found (NaN when none)
     * @param falseAlarms        detections that found no change
     * @param falseAlarmsPer10k  false alarms per 10,000 values
     */
    public record Result(String detector, String scenario, int streams, int rises, int risesFound, int risesMissed,
                         int falls, int fallsFound, double meanDelay, double medianDelay, int falseAlarms,
                         double falseAlarmsPer10k) {}

    /** The default scenarios: 10,000 values, a change every 2,000; a large change and a smaller one. */
    public static final List<Scenario> SCENARIOS = List.of(
            new Scenario("0.2<->0.4", 0.2, 0.4, 10_000, 2_000),
            new Scenario("0.2<->0.3", 0.2, 0.3, 10_000, 2_000));

    /** Default maximum delay of a find, as the learner's evaluation counts one. */
    public static final int MAX_DELAY = 1000;

    private DetectorComparison() {}

    /**
     * The values of one stream: stream {@code index} of a run seeded {@code seed}. Every detector sees the same
     * streams.
     *
     * @param s     the scenario
     * @param seed  the run's seed
     * @param index the stream's index
     * @return 0/1 values
     */
    public static double[] stream(Scenario s, long seed, int index) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index);
        double[] xs = new double[s.length()];
        for (int i = 0; i < xs.length; i++) {
            double p = (i / s.period()) % 2 == 0 ? s.low() : s.high();
            xs[i] = r.nextDouble() < p ? 1.0 : 0.0;
        }
        return xs;
    }

    /**
     * Runs every detector on every scenario.
     *
     * @param scenarios stream families
     * @param detectors fresh detector per stream, by name, in report order
     * @param streams   streams per scenario
     * @param seed      seed of the streams
     * @param maxDelay  longest delay that still counts as finding a change
     * @return one result per detector and scenario, scenario-major
     */
    public static List<Result> run(List<Scenario> scenarios, Map<String, Supplier<DriftDetector>> detectors,
                                   int streams, long seed, int maxDelay) {
        if (streams < 1 || maxDelay < 1) {
            throw new IllegalArgumentException("streams and maxDelay must be >= 1");
        }
        List<Result> results = new ArrayList<>();
        for (Scenario s : scenarios) {
            Map<String, Tally> tallies = new LinkedHashMap<>();
            detectors.keySet().forEach(name -> tallies.put(name, new Tally()));
            for (int k = 0; k < streams; k++) {
                double[] xs = stream(s, seed, k);
                for (Map.Entry<String, Supplier<DriftDetector>> e : detectors.entrySet()) {
                    tallies.get(e.getKey()).score(s, detect(e.getValue().get(), xs), maxDelay);
                }
            }
            for (Map.Entry<String, Tally> e : tallies.entrySet()) {
                results.add(e.getValue().result(e.getKey(), s, streams));
            }
        }
        return results;
    }

    /** Indices at which the detector fired. */
    static int[] detect(DriftDetector d, double[] xs) {
        int[] at = new int[16];
        int n = 0;
        for (int i = 0; i < xs.length; i++) {
            d.update(xs[i]);
            if (d.driftDetected()) {
                if (n == at.length) {
                    at = Arrays.copyOf(at, n * 2);
                }
                at[n++] = i;
            }
        }
        return Arrays.copyOf(at, n);
    }

    /** Running counts of one detector on one scenario. */
    private static final class Tally {
        int rises;
        int risesFound;
        int falls;
        int fallsFound;
        int falseAlarms;
        long values;
        final List<Integer> delays = new ArrayList<>();

        void score(Scenario s, int[] detections, int maxDelay) {
            values += s.length();
            boolean[] used = new boolean[detections.length];
            int[] changes = s.changes();
            for (int c = 0; c < changes.length; c++) {
                boolean rise = Scenario.isRise(c);
                if (rise) {
                    rises++;
                } else {
                    falls++;
                }
                int end = Math.min(changes[c] + maxDelay, c + 1 < changes.length ? changes[c + 1] : s.length());
                for (int j = 0; j < detections.length; j++) {
                    if (detections[j] >= changes[c] && detections[j] < end) {
                        used[j] = true;
                        if (rise) {
                            risesFound++;
                            delays.add(detections[j] - changes[c]);
                        } else {
                            fallsFound++;
                        }
                        break;
                    }
                }
            }
            for (boolean u : used) {
                falseAlarms += u ? 0 : 1;
            }
        }

        Result result(String name, Scenario s, int streams) {
            double mean = delays.stream().mapToInt(Integer::intValue).average().orElse(Double.NaN);
            int[] sorted = delays.stream().mapToInt(Integer::intValue).sorted().toArray();
            double median = sorted.length == 0 ? Double.NaN : sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
            return new Result(name, s.name(), streams, rises, risesFound, rises - risesFound, falls, fallsFound, mean,
                    median, falseAlarms, values == 0 ? 0.0 : falseAlarms * 10_000.0 / values);
        }
    }
}
