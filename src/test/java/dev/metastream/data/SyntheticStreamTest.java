package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.SyntheticStream.Config;
import dev.metastream.data.SyntheticStream.Example;
import org.junit.jupiter.api.Test;

class SyntheticStreamTest {

    private static List<Example> take(SyntheticStream s, int n) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.next());
        }
        return out;
    }

    private static float[] gaussian(Random r, int dim) {
        float[] x = new float[dim];
        for (int i = 0; i < dim; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void sameSeedSameStreamDifferentSeedDifferentStream() {
        Config c = Config.defaults().withSeed(7).withDriftAt(300).withNewTaskAt(500);
        List<Example> a = take(new SyntheticStream(c), 1000);
        List<Example> b = take(new SyntheticStream(c), 1000);
        List<Example> other = take(new SyntheticStream(c.withSeed(8)), 1000);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(other);
        assertThat(a.get(0).x()).hasSize(20);
        assertThat(a).extracting(Example::index).startsWith(0L, 1L, 2L);
        assertThat(new HashSet<>(a.stream().map(Example::id).toList())).hasSize(1000);
    }

    @Test
    void everyTaskHasBalancedEnoughClasses() {
        for (long seed : new long[] {1, 2, 3, 42}) {
            SyntheticStream s = new SyntheticStream(Config.defaults().withSeed(seed));
            Map<String, int[]> counts = new HashMap<>();
            for (Example e : take(s, 10_000)) {
                assertThat(e.y()).isBetween(0, 2);
                counts.computeIfAbsent(e.task(), t -> new int[3])[e.y()]++;
            }
            assertThat(counts.keySet()).containsExactlyInAnyOrder("task-0", "task-1", "task-2", "task-3", "task-4");
            counts.forEach((task, c) -> {
                int total = c[0] + c[1] + c[2];
                assertThat(total).as("task share of %s", task).isBetween(1_600, 2_400);
                for (int k = 0; k < 3; k++) {
                    assertThat((double) c[k] / total).as("seed %d %s class %d", seed, task, k).isGreaterThan(0.10);
                }
            });
        }
    }

    @Test
    void relatedTasksAgreeMoreThanUnrelatedOnes() {
        Random r = new Random(5);
        SyntheticStream related = new SyntheticStream(Config.defaults().withRelatedness(0.8));
        SyntheticStream unrelated = new SyntheticStream(Config.defaults().withRelatedness(0.0));
        int sameRelated = 0;
        int sameUnrelated = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            float[] x = gaussian(r, 20);
            sameRelated += related.labelOf("task-0", x, 0) == related.labelOf("task-1", x, 0) ? 1 : 0;
            sameUnrelated += unrelated.labelOf("task-0", x, 0) == unrelated.labelOf("task-1", x, 0) ? 1 : 0;
        }
        assertThat((double) sameRelated / n).isGreaterThan(0.6).isGreaterThan((double) sameUnrelated / n);
    }

    @Test
    void driftChangesOnlyTheDriftingTaskAbruptly() {
        long driftAt = 2_000;
        SyntheticStream s = new SyntheticStream(Config.defaults().withSeed(11).withDriftAt(driftAt)
                .withDriftTask("task-2"));
        Random r = new Random(9);
        int agree = 0;
        int n = 4000;
        for (int i = 0; i < n; i++) {
            float[] x = gaussian(r, 20);
            if (s.labelOf("task-2", x, driftAt - 1) == s.labelOf("task-2", x, driftAt)) {
                agree++;
            }
            assertThat(s.labelOf("task-1", x, driftAt - 1)).isEqualTo(s.labelOf("task-1", x, driftAt));
            assertThat(s.labelOf("task-2", x, 0)).isEqualTo(s.labelOf("task-2", x, driftAt - 1));
        }
        assertThat((double) agree / n).isLessThan(0.7);

        // The emitted labels follow the concept in effect at their index.
        for (Example e : take(s, 3_000)) {
            assertThat(e.y()).isEqualTo(s.labelOf(e.task(), e.x(), e.index()));
        }
        // The drifted concept is still non-degenerate.
        int[] counts = new int[3];
        for (int i = 0; i < 3000; i++) {
            counts[s.labelOf("task-2", gaussian(r, 20), driftAt)]++;
        }
        for (int c : counts) {
            assertThat(c).isGreaterThan(300);
        }
    }

    @Test
    void newTaskAppearsAtItsIndex() {
        SyntheticStream s = new SyntheticStream(Config.defaults().withTasks(3).withNewTaskAt(1_000));
        Set<String> before = new HashSet<>();
        Set<String> after = new HashSet<>();
        for (Example e : take(s, 3_000)) {
            (e.index() < 1_000 ? before : after).add(e.task());
        }
        assertThat(before).containsExactlyInAnyOrder("task-0", "task-1", "task-2");
        assertThat(after).containsExactlyInAnyOrder("task-0", "task-1", "task-2", "task-3");
        assertThat(s.activeTasks(999)).hasSize(3);
        assertThat(s.activeTasks(1000)).hasSize(4);
    }

    @Test
    void toJsonWritesTheInputFormat() throws Exception {
        SyntheticStream s = new SyntheticStream(Config.defaults().withInputDim(4));
        Example e = s.next();
        String json = SyntheticStream.toJson(e);
        assertThat(json).startsWith("{\"task\":\"" + e.task() + "\",\"x\":[");
        JsonNode node = new ObjectMapper().readTree(json);
        assertThat(node.get("task").asText()).isEqualTo(e.task());
        assertThat(node.get("y").asInt()).isEqualTo(e.y());
        assertThat(node.get("id").asText()).isEqualTo(e.id());
        assertThat(node.get("x")).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(node.get("x").get(i).floatValue()).isEqualTo(e.x()[i]);
        }
    }

    @Test
    void rejectsBadConfigs() {
        assertThatThrownBy(() -> Config.defaults().withClasses(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Config.defaults().withRelatedness(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Config.defaults().withDriftAt(10).withDriftTask("task-9"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyntheticStream(Config.defaults()).labelOf("nope", new float[20], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
