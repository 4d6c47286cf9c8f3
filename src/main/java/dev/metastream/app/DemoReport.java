package dev.metastream.app;

import dev.metastream.topology.OutputRecords;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the demo expected back from the output topics against what it read, in words: which outputs are still missing,
 * whether the dead letters account for every malformed record it injected (by reason), and which drift detection is
 * the change it injected. Pure functions of the counts, so the wording and the arithmetic are unit-tested without a
 * broker.
 */
public final class DemoReport {

    /**
     * A drift detection read from the drift-events topic.
     *
     * @param task     the task
     * @param position the task's scored labelled examples at detection
     * @param detector the detector's name ({@code shift-monitor} for a domain shift)
     * @param reaction what the learner did
     * @param signal   what was watched: {@code prequential-error}, or a domain shift's signal ({@code inputs},
     *                 {@code inputs-mmd}, {@code prediction}, {@code label})
     */
    public record Detection(String task, long position, String detector, String reaction, String signal) {
        /** An error detector's detection. */
        public Detection(String task, long position, String detector, String reaction) {
            this(task, position, detector, reaction, "prequential-error");
        }

        /** Whether the label-free monitor found it (a domain shift), not an error detector. */
        public boolean domainShift() {
            return detector.equals(OutputRecords.SHIFT_DETECTOR);
        }
    }

    /**
     * The concept change the demo injected.
     *
     * @param task        the task whose concept changed
     * @param position    the task's valid examples sent before the change: its example {@code position + 1} is the
     *                    first one labelled by the new concept
     * @param streamIndex the index in the whole stream of the first changed example
     */
    public record InjectedChange(String task, long position, long streamIndex) { }

    /**
     * Everything the demo expects to read back.
     *
     * @param predictions     one per valid example sent
     * @param deadLetters     malformed records sent, by the reason the application must give
     * @param scoredByTask    valid labelled examples sent per task: each task's final metrics report must show this
     *                        many {@code examples_seen}
     * @param allowDuplicates true under at_least_once, where a restart may write a prediction twice
     */
    public record Expected(long predictions, Map<String, Long> deadLetters, Map<String, Long> scoredByTask,
                           boolean allowDuplicates) {

        /** Copies the maps (sorted). */
        public Expected {
            deadLetters = new TreeMap<>(deadLetters);
            scoredByTask = new TreeMap<>(scoredByTask);
        }

        /**
         * All the malformed records sent.
         *
         * @return the sum over reasons
         */
        public long deadLetterTotal() {
            return sum(deadLetters);
        }
    }

    /**
     * What has been read back so far.
     *
     * @param predictions  predictions read
     * @param deadLetters  dead letters read, by their reason header
     * @param scoredByTask the {@code examples_seen} of each task's newest metrics report
     */
    public record Observed(long predictions, Map<String, Long> deadLetters, Map<String, Long> scoredByTask) {

        /** Copies the maps (sorted). */
        public Observed {
            deadLetters = new TreeMap<>(deadLetters);
            scoredByTask = new TreeMap<>(scoredByTask);
        }
    }

    private DemoReport() {
    }

    /**
     * What is still missing (or in excess) for the outputs to account for every record sent; empty when complete.
     *
     * @param e what was sent
     * @param o what was read
     * @return one sentence per shortfall
     */
    public static List<String> shortfalls(Expected e, Observed o) {
        List<String> out = new ArrayList<>();
        if (o.predictions() < e.predictions()) {
            out.add(String.format(Locale.ROOT, "predictions: read %,d of %,d (%,d missing)", o.predictions(),
                    e.predictions(), e.predictions() - o.predictions()));
        } else if (o.predictions() > e.predictions() && !e.allowDuplicates()) {
            out.add(String.format(Locale.ROOT, "predictions: read %,d but only %,d valid examples were sent (%,d"
                    + " written twice, which exactly-once must not do)", o.predictions(), e.predictions(),
                    o.predictions() - e.predictions()));
        }
        List<String> dl = new ArrayList<>();
        TreeSet<String> reasons = new TreeSet<>(e.deadLetters().keySet());
        reasons.addAll(o.deadLetters().keySet());
        for (String r : reasons) {
            long want = e.deadLetters().getOrDefault(r, 0L);
            long got = o.deadLetters().getOrDefault(r, 0L);
            if (got < want || (got > want && !(e.allowDuplicates() && want > 0))) {
                dl.add(want == 0 ? String.format(Locale.ROOT, "%s %,d not injected", r, got)
                        : String.format(Locale.ROOT, "%s %,d of %,d", r, got, want));
            }
        }
        if (!dl.isEmpty()) {
            out.add("dead letters: " + String.join(", ", dl));
        }
        List<String> lagging = new ArrayList<>();
        for (Map.Entry<String, Long> t : e.scoredByTask().entrySet()) {
            Long got = o.scoredByTask().get(t.getKey());
            if (got == null || got < t.getValue()) {
                lagging.add(String.format(Locale.ROOT, "%s %s of %,d", t.getKey(),
                        got == null ? "none" : String.format(Locale.ROOT, "%,d", got), t.getValue()));
            }
        }
        if (!lagging.isEmpty()) {
            int shown = Math.min(3, lagging.size());
            out.add("final metrics (examples_seen): " + String.join(", ", lagging.subList(0, shown))
                    + (lagging.size() > shown ? " and " + (lagging.size() - shown) + " more tasks" : ""));
        }
        return out;
    }

