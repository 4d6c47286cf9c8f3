package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Matches drift detections against a stream's true change points.
 *
 * <p>Positions are per task. A detection at position p (the task's labelled-example count when it fired) was
 * triggered by the example at index {@code p - 1}. A change point at index c with width w is <b>found</b> by the first
 * not yet matched detection on the same task whose example index lies in {@code [c, c + w - 1 + maxDelay]} and before
 * the task's next change point; its delay is {@code index - c}. A change point with no such detection is <b>missed</b>.
 * Every detection not matched (before any change, outside every window, or a second detection inside a window) is a
 * <b>false alarm</b>.
 *
 * <pre>{@code
 * DriftMatching.Result r = DriftMatching.match(scenario.changePoints(), detections, 1000);
 * r.found();        // change points found, with delays
 * r.falseAlarms();  // detections matching no change point
 * }</pre>
 */
public final class DriftMatching {
    private DriftMatching() {}

    /**
     * A change point found.
     *
     * @param task      task id
     * @param position  the change point's index
     * @param detection the detection's position (its example index + 1)
     * @param delay     examples from the change to the detecting example
     */
    public record Found(String task, long position, long detection, long delay) {}

    /**
     * The matching.
     *
     * @param found       change points found
     * @param missed      change points not found
     * @param falseAlarms detections that matched none
     */
    public record Result(List<Found> found, List<Scenario.ChangePoint> missed, List<Outcomes.Detection> falseAlarms) {
        /** Mean delay of the found change points, or null when none was found. */
        public Double meanDelay() {
            return found.isEmpty() ? null : found.stream().mapToLong(Found::delay).average().orElse(0);
        }
    }

    /**
     * Matches detections to change points by the rule above.
     *
     * @param maxDelay largest delay (examples of the task after the change ends) that still counts as a find
     */
    public static Result match(List<Scenario.ChangePoint> changePoints, List<Outcomes.Detection> detections,
            long maxDelay) {
        List<Scenario.ChangePoint> cps = new ArrayList<>(changePoints);
        cps.sort(Comparator.comparing(Scenario.ChangePoint::task).thenComparingLong(Scenario.ChangePoint::position));
        boolean[] used = new boolean[detections.size()];
        List<Found> found = new ArrayList<>();
        List<Scenario.ChangePoint> missed = new ArrayList<>();
        for (int k = 0; k < cps.size(); k++) {
            Scenario.ChangePoint cp = cps.get(k);
            long end = cp.position() + Math.max(1, cp.width()) - 1 + maxDelay;
            if (k + 1 < cps.size() && cps.get(k + 1).task().equals(cp.task())) {
                end = Math.min(end, cps.get(k + 1).position() - 1);
            }
            int best = -1;
            for (int d = 0; d < detections.size(); d++) {
                Outcomes.Detection det = detections.get(d);
                long index = det.position() - 1;
                if (!used[d] && det.task().equals(cp.task()) && index >= cp.position() && index <= end
                        && (best < 0 || det.position() < detections.get(best).position())) {
                    best = d;
                }
            }
            if (best < 0) {
                missed.add(cp);
            } else {
                used[best] = true;
                long index = detections.get(best).position() - 1;
                found.add(new Found(cp.task(), cp.position(), detections.get(best).position(), index - cp.position()));
            }
        }
        List<Outcomes.Detection> falseAlarms = new ArrayList<>();
        for (int d = 0; d < detections.size(); d++) {
            if (!used[d]) {
                falseAlarms.add(detections.get(d));
            }
        }
        return new Result(found, missed, falseAlarms);
    }
}
