package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.learn.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransformsTest {

    /** A tiny image set where every pixel is distinct: image i, pixel j = (i * 9 + j) mod 251. */
    private static Path distinctPixels(Path dir, int n, int side, int classes) throws IOException {
        Files.createDirectories(dir);
        for (String prefix : new String[] {"train", "t10k"}) {
            byte[] px = new byte[n * side * side];
            byte[] lab = new byte[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < side * side; j++) {
                    px[i * side * side + j] = (byte) ((i * side * side + j) % 251);
                }
                lab[i] = (byte) (i % classes);
            }
            Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), IdxSourceTest.images(n, side, side, px));
            Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), IdxSourceTest.labels(lab));
        }
        return dir;
    }

    private static ScenarioSpec spec(String source, String transform, int train, int test, String order, long seed) {
        return new ScenarioSpec(source, transform, train, test, order, seed, 0, 0, null, null, null, null);
    }

    @Test
    void permutationsAreTruePermutationsThatDifferPerTask() {
        int[] a = PermuteTransform.permutation(50, 7, 0);
        int[] b = PermuteTransform.permutation(50, 7, 1);
        assertThat(Arrays.stream(a).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 50).toArray());
        assertThat(Arrays.stream(b).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 50).toArray());
        assertThat(a).isNotEqualTo(b);
        assertThat(a).isEqualTo(PermuteTransform.permutation(50, 7, 0));
        assertThat(a).isNotEqualTo(PermuteTransform.permutation(50, 8, 0));
    }

    @Test
    void permuteTasksPermuteTheDrawnImagesAndKeepLabels(@TempDir Path tmp) throws IOException {
        Path dir = distinctPixels(tmp.resolve("m"), 12, 3, 3);
        Scenario s = Scenarios.build(spec("idx:" + dir, "permute:3", 5, 4, "natural", 11));
        assertThat(s.tasks()).extracting(Scenario.TaskData::task).containsExactly("perm-00", "perm-01", "perm-02");
        assertThat(s.name()).isEqualTo("idx:" + dir + " + permute:3");
        Set<String> signatures = new HashSet<>();
        for (int t = 0; t < 3; t++) {
            Scenario.TaskData task = s.tasks().get(t);
            assertThat(task.train()).hasSize(5);
            assertThat(task.test()).hasSize(4);
            int[] perm = PermuteTransform.permutation(9, 11, t);
            Set<String> ids = new HashSet<>();
            for (Instance in : task.train()) {
                assertThat(ids.add(in.id())).as("drawn without replacement").isTrue();
                int i = Integer.parseInt(in.id().substring("train-".length()));
                float[] original = new float[9];
                for (int j = 0; j < 9; j++) {
                    original[j] = ((i * 9 + j) % 251) / 255f;
                }
                assertThat(in.x()).isEqualTo(PermuteTransform.apply(original, perm));
                assertThat(in.target()[i % 3]).isEqualTo(1f);
                assertThat(in.task()).isEqualTo(task.task());
            }
            for (Instance in : task.test()) {
                assertThat(in.id()).startsWith("t10k-");
            }
            signatures.add(Arrays.toString(perm));
        }
        assertThat(signatures).hasSize(3);
    }

    @Test
    void rotateBy90MatchesTheHandTurnedImage() {
        float[] img = {
            1, 2, 3,
            4, 5, 6,
            7, 8, 9};
        // counter-clockwise: the right column becomes the top row
        float[] expected = {
            3, 6, 9,
            2, 5, 8,
            1, 4, 7};
        float[] turned = RotateTransform.rotate(img, 3, 3, 90);
        for (int i = 0; i < 9; i++) {
            assertThat(turned[i]).as("pixel %d", i).isCloseTo(expected[i], within(1e-5f));
        }
        assertThat(RotateTransform.rotate(img, 3, 3, 0)).isEqualTo(img);
        float[] half = RotateTransform.rotate(img, 3, 3, 180);
        for (int i = 0; i < 9; i++) {
            assertThat(half[i]).isCloseTo(img[8 - i], within(1e-5f));
        }
    }

    @Test
    void rotateInterpolatesAndZeroFills() {
        // A 2x2 image turned 45 degrees: the centre (0.5, 0.5) is fixed; corners sample outside partly (zero fill).
        float[] img = {1, 1, 1, 1};
        float[] turned = RotateTransform.rotate(img, 2, 2, 45);
        for (float v : turned) {
            assertThat(v).isBetween(0f, 1f).isLessThan(1f); // part of each corner's bilinear support is outside
        }
        // A 4x4 with one bright pixel keeps its mass roughly (bilinear weights sum to 1 inside the image).
        float[] dot = new float[16];
        dot[5] = 1;
        float sum = 0;
        for (float v : RotateTransform.rotate(dot, 4, 4, 30)) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1f, within(0.35f));
    }

    @Test
    void rotateTasksUseFixedAnglesOverHalfATurn(@TempDir Path tmp) throws IOException {
        Path dir = distinctPixels(tmp.resolve("m"), 8, 3, 2);
        Scenario s = Scenarios.build(spec("idx:" + dir, "rotate:2", 3, 2, "natural", 5));
        assertThat(s.tasks()).extracting(Scenario.TaskData::task).containsExactly("rot-00", "rot-01");
        assertThat(RotateTransform.angle(1, 2)).isEqualTo(90.0);
        Instance in = s.tasks().get(1).train().get(0);
        int i = Integer.parseInt(in.id().substring("train-".length()));
        float[] original = new float[9];
        for (int j = 0; j < 9; j++) {
            original[j] = ((i * 9 + j) % 251) / 255f;
        }
        float[] expected = RotateTransform.rotate(original, 3, 3, 90);
        assertThat(in.x()).isEqualTo(expected);
        assertThat(in.x()[0]).isCloseTo(original[2], within(1e-6f));
        // task 0 is angle 0: the image itself
        Instance first = s.tasks().get(0).train().get(0);
        int i0 = Integer.parseInt(first.id().substring("train-".length()));
        assertThat(first.x()[4]).isEqualTo(((i0 * 9 + 4) % 251) / 255f);
    }

    @Test
    void splitCoversEveryClassOnceAndKeepsOriginalLabels(@TempDir Path tmp) throws IOException {
        Path dir = distinctPixels(tmp.resolve("m"), 30, 2, 5);
        Scenario s = Scenarios.build(spec("idx:" + dir, "split:2", 0, 2, "natural", 3));
        assertThat(s.tasks()).extracting(Scenario.TaskData::task).containsExactly("split-0-1", "split-2-3", "split-4");
        assertThat(s.learnerConfig()).containsEntry("task.classes", "5");
        Set<Integer> covered = new TreeSet<>();
        int total = 0;
        for (Scenario.TaskData t : s.tasks()) {
            Set<Integer> classes = new TreeSet<>();
            for (Instance in : t.train()) {
                classes.add(argmax(in.target()));
            }
            for (Instance in : t.test()) {
                assertThat(t.task()).contains("-" + argmax(in.target()));
            }
            for (int c : classes) {
                assertThat(t.task()).contains("-" + c);
                assertThat(covered.add(c)).as("class %d in one task only", c).isTrue();
            }
            total += t.train().size();
            assertThat(t.test()).hasSize(2);
        }
        assertThat(covered).containsExactly(0, 1, 2, 3, 4);
        assertThat(total).as("trainPerTask 0 = every example of the task's classes").isEqualTo(30);
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "split:5", 0, 0, "natural", 3)))
                .hasMessageContaining("--transform split:5");
    }

    @Test
    void sameSeedSameScenarioDifferentSeedDifferent(@TempDir Path tmp) throws IOException {
        Path dir = distinctPixels(tmp.resolve("m"), 40, 3, 4);
        Scenario a = Scenarios.build(spec("idx:" + dir, "permute:2", 10, 3, "natural", 1));
        Scenario b = Scenarios.build(spec("idx:" + dir, "permute:2", 10, 3, "natural", 1));
        Scenario c = Scenarios.build(spec("idx:" + dir, "permute:2", 10, 3, "natural", 2));
        assertThat(fingerprint(a)).isEqualTo(fingerprint(b));
        assertThat(fingerprint(a)).isNotEqualTo(fingerprint(c));
    }

    @Test
    void taskOrderNaturalRandomAndExplicit(@TempDir Path tmp) throws IOException {
        Path dir = distinctPixels(tmp.resolve("m"), 10, 2, 2);
        List<String> natural = ids(Scenarios.build(spec("idx:" + dir, "permute:8", 2, 0, "natural", 1)));
        assertThat(natural).containsExactly("perm-00", "perm-01", "perm-02", "perm-03", "perm-04", "perm-05",
                "perm-06", "perm-07");
        List<String> random = ids(Scenarios.build(spec("idx:" + dir, "permute:8", 2, 0, "random", 1)));
        assertThat(random).containsExactlyInAnyOrderElementsOf(natural).isNotEqualTo(natural);
        assertThat(ids(Scenarios.build(spec("idx:" + dir, "permute:8", 2, 0, "random", 1)))).isEqualTo(random);
        assertThat(ids(Scenarios.build(spec("idx:" + dir, "permute:8", 2, 0, "perm-03, perm-01", 1))))
                .containsExactly("perm-03", "perm-01");
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "permute:8", 2, 0, "perm-09", 1)))
                .hasMessageStartingWith("--task-order: no task 'perm-09'");
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "permute:8", 2, 0, "perm-01,perm-01", 1)))
                .hasMessageContaining("twice");
    }

    @Test
    void badTransformsAndOversizedDrawsNameTheFlag(@TempDir Path tmp) throws IOException {
        Path dir = distinctPixels(tmp.resolve("m"), 10, 2, 2);
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "shuffle:3", 2, 0, "natural", 1)))
                .hasMessageStartingWith("--transform shuffle:3 is not a transform");
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "permute:x", 2, 0, "natural", 1)))
                .hasMessageStartingWith("--transform permute:x");
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "permute:2", 11, 0, "natural", 1)))
                .hasMessageStartingWith("--train-per-task 11 but the training pool of task perm-00 has only 10");
        assertThatThrownBy(() -> Scenarios.build(spec("idx:" + dir, "permute:2", 2, 11, "natural", 1)))
                .hasMessageStartingWith("--test-per-task 11");
        assertThatThrownBy(() -> Scenarios.build(spec("sea", "rotate:2", 100, 0, "natural", 1)))
                .hasMessageContaining("needs images");
    }

    @Test
    void permuteAppliesToGeneratorsToo() {
        Scenario s = Scenarios.build(spec("stagger", "permute:2", 50, 10, "natural", 1));
        assertThat(s.tasks()).hasSize(2);
        assertThat(s.tasks().get(0).train()).hasSize(50);
        assertThat(s.tasks().get(0).test()).hasSize(10);
        for (Instance in : s.tasks().get(1).train()) {
            float sum = 0;
            for (float v : in.x()) {
                sum += v;
            }
            assertThat(sum).as("a permuted one-hot STAGGER example still has three ones").isEqualTo(3f);
        }
    }

    static List<String> ids(Scenario s) {
        List<String> out = new ArrayList<>();
        s.tasks().forEach(t -> out.add(t.task()));
        return out;
    }

    static String fingerprint(Scenario s) {
        StringBuilder sb = new StringBuilder(s.name()).append(s.learnerConfig()).append(s.changePoints());
        for (Scenario.TaskData t : s.tasks()) {
            sb.append(t.task());
            for (Instance in : t.train()) {
                sb.append(in.id()).append(Arrays.toString(in.x())).append(Arrays.toString(in.target()));
            }
            for (Instance in : t.test()) {
                sb.append('|').append(in.id()).append(Arrays.toString(in.x())).append(Arrays.toString(in.target()));
            }
        }
        return sb.toString();
    }

    static int argmax(float[] t) {
        int best = 0;
        for (int i = 1; i < t.length; i++) {
            if (t[i] > t[best]) {
                best = i;
            }
        }
        return best;
    }
}