    /**
     * The malformed records injected and the dead letters read, each total with its per-reason counts (which sum to
     * it); every injected reason appears, read or not, and so does any reason read that was not injected.
     *
     * @param injected malformed records sent, by the reason expected
     * @param read     dead letters read, by their reason header
     * @return one line
     */
    public static String deadLetterLine(Map<String, Long> injected, Map<String, Long> read) {
        Map<String, Long> readAll = new TreeMap<>();
        injected.keySet().forEach(r -> readAll.put(r, 0L));
        readAll.putAll(read);
        return String.format(Locale.ROOT, "malformed records injected: %,d %s -> dead letters read: %,d %s",
                sum(injected), byReason(new TreeMap<>(injected)), sum(readAll), byReason(readAll));
    }

    private static String byReason(Map<String, Long> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %,d", k, v)));
        return "(" + (parts.isEmpty() ? "none" : String.join(", ", parts)) + ")";
    }

    /**
     * One line per detection, in task then position order, each labelled either as the injected change (the first
     * detection on the changed task after the change, with its delay in the task's examples) or as another detection
     * and why it is not the injected change; then, if no detection caught it, a line saying so.
     *
     * @param detections the drift events read
     * @param change     the injected change, or {@code null} when none was injected
     * @return the lines, without a heading
     */
    public static List<String> driftLines(List<Detection> detections, InjectedChange change) {
        List<Detection> sorted = new ArrayList<>(detections);
        sorted.sort(Comparator.comparing(Detection::task).thenComparingLong(Detection::position));
        Detection caught = null;
        if (change != null) {
            // The injected change is a concept change: only an error detector can catch it.
            caught = sorted.stream().filter(d -> !d.domainShift() && d.task().equals(change.task())
                    && d.position() > change.position()).findFirst().orElse(null);
        }
        List<String> out = new ArrayList<>();
        for (Detection d : sorted) {
            if (d.domainShift()) {
                continue;
            }
            String what = String.format(Locale.ROOT, "%s at its example %,d (%s, reaction %s): ", d.task(),
                    d.position(), d.detector(), d.reaction());
            String label;
            if (d == caught) {
                label = String.format(Locale.ROOT, "THE INJECTED CHANGE (%s changed after its example %,d, stream"
                        + " example %,d), detected %,d of its examples later", change.task(), change.position(),
                        change.streamIndex(), d.position() - change.position());
            } else if (change == null || !d.task().equals(change.task())) {
                label = "another detection: no change was injected on " + d.task();
            } else if (d.position() <= change.position()) {
                label = String.format(Locale.ROOT, "another detection: before the injected change at its example %,d",
                        change.position());
            } else {
                label = "another detection: after the injected change was already detected";
            }
            out.add(what + label);
        }
        for (Detection d : sorted) {
            if (d.domainShift()) {
                out.add(String.format(Locale.ROOT, "%s at its example %,d (domain shift, signal %s): the label-free "
                        + "monitor's finding, not a drift detection", d.task(), d.position(), d.signal()));
            }
        }
        if (change != null && caught == null) {
            out.add(String.format(Locale.ROOT, "the injected change (%s after its example %,d, stream example %,d)"
                    + " was not detected", change.task(), change.position(), change.streamIndex()));
        }
        return out;
    }

    /**
     * The injected change's detection delay, for the PASSED line.
     *
     * @param detections the drift events read
     * @param change     the injected change, or {@code null}
     * @return the delay in the task's examples, or -1 when not detected (or none injected)
     */
    public static long detectionDelay(List<Detection> detections, InjectedChange change) {
        if (change == null) {
            return -1;
        }
        return detections.stream().filter(d -> !d.domainShift() && d.task().equals(change.task())
                        && d.position() > change.position())
                .mapToLong(d -> d.position() - change.position()).min().orElse(-1);
    }

    static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
