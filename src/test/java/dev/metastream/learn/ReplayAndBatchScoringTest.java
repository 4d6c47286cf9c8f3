package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayAndBatchScoringTest {
    private static LearnerConfig config(String memory) {
        Properties p = new Properties();
        p.setProperty("input.dim", "6");
        p.setProperty("task.classes", "2");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "8");
        p.setProperty("memory.strategy", memory);
        p.setProperty("meta.enabled", "false");
        return LearnerConfig.from(p);
    }

    private static List<Instance> examples(String task, int n, long seed) {
        Random rnd = new Random(seed);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[6];
            for (int j = 0; j < 6; j++) {
                x[j] = (float) rnd.nextGaussian();
            }
            float[] t = new float[2];
            t[x[0] > 0 ? 1 : 0] = 1f;
            out.add(new Instance(task, x, t, null, i));
        }
        return out;
    }

    @Test
    void replayMovesTheHeadsOfTasksWhoseMemoriesItReplays() {
        for (String memory : new String[] {"agem", "replay"}) {
            StreamingLearner l = new StreamingLearner(config(memory), new InMemoryLearnerStore(), "t",
                    LearnerEvents.NONE);
            examples("a", 64, 1).forEach(l::observe);
            float[] headA = l.task("a").head.clone();
            long updatesA = l.task("a").updates;
            examples("b", 64, 2).forEach(l::observe);
            boolean moved = !java.util.Arrays.equals(headA, l.task("a").head);
            // Only replay steps task a's head while task b learns; its counters say it learned nothing new.
            assertThat(moved).as(memory).isEqualTo(memory.equals("replay"));
            assertThat(l.task("a").updates).isEqualTo(updatesA);
        }
    }

    @Test
    void batchScoringMatchesSingleScoringAndChangesNothing() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner l = new StreamingLearner(config("agem"), store, "t", LearnerEvents.NONE);
        examples("a", 40, 3).forEach(l::observe);
        l.flush();
        List<Instance> test = new ArrayList<>(examples("a", 30, 4));
        test.addAll(examples("new-task", 5, 5));
        byte[] before = store.shared().toBytes();
        float[][] batch = l.scoreBatch(test);
        for (int i = 0; i < test.size(); i++) {
            float[] single = l.score(test.get(i)).output();
            for (int c = 0; c < single.length; c++) {
                assertThat(batch[i][c]).isCloseTo(single[c], within(1e-5f));
            }
        }
        l.flush();
        assertThat(store.shared().toBytes()).isEqualTo(before);
        assertThat(l.task("new-task")).isNull();
        assertThat(l.pendingCount()).isZero();
    }
}
