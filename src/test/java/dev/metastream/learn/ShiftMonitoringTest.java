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
 * inputs becomes a {@link LearnerEvents.ShiftEvent}, and a learner rebuilt on the same store after a flush (a restart
 * after a commit: its monitors are read back as the flush wrote them) publishes exactly the shifts an uninterrupted one
 * publishes.
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

    /**
     * A monitor is stored with a log of the records since: read back, the log is replayed; the rows of the records it
     * observes wait for the flush, which appends them; after a block's rows it is stored whole and its log dropped.
     * Read back at each point, it is the monitor that saw every record.
     */
    @Test
    void aMonitorIsItsStoredFormWithItsLogReplayedAndIsStoredWholeAgainAfterABlock() {
        LearnerConfig config = LearnerConfig.from(props());
        TaskSpec spec = config.taskSpec("moving");
        List<Instance> records = stream().stream().filter(in -> in.task().equals("moving") && in.labelled()).toList();
        dev.metastream.shift.ShiftMonitor direct = new dev.metastream.shift.ShiftMonitor(config.shift().settings(), DIM,
                2, config.seed());
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        // As a store holds a monitor after 200 records, with 50 logged since.
        int stored = 200;
        int logged = 250;
        for (int i = 0; i < logged; i++) {
            Instance in = records.get(i);
            direct.observe(in.x(), 0, ShiftMonitoring.label(spec, in.target()));
            if (i + 1 == stored) {
                store.putShiftMonitor("moving", direct.toBytes());
            } else if (i >= stored) {
                store.putShiftObservation("moving", i - stored,
                        ShiftMonitoring.encode(in.x(), 0, ShiftMonitoring.label(spec, in.target())));
            }
        }
        ShiftMonitoring monitoring = new ShiftMonitoring(config, store, LearnerEvents.NONE);
        float[] predictsClass0 = {1f, 0f};
        java.util.function.IntConsumer observe = i -> {
            Instance in = records.get(i);
            monitoring.observe(in, spec, predictsClass0);
            direct.observe(in.x(), 0, ShiftMonitoring.label(spec, in.target()));
        };
        for (int i = logged; i < logged + 30; i++) {
            observe.accept(i);
        }
        assertThat(store.shiftObservations("moving")).as("rows wait for the flush").hasSize(50);
        monitoring.flush();
        assertThat(store.shiftObservations("moving")).hasSize(80);
        assertThat(new ShiftMonitoring(config, store, LearnerEvents.NONE).read("moving").toBytes())
                .isEqualTo(direct.toBytes());

        byte[] before = store.shiftMonitor("moving");
        for (int i = logged + 30; i < logged + 30 + 25; i++) { // the block's 100th row since the monitor was stored
            observe.accept(i);
        }
        assertThat(store.shiftMonitor("moving")).as("stored whole").isNotEqualTo(before);
        assertThat(store.shiftObservations("moving")).as("its log dropped").isEmpty();
        monitoring.flush();
        assertThat(store.shiftObservations("moving")).as("the 5 rows since").hasSize(5);
        assertThat(new ShiftMonitoring(config, store, LearnerEvents.NONE).read("moving").toBytes())
                .isEqualTo(direct.toBytes());
    }

    /**
     * A flush appends the waiting rows while the log stays smaller than the monitor's stored form, and stores the
     * monitor whole (dropping its log) once the log would be larger; read back at each point, it is the monitor that saw
     * every record.
     */
    @Test
    void aFlushStoresTheMonitorWholeOnceItsLogWouldOutweighIt() {
        Properties p = props();
        p.setProperty("shift.block.size", "1000"); // no block's end in the way: only the flush stores it whole
        p.setProperty("shift.reference.size", "1000");
        LearnerConfig config = LearnerConfig.from(p);
        TaskSpec spec = config.taskSpec("moving");
        List<Instance> records = stream().stream().filter(in -> in.task().equals("moving")).toList();
        dev.metastream.shift.ShiftMonitor direct = new dev.metastream.shift.ShiftMonitor(config.shift().settings(), DIM,
                2, config.seed());
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        // As a store holds a monitor after 300 records.
        int i = 0;
        java.util.function.ToDoubleFunction<Instance> label = in -> in.labelled()
                ? ShiftMonitoring.label(spec, in.target()) : Double.NaN;
        for (; i < 300; i++) {
            direct.observe(records.get(i).x(), 0, label.applyAsDouble(records.get(i)));
        }
        byte[] whole = direct.toBytes();
        store.putShiftMonitor("moving", whole);
        int rowBytes = ShiftMonitoring.encode(records.get(0).x(), 0, 0).length;
        int rowsOutweighing = (whole.length + rowBytes - 1) / rowBytes;
        assertThat(rowsOutweighing).as("rows the monitor's %d bytes are worth", whole.length).isBetween(4, 500);

        ShiftMonitoring monitoring = new ShiftMonitoring(config, store, LearnerEvents.NONE);
        float[] predictsClass0 = {1f, 0f};
        java.util.function.IntConsumer observe = k -> {
            Instance in = records.get(k);
            monitoring.observe(in, spec, predictsClass0);
            direct.observe(in.x(), 0, label.applyAsDouble(in));
        };
        int firstFlush = rowsOutweighing - 2;
        for (int end = i + firstFlush; i < end; i++) {
            observe.accept(i);
        }
        monitoring.flush();
        assertThat(store.shiftMonitor("moving")).as("the log is still the smaller").isEqualTo(whole);
        assertThat(store.shiftObservations("moving")).hasSize(firstFlush);
        assertThat(new ShiftMonitoring(config, store, LearnerEvents.NONE).read("moving").toBytes())
                .isEqualTo(direct.toBytes());

        for (int end = i + 2; i < end; i++) { // the log with these would be as large as the monitor
            observe.accept(i);
        }
        monitoring.flush();
        assertThat(store.shiftObservations("moving")).as("its log dropped").isEmpty();
        assertThat(store.shiftMonitor("moving")).as("stored whole").isEqualTo(direct.toBytes());

        observe.accept(i++);
        monitoring.flush();
        assertThat(store.shiftObservations("moving")).as("the row since").hasSize(1);
        assertThat(new ShiftMonitoring(config, store, LearnerEvents.NONE).read("moving").toBytes())
                .isEqualTo(direct.toBytes());
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
