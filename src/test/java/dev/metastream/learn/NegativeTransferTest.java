package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.data.Scenario;
import dev.metastream.data.SinusoidGenerator;
import dev.metastream.meta.NegativeTransfer;
import dev.metastream.meta.PcGrad;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Negative transfer ({@code meta.transfer}): a task of pure noise interleaved with sinusoid tasks is flagged and the
 * sinusoids are not; the weight reaction shrinks its pull on the trunk; the evidence survives a restart bit for bit.
 */
class NegativeTransferTest {

    private static Properties props(String transfer) {
        Properties p = new Properties();
        p.setProperty("input.dim", "1");
        p.setProperty("task.kind", "regression");
        p.setProperty("model.trunk.layers", "16,16");
        p.setProperty("learner.batch.size", "8");
        p.setProperty("meta.transfer", transfer);
        return p;
    }

    /** Four sinusoid tasks of 300 examples, with the noise task's examples after every 4th of theirs. */
    private static List<Instance> stream() {
        Scenario s = new SinusoidGenerator(4, 300, 0, "noise", 4).generate(7);
        List<Instance> out = new ArrayList<>();
        for (Scenario.Position p : s.trainOrder()) {
            out.add(s.train(p));
        }
        return out;
    }

    private static List<String> family() {
        return List.of("sin-00", "sin-01", "sin-02", "sin-03");
    }

