package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small scenarios built by hand for the evaluation tests. */
final class TestScenarios {
    private TestScenarios() {}

    /**
     * Binary-as-two-class tasks on Gaussian inputs: task k's label is the sign of {@code x[k % dim]}, flipped on odd
     * tasks when {@code conflicting} (so one shared head cannot serve two consecutive tasks).
     */
    static Scenario linear(int tasks, int train, int test, int dim, long seed, boolean conflicting) {
        Random rnd = new Random(seed);
        List<Scenario.TaskData> data = new ArrayList<>();
        for (int k = 0; k < tasks; k++) {
            String id = "task-" + k;
            int feature = conflicting ? 0 : k % dim;
            boolean flip = conflicting && k % 2 == 1;
            data.add(new Scenario.TaskData(id, examples(rnd, id, train, dim, feature, flip, "train"),
                    examples(rnd, id, test, dim, feature, flip, "test")));
        }
        return new Scenario("test:linear", Map.of("input.dim", String.valueOf(dim), "task.classes", "2"), data,
                List.of());
    }

    static List<Instance> examples(Random rnd, String task, int n, int dim, int feature, boolean flip, String kind) {
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[dim];
            for (int j = 0; j < dim; j++) {
                x[j] = (float) rnd.nextGaussian();
            }
            int y = (x[feature] > 0) ^ flip ? 1 : 0;
            float[] t = new float[2];
            t[y] = 1f;
            out.add(new Instance(task, x, t, kind + "-" + task + "-" + i, 0));
        }
        return out;
    }
}
