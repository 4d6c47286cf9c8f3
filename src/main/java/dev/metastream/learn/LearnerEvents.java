package dev.metastream.learn;

import java.util.Map;

/**
 * What a {@link StreamingLearner} reports besides predictions. The topology turns each into a record on an output
 * topic; in-process users may collect them.
 */
public interface LearnerEvents {
    /** A task's drift detector fired. */
    void drift(DriftEvent event);

    /** A task's prequential metrics, every {@code metrics.every.examples} examples and on a timer. */
    void metrics(TaskMetrics metrics);

    /** A task's head changed enough to publish (every {@code snapshot.every.examples}). */
    void taskSnapshot(TaskSnapshot snapshot);

    /**
     * A task's domain-shift monitor found its inputs, predictions or labels moved (label-free, so unlabelled records
     * count too). Ignored unless overridden: users of the learner written before monitoring existed see nothing new.
     */
    default void domainShift(ShiftEvent event) {}

    /** A task's domain-shift monitor completed a check, shifted or not (for gauges); ignored unless overridden. */
    default void shiftChecked(String task, dev.metastream.shift.ShiftReport report) {}

    /** Ignores everything. */
    LearnerEvents NONE = new LearnerEvents() {
        @Override
        public void drift(DriftEvent event) {}

        @Override
        public void metrics(TaskMetrics metrics) {}

        @Override
        public void taskSnapshot(TaskSnapshot snapshot) {}
    };

    /**
     * A detected drift.
     *
     * @param task       task id
     * @param detector   detector name
     * @param signal     what was monitored (the prequential error)
     * @param position   the task's labelled-example count at detection
     * @param statistics detector statistics at detection
     * @param reaction   what the learner did about it
     * @param timestamp  event time of the example that triggered it
     */
    record DriftEvent(String task, String detector, String signal, long position, Map<String, Double> statistics,
                                        String reaction, long timestamp) {}

    /**
     * A domain shift found by a task's {@link dev.metastream.shift.ShiftMonitor}.
     *
     * @param task      task id
     * @param report    the check that found it: the windows compared, every signal with its test, score and
     *                  threshold, and the features that moved
     * @param timestamp event time of the example whose check found it
     */
    record ShiftEvent(String task, dev.metastream.shift.ShiftReport report, long timestamp) {}

    /**
     * Prequential metrics of one task.
     *
     * @param task         task id
     * @param kind         task kind
     * @param observed     labelled examples scored
     * @param learned      labelled examples learned
     * @param learningRate the head's current learning rate
     * @param values       metric values by name
     * @param metaVersion  shared-model version in use
     * @param drifts       drift detections so far
     * @param timestamp    epoch milliseconds
     * @param negativeTransfer whether the task shows negative transfer ({@link dev.metastream.meta.NegativeTransfer})
     * @param transferRatio    its shared head's loss over its better shadow model's (NaN before evidence)
     * @param trunkWeight      the weight of its pull on the shared trunk ({@code meta.transfer}; 1 = whole)
     */
    record TaskMetrics(String task, String kind, long observed, long learned, double learningRate,
                                          Map<String, Double> values, long metaVersion, long drifts, long timestamp,
                                          boolean negativeTransfer, double transferRatio, double trunkWeight) {

        /** A record without negative-transfer evidence. */
        public TaskMetrics(String task, String kind, long observed, long learned, double learningRate,
                           Map<String, Double> values, long metaVersion, long drifts, long timestamp) {
            this(task, kind, observed, learned, learningRate, values, metaVersion, drifts, timestamp, false, Double.NaN,
                    1);
        }
    }

    /**
     * A task's model part.
     *
     * @param task         task id
     * @param version      head updates applied
     * @param metaVersion  shared-model version it was trained with
     * @param examplesSeen examples learned
     * @param configDigest configuration digest
     * @param createdAt    epoch milliseconds
     * @param spec         head shape
     * @param inputs       head input width
     * @param head         head parameters (weights row-major [inputs][outputs], then biases)
     */
    record TaskSnapshot(String task, long version, long metaVersion, long examplesSeen, String configDigest,
                                            long createdAt, TaskSpec spec, int inputs, float[] head) {}
}