    @Test
    void flagsTheConflictingTaskAndNotTheOthers() {
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props("off")), new InMemoryLearnerStore(),
                "t", LearnerEvents.NONE);
        stream().forEach(learner::observe);
        TaskState conflict = learner.task(SinusoidGenerator.CONFLICT_TASK);
        assertThat(conflict.negativeTransfer()).isTrue();
        assertThat(conflict.transferRatio()).isGreaterThanOrEqualTo(1.0);
        for (String t : family()) {
            assertThat(learner.task(t).negativeTransfer()).as(t).isFalse();
            assertThat(learner.task(t).transferRatio()).as(t).isLessThan(1 - NegativeTransfer.RAMP);
            assertThat(learner.task(t).trunkWeight()).as(t).isEqualTo(1.0);
        }
        // Off reports the evidence but does not react: every task pulls on the trunk with its whole gradient.
        assertThat(conflict.trunkWeight()).isEqualTo(NegativeTransfer.FLOOR);
    }

    @Test
    void metricsRecordsCarryTheEvidenceAndTheWeightInEffect() {
        List<LearnerEvents.TaskMetrics> off = new ArrayList<>();
        List<LearnerEvents.TaskMetrics> weight = new ArrayList<>();
        for (String mode : List.of("off", "weight")) {
            List<LearnerEvents.TaskMetrics> into = mode.equals("off") ? off : weight;
            Properties p = props(mode);
            p.setProperty("metrics.every.examples", "50");
            StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "t",
                    new LearnerEvents() {
                        @Override
                        public void drift(DriftEvent event) {
                        }

                        @Override
                        public void metrics(TaskMetrics m) {
                            into.add(m);
                        }

                        @Override
                        public void taskSnapshot(TaskSnapshot snapshot) {
                        }
                    });
            stream().forEach(learner::observe);
        }
        LearnerEvents.TaskMetrics lastOff = last(off, SinusoidGenerator.CONFLICT_TASK);
        LearnerEvents.TaskMetrics lastWeight = last(weight, SinusoidGenerator.CONFLICT_TASK);
        assertThat(lastOff.negativeTransfer()).isTrue();
        assertThat(lastOff.trunkWeight()).isEqualTo(1.0);
        assertThat(lastWeight.negativeTransfer()).isTrue();
        assertThat(lastWeight.trunkWeight()).isCloseTo(NegativeTransfer.FLOOR, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(last(weight, "sin-03").trunkWeight()).isEqualTo(1.0);
        assertThat(last(weight, "sin-03").negativeTransfer()).isFalse();
    }

    private static LearnerEvents.TaskMetrics last(List<LearnerEvents.TaskMetrics> records, String task) {
        LearnerEvents.TaskMetrics out = null;
        for (LearnerEvents.TaskMetrics m : records) {
            if (m.task().equals(task)) {
                out = m;
            }
        }
        assertThat(out).as(task).isNotNull();
        return out;
    }

    /**
     * From the same stored state, one batch of the conflicting task's examples moves the trunk a tenth as far under
     * the weight reaction as without it (plain SGD, no memory, so the step is the learning rate times the gradient).
     */
    @Test
    void weightReactionShrinksTheConflictingTasksPullOnTheTrunk() {
        Properties base = props("weight");
        base.setProperty("optimizer.momentum", "0");
        base.setProperty("memory.strategy", "none");
        base.setProperty("learner.batch.size", "1000");
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner warm = new StreamingLearner(LearnerConfig.from(base), store, "t", LearnerEvents.NONE);
        List<Instance> data = stream();
        for (Instance in : data) {
            warm.observe(in);
            if (warm.pendingCount() == 8) {
                warm.learnPending(in.timestamp());
            }
        }
        warm.learnPending(0);
        warm.flush();
        assertThat(warm.task(SinusoidGenerator.CONFLICT_TASK).negativeTransfer()).isTrue();
        List<Instance> conflictBatch = new ArrayList<>();
        for (Instance in : data) {
            if (in.task().equals(SinusoidGenerator.CONFLICT_TASK) && conflictBatch.size() < 8) {
                conflictBatch.add(in);
            }
        }
        double[] moved = new double[2];
        int k = 0;
        for (String mode : List.of("off", "weight")) {
            Properties p = (Properties) base.clone();
            p.setProperty("meta.transfer", mode);
            StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), copy(store), "t",
                    LearnerEvents.NONE);
            float[] before = learner.shared().trunk().clone();
            conflictBatch.forEach(learner::observe);
            learner.learnPending(0);
            float[] after = learner.shared().trunk();
            double sq = 0;
            for (int i = 0; i < after.length; i++) {
                sq += (after[i] - before[i]) * (double) (after[i] - before[i]);
            }
            moved[k++] = Math.sqrt(sq);
        }
        assertThat(moved[0]).isGreaterThan(0);
        assertThat(moved[1] / moved[0]).isLessThan(0.15).isGreaterThan(0.05);
    }

    private static InMemoryLearnerStore copy(InMemoryLearnerStore from) {
        InMemoryLearnerStore to = new InMemoryLearnerStore();
        from.forEachTask(to::putTask);
        to.putShared(from.shared());
        return to;
    }

    /** A learner rebuilt from its store mid-stream ends where an uninterrupted one does, under either reaction. */
    @Test
    void resumesFromItsStoreBitForBit() {
        List<Instance> data = stream().subList(0, 700);
        for (String mode : List.of("weight", "pcgrad")) {
            LearnerConfig cfg = LearnerConfig.from(props(mode));
            StreamingLearner straight = new StreamingLearner(cfg, new InMemoryLearnerStore(), "t", LearnerEvents.NONE);
            data.forEach(straight::observe);
            InMemoryLearnerStore store = new InMemoryLearnerStore();
            StreamingLearner restarted = new StreamingLearner(cfg, store, "t", LearnerEvents.NONE);
            for (int i = 0; i < data.size(); i++) {
                if (i % 37 == 0) {
                    restarted.flush(); // as a commit does
                    restarted = new StreamingLearner(cfg, store, "t", LearnerEvents.NONE);
                }
                restarted.observe(data.get(i));
            }
            assertThat(restarted.shared().trunk()).as(mode).containsExactly(straight.shared().trunk());
            for (String t : List.of("sin-00", "sin-01", SinusoidGenerator.CONFLICT_TASK)) {
                TaskState a = restarted.task(t);
                TaskState b = straight.task(t);
                assertThat(a.transferLoss).as(t).containsExactly(b.transferLoss);
                assertThat(a.transferCount).as(t).isEqualTo(b.transferCount).isPositive();
                assertThat(a.trunkWeight()).as(t).isEqualTo(b.trunkWeight());
            }
            TaskState c = straight.task(SinusoidGenerator.CONFLICT_TASK);
            TaskState read = TaskState.fromBytes(c.toBytes());
            assertThat(read.transferLoss).containsExactly(c.transferLoss);
            assertThat(read.transferCount).isEqualTo(c.transferCount);
        }
    }

    @Test
    void offIsTheDefaultAndLeavesTheDigestAlone() {
        Properties p = props("off");
        Properties q = (Properties) p.clone();
        q.remove("meta.transfer");
        assertThat(LearnerConfig.from(q).meta().transfer()).isEqualTo(MetaConfig.Transfer.OFF);
        assertThat(LearnerConfig.from(p).digest()).isEqualTo(LearnerConfig.from(q).digest());
        assertThat(LearnerConfig.from(props("weight")).digest()).isNotEqualTo(LearnerConfig.from(q).digest());
        assertThatThrownBy(() -> LearnerConfig.from(props("wieght")))
                .hasMessageContaining("meta.transfer=wieght").hasMessageContaining("off, weight or pcgrad");
    }

    @Test
    void pcGradRemovesTheConflictingComponentOnly() {
        float[] a = {1, 0};
        float[] b = {-1, 1};
        float[] c = {0, 1};
        // a and b conflict (a.b = -1): a loses its part along b, b its part along a.
        float[] g = PcGrad.combine(List.of(a, b), 1);
        assertThat(g[0]).isCloseTo(0.5f - 0f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(g[1]).isCloseTo(0.5f + 1f, org.assertj.core.data.Offset.offset(1e-6f));
        // No conflict: the plain sum.
        assertThat(PcGrad.combine(List.of(a, c), 1)).containsExactly(1f, 1f);
    }
}
