package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.learn.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --transform ways:N} on small synthetic pools whose examples tell their class by their id. */
class WaysTransformTest {

    /**
     * An image set of {@code n} 2x2 images with labels {@code i % classes}, training and t10k files alike; image i's
     * first pixel is i (so its features say which source example it is).
     */
    private static Path pool(Path dir, int n, int classes) throws IOException {
        Files.createDirectories(dir);
        for (String prefix : new String[] {"train", "t10k"}) {
            byte[] px = new byte[n * 4];
            byte[] lab = new byte[n];
            for (int i = 0; i < n; i++) {
                px[i * 4] = (byte) i;
                lab[i] = (byte) (i % classes);
            }
            Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), IdxSourceTest.images(n, 2, 2, px));
            Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), IdxSourceTest.labels(lab));
        }
        return dir;
    }

    private static ScenarioSpec spec(String source, String transform, int train, int test, long seed, int tasks) {
        return new ScenarioSpec(source, transform, train, test, "natural", seed, 0, tasks, null, null, null, null);
    }

    /** The source class of an example of {@link #pool}: its index (from the id) modulo the classes. */
    private static int sourceClass(Instance in, int classes) {
        String id = in.id();
        return Integer.parseInt(id.substring(id.indexOf('-') + 1)) % classes;
    }

    @Test
    void eachTaskDrawsNClassesRelabelledZeroToNMinusOneEvenly(@TempDir Path tmp) throws IOException {
        Path dir = pool(tmp.resolve("m"), 200, 10);
        Scenario s = Scenarios.build(spec("idx:" + dir, "ways:3", 9, 6, 5, 40));
        assertThat(s.tasks()).hasSize(40);
        assertThat(s.tasks().get(0).task()).isEqualTo("ways-00");
        assertThat(s.name()).isEqualTo("idx:" + dir + " + ways:3");
        assertThat(s.learnerConfig()).containsEntry("task.classes", "3").containsEntry("task.kind", "classification");
        Set<String> mappings = new HashSet<>();
        for (Scenario.TaskData t : s.tasks()) {
            assertThat(t.train()).hasSize(9);
            assertThat(t.test()).hasSize(6);
            // Label k is one source class throughout the task, train and test alike, and each label has its share.
            Map<Integer, Integer> classOfLabel = new HashMap<>();
            int[] perLabel = new int[3];
            Set<String> ids = new HashSet<>();
            for (Instance in : t.train()) {
                assertThat(in.target()).hasSize(3);
                int label = TransformsTest.argmax(in.target());
                perLabel[label]++;
                assertThat(classOfLabel.computeIfAbsent(label, k -> sourceClass(in, 10)))
                        .isEqualTo(sourceClass(in, 10));
                assertThat(ids.add(in.id())).as("drawn without replacement").isTrue();
                assertThat(in.task()).isEqualTo(t.task());
            }
            assertThat(perLabel).containsExactly(3, 3, 3);
            assertThat(new HashSet<>(classOfLabel.values())).hasSize(3);
            for (Instance in : t.test()) {
                assertThat(in.id()).startsWith("t10k-");
                assertThat(classOfLabel.get(TransformsTest.argmax(in.target()))).isEqualTo(sourceClass(in, 10));
            }
            mappings.add(classOfLabel.toString());
        }
        // The labels are permuted per task: many different class-to-label maps over 40 tasks.
        assertThat(mappings.size()).isGreaterThan(20);
    }

    @Test
    void unevenCountsGiveTheFirstClassesOneMoreAndTheClassesInterleave(@TempDir Path tmp) throws IOException {
        Path dir = pool(tmp.resolve("m"), 100, 5);
        Scenario s = Scenarios.build(spec("idx:" + dir, "ways:4", 10, 0, 1, 30));
        boolean interleaved = false;
        for (Scenario.TaskData t : s.tasks()) {
            int[] perLabel = new int[4];
            t.train().forEach(in -> perLabel[TransformsTest.argmax(in.target())]++);
            assertThat(perLabel).containsExactly(3, 3, 2, 2);
            assertThat(t.test()).isEmpty();
            List<Instance> tr = t.train();
            // Not all of one label, then the next: the stream is shuffled.
            for (int i = 1; i < tr.size(); i++) {
                interleaved |= TransformsTest.argmax(tr.get(i).target()) < TransformsTest.argmax(tr.get(i - 1).target());
            }
        }
        assertThat(interleaved).isTrue();
    }

    @Test
    void trainingExamplesComeInRoundsOfOneOfEachClassSoAShotIsOneOfEach(@TempDir Path tmp) throws IOException {
        Path dir = pool(tmp.resolve("m"), 200, 10);
        Scenario s = Scenarios.build(spec("idx:" + dir, "ways:5", 15, 5, 3, 20));
        assertThat(s.shotSize()).as("examples per shot of a 5-way task").isEqualTo(5);
        Set<String> firstRounds = new HashSet<>();
        for (Scenario.TaskData t : s.tasks()) {
            List<Instance> tr = t.train();
            for (int round = 0; round < 3; round++) {
                Set<Integer> labels = new HashSet<>();
                StringBuilder order = new StringBuilder();
                for (Instance in : tr.subList(round * 5, round * 5 + 5)) {
                    labels.add(TransformsTest.argmax(in.target()));
                    order.append(TransformsTest.argmax(in.target()));
                }
                assertThat(labels).as("round %d of %s", round, t.task()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
                if (round == 0) {
                    firstRounds.add(order.toString());
                }
            }
        }
        // The order within a round is random, not label order.
        assertThat(firstRounds.size()).isGreaterThan(10);
        assertThat(Scenarios.build(spec("idx:" + dir, "permute:2", 10, 5, 3, 0)).shotSize()).isEqualTo(1);
    }

    @Test
    void seededAndDefaultsToAThousandTasksOfTwentyShots(@TempDir Path tmp) throws IOException {
        Path dir = pool(tmp.resolve("m"), 120, 3);
        String a = TransformsTest.fingerprint(Scenarios.build(spec("idx:" + dir, "ways:2", 4, 2, 3, 5)));
        assertThat(TransformsTest.fingerprint(Scenarios.build(spec("idx:" + dir, "ways:2", 4, 2, 3, 5)))).isEqualTo(a);
        assertThat(TransformsTest.fingerprint(Scenarios.build(spec("idx:" + dir, "ways:2", 4, 2, 4, 5))))
                .isNotEqualTo(a);
        Scenario d = Scenarios.build(spec("idx:" + dir, "ways:2", 0, 0, 3, 0));
        assertThat(d.tasks()).hasSize(WaysTransform.DEFAULT_TASKS);
        assertThat(d.tasks().get(999).task()).isEqualTo("ways-999");
        assertThat(d.tasks().get(0).train()).hasSize(2 * WaysTransform.DEFAULT_SHOTS);
    }

    @Test
    void tasksShareTheFeatureArraysOfTheSourceExamplesTheyReuse(@TempDir Path tmp) throws IOException {
        Path dir = pool(tmp.resolve("m"), 20, 2);
        Scenario s = Scenarios.build(spec("idx:" + dir, "ways:2", 20, 0, 1, 3));
        Map<String, float[]> byId = new HashMap<>();
        for (Scenario.TaskData t : s.tasks()) {
            for (Instance in : t.train()) {
                // 20 of 20 examples per task: every task holds every example, as one array.
                assertThat(byId.computeIfAbsent(in.id(), k -> in.x())).isSameAs(in.x());
            }
        }
        assertThat(byId).hasSize(20);
        assertThat(byId.get("train-7")[0]).isEqualTo(7 / 255f);
    }

    @Test
    void withoutAHeldOutPoolEachClassKeepsItsTailForTests(@TempDir Path tmp) throws IOException {
        // 60 rows, classes 0..2 in turn: each class's last 2 rows (ceil(4 / 3)) are held out.
        StringBuilder csv = new StringBuilder("v,y\n");
        for (int i = 0; i < 60; i++) {
            csv.append(i).append(',').append(i % 3).append('\n');
        }
        Path f = tmp.resolve("three.csv");
        Files.writeString(f, csv);
        Scenario s = Scenarios.build(spec("csv:" + f, "ways:2", 6, 4, 2, 25));
        Set<Float> heldOut = Set.of(54f, 55f, 56f, 57f, 58f, 59f);
        for (Scenario.TaskData t : s.tasks()) {
            assertThat(t.test()).hasSize(4);
            t.test().forEach(in -> assertThat(heldOut).contains(in.x()[0]));
            t.train().forEach(in -> assertThat(heldOut).doesNotContain(in.x()[0]));
        }
    }

    @Test
    void badValuesNameWhatToChange(@TempDir Path tmp) throws IOException {
        Path dir = pool(tmp.resolve("m"), 30, 3);
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "ways:1", 2, 0, 1, 2)))
                .hasMessageStartingWith("--transform ways:1: N must be between 2 and the source's 3 classes");
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "ways:4", 2, 0, 1, 2)))
                .hasMessageStartingWith("--transform ways:4: N must be between 2");
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "ways:x", 2, 0, 1, 2)))
                .hasMessageContaining("ways:N (N-way tasks)");
        // 10 examples per class in the pool; 22 over 2 classes asks 11 of one.
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "ways:2", 22, 0, 1, 2)))
                .hasMessageStartingWith("--train-per-task 22 asks 11 examples of class")
                .hasMessageEndingWith("lower --train-per-task");
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "ways:2", 2, 0, 1, -1)))
                .hasMessageStartingWith("--tasks -1 is negative");
        assertThatThrownBy(() -> Scenarios.build(spec("sinusoid", "ways:2", 5, 0, 1, 3)))
                .hasMessageContaining("needs a classification source");
    }
}
