package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.shift.ShiftReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The learner's domain-shift monitoring: every record (labelled or not) reaches its task's monitor, a shift of the
 * inputs becomes a {@link LearnerEvents.ShiftEvent}, and a learner dropped at any record and rebuilt on the same store
 * (a restart: its monitors are read back from the stored monitor and the log of records since) publishes exactly the
 * shifts an uninterrupted one publishes.
 */
class ShiftMonitoringTest {
    private static final int DIM = 5;
    private static final int SHIFT_AT = 1_500;
    private static final int RECORDS = 3_000;

    private static Properties props() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "2");
        p.setProperty("model.trunk.layers", "4");
        p.setProperty("learner.batch.size", "8");
        return p;
    }

    /** Two tasks; "moving" has its inputs' mean move at record SHIFT_AT of its own; every third record is unlabelled. */
    private static List<Instance> stream() {
        SplittableRandom r = new SplittableRandom(5);
        List<Instance> out = new ArrayList<>();
        int[] seen = new int[2];
        for (int i = 0; i < 2 * RECORDS; i++) {
            int t = i % 2;
            float shift = t == 0 && seen[t] >= SHIFT_AT ? 1.5f : 0f;
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian() + shift;
            }
            float[] target = null;
            if (i % 3 != 0) {
                target = new float[2];
                target[x[0] - shift > 0 ? 1 : 0] = 1;
            }
            seen[t]++;
            out.add(new Instance(t == 0 ? "moving" : "steady", x, target, "e" + i, i));
        }
        return out;
    }

    private static final class Shifts implements LearnerEvents {
        final List<String> found = new ArrayList<>();

        @Override
        public void drift(DriftEvent event) {}

        @Override
        public void metrics(TaskMetrics metrics) {}

        @Override
        public void taskSnapshot(TaskSnapshot snapshot) {}

        @Override
        public void domainShift(ShiftEvent event) {
            found.add(event.task() + "@" + event.report().position());
        }
    }

    @Test
    void findsTheShiftOfLabelledAndUnlabelledRecordsAndNoneOnASteadyTask() {
        LearnerConfig config = LearnerConfig.from(props());
        Shifts events = new Shifts();
        StreamingLearner learner = new StreamingLearner(config, new InMemoryLearnerStore(), "test", events);
        stream().forEach(learner::observe);
        List<String> perTask = events.found.stream().filter(f -> !f.startsWith("*@")).toList();
        assertThat(perTask).isNotEmpty().allSatisfy(f -> assertThat(f).startsWith("moving@"));
        long first = Long.parseLong(perTask.get(0).substring("moving@".length()));
        assertThat(first).isGreaterThan(SHIFT_AT).isLessThanOrEqualTo(SHIFT_AT + 1_000);
        ShiftReport latest = learner.latestShift("steady");
        assertThat(latest).isNotNull();
        assertThat(latest.drift()).isFalse();
        assertThat(latest.recent().to()).isLessThanOrEqualTo(RECORDS);
        // The monitor over both tasks sees the moving task's half of its inputs move.
        assertThat(events.found).anySatisfy(f -> assertThat(f).startsWith("*@"));
        assertThat(learner.latestShift("*")).isNotNull();
    }

    @Test
    void aLearnerRebuiltOnTheSameStoreAtAnyRecordPublishesTheSameShifts() {
        LearnerConfig config = LearnerConfig.from(props());
        List<Instance> stream = stream();
        Shifts uninterrupted = new Shifts();
        StreamingLearner straight = new StreamingLearner(config, new InMemoryLearnerStore(), "test", uninterrupted);
        stream.forEach(straight::observe);

        // Restarts at records that fall before, on and after the monitors' block boundaries and stored states.
        Shifts restarted = new Shifts();
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner learner = new StreamingLearner(config, store, "test", restarted);
        for (int i = 0; i < stream.size(); i++) {
            if (i % 997 == 0 || i == 1_601 || i == 3_200) {
                learner.flush(); // as a commit does
                learner = new StreamingLearner(config, store, "test", restarted);
            }
            learner.observe(stream.get(i));
        }
        assertThat(restarted.found).isEqualTo(uninterrupted.found).isNotEmpty();
        assertThat(learner.latestShift("moving")).isEqualTo(straight.latestShift("moving"));
    }

    @Test
    void monitoringOffPublishesNothingAndStoresNothing() {
        Properties p = props();
        p.setProperty("shift.monitor", "false");
        Shifts events = new Shifts();
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), store, "test", events);
        stream().forEach(learner::observe);
        assertThat(events.found).isEmpty();
        assertThat(store.shiftMonitor("moving")).isNull();
        assertThat(store.shiftObservations("moving")).isEmpty();
        assertThat(learner.latestShift("moving")).isNull();
    }
}
