package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.baselines.DampedBias;
import dev.metastream.baselines.Mean;
import dev.metastream.learn.Instance;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecommendationGeneratorTest {

    private static Scenario build(String source, int train, int test, long seed) {
        return Scenarios.build(ScenarioSpec.of(source, train, test, seed));
    }

    @Test
    void usersAreInterleavedTasksThatKeepArriving() {
        Scenario s = build("recsys:users=30,items=50", 20, 3, 7);
        assertThat(s.name()).isEqualTo("recsys:users=30,items=50");
        assertThat(s.learnerConfig()).containsEntry("input.dim", "1024").containsEntry("task.kind", "regression");
        assertThat(s.tasks()).hasSize(30);
        s.tasks().forEach(t -> {
            assertThat(t.train()).hasSize(20);
            assertThat(t.test()).hasSize(3);
            assertThat(s.items().get(t.task())).hasSize(20);
        });
        assertThat(s.interleaved()).isTrue();
        List<Scenario.Position> order = s.order();
        assertThat(order).hasSize(600);
        // timestamps follow the stream
        for (int k = 0; k < order.size(); k++) {
            Scenario.Position p = order.get(k);
            assertThat(s.tasks().get(p.task()).train().get(p.index()).timestamp()).isEqualTo(k);
        }
        // users interleave: some task comes back after another task's example
        Map<Integer, Integer> first = new HashMap<>();
        Set<Integer> returned = new HashSet<>();
        for (int k = 0; k < order.size(); k++) {
            int t = order.get(k).task();
            first.putIfAbsent(t, k);
            if (k > 0 && order.get(k - 1).task() != t && first.get(t) < k) {
                returned.add(t);
            }
        }
        assertThat(returned).hasSizeGreaterThan(20);
        // new users keep arriving: the last one's first event is in the second half of the stream
        assertThat(first.values().stream().mapToInt(Integer::intValue).max().getAsInt()).isGreaterThan(300);
        // users are named by arrival
        String firstUser = s.tasks().get(order.get(0).task()).task();
        assertThat(firstUser).isEqualTo("user-0000");
    }

    @Test
    void ratingsAreWholeStarsAndInputsAreTheItemsHashedFeatures() {
        Scenario s = build("recsys:users=20,items=40,genres=5", 30, 0, 3);
        int checked = 0;
        for (Scenario.TaskData t : s.tasks()) {
            for (int i = 0; i < t.train().size(); i++) {
                Instance in = t.train().get(i);
                float r = in.target()[0];
                assertThat(r).isBetween(1f, 5f);
                assertThat(r).isEqualTo((float) Math.rint(r));
                if (checked++ < 50) {
                    assertThat(matchesSomeGenres(in.x(), s.items().get(t.task()).get(i), 5)).isTrue();
                }
            }
        }
    }

    /** Whether x is exactly item=key plus 1 to 3 distinct genre features, hashed as the parser does. */
    static boolean matchesSomeGenres(float[] x, String key, int genres) {
        for (int mask = 1; mask < 1 << genres; mask++) {
            if (Integer.bitCount(mask) > 3) {
                continue;
            }
            float[] e = new float[x.length];
            RecommendationGenerator.add(e, "item=" + key);
            for (int g = 0; g < genres; g++) {
                if ((mask & 1 << g) != 0) {
                    RecommendationGenerator.add(e, "genre=" + RecommendationGenerator.genreName(g));
                }
            }
            if (Arrays.equals(e, x)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void hashingIsTheParsersSignedMurmur() {
        float[] x = new float[16];
        RecommendationGenerator.add(x, "item=7");
        int h = FeatureHashing.murmur3("item=7");
        float[] expected = new float[16];
        expected[Math.floorMod(h, 16)] = h < 0 ? -1f : 1f;
        assertThat(x).containsExactly(expected);
    }

    @Test
    void popularityIsLongTailedAndBiasesArePredictive() {
        Scenario s = build("recsys:users=100,items=200,drift=0", 40, 0, 11);
        Map<String, Integer> counts = new HashMap<>();
        s.items().values().forEach(l -> l.forEach(k -> counts.merge(k, 1, Integer::sum)));
        // Zipf 1 over 200 items: item 0 has 1/H(200) = 17% of the events, items 100..199 together 12%
        int head = counts.getOrDefault("0", 0);
        int tail = 0;
        for (int i = 100; i < 200; i++) {
            tail += counts.getOrDefault(Integer.toString(i), 0);
        }
        assertThat(head).isGreaterThan(tail);
        // user and item biases are in the data: Koren's damped baseline beats the global mean, test-then-train
        DampedBias bias = new DampedBias();
        Mean mean = new Mean(false);
        double eBias = 0;
        double eMean = 0;
        double sum = 0;
        for (Scenario.Position p : s.trainOrder()) {
            Instance in = s.tasks().get(p.task()).train().get(p.index());
            String item = s.item(p.task(), p.index());
            double y = in.target()[0];
            eBias += Math.pow(bias.predictOne(in, item)[0] - y, 2);
            eMean += Math.pow(mean.predictOne(in, item)[0] - y, 2);
            bias.learnOne(in, item);
            mean.learnOne(in, item);
            sum += y;
        }
        assertThat(eBias).isLessThan(0.9 * eMean);
        assertThat(sum / 4000).isBetween(3.0, 4.0);
    }

    @Test
    void driftRedrawsAShareOfUsersInTheMiddleOfTheirEvents() {
        Scenario all = build("recsys:users=25,drift=1", 40, 0, 5);
        assertThat(all.changePoints()).hasSize(25);
        for (Scenario.ChangePoint c : all.changePoints()) {
            assertThat(c.position()).isBetween(10L, 29L);
            assertThat(c.width()).isEqualTo(1);
        }
        assertThat(build("recsys:users=25,drift=0", 40, 0, 5).changePoints()).isEmpty();
    }

    @Test
    void clicksAreBinaryAndTheStreamIsSeeded() {
        Scenario c = build("recsys:users=10,kind=clicks", 50, 0, 2);
        assertThat(c.learnerConfig()).containsEntry("task.kind", "binary");
        Set<Float> values = new HashSet<>();
        c.tasks().forEach(t -> t.train().forEach(in -> values.add(in.target()[0])));
        assertThat(values).containsExactlyInAnyOrder(0f, 1f);

        Scenario a = build("recsys:users=10", 10, 0, 4);
        Scenario b = build("recsys:users=10", 10, 0, 4);
        Scenario d = build("recsys:users=10", 10, 0, 5);
        assertThat(a.order()).isEqualTo(b.order());
        assertThat(a.items()).isEqualTo(b.items());
        assertThat(a.items()).isNotEqualTo(d.items());
        assertThatThrownBy(() -> build("recsys:nosuch=1", 10, 0, 1)).hasMessageContaining("unknown parameter 'nosuch'");
        assertThatThrownBy(() -> build("recsys:kind=stars", 10, 0, 1)).hasMessageContaining("kind=stars");
    }
}
