package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.learn.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV and JSONL sources. */
class FileSourcesTest {

    private static ScenarioSpec csv(Path file, String taskColumn, String label, List<String> features,
            List<String> hash, int inputDim, int train, int test) {
        return new ScenarioSpec("csv:" + file, null, train, test, "natural", 1, inputDim, 0, taskColumn, label,
                features, hash);
    }

    @Test
    void csvColumnsByNameWithTasksLabelsAndHeldOutTail(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("shop.csv");
        Files.writeString(f, """
                segment,a,b,colour,clicked
                s1,1.5,2,red,yes
                s2,3,4,blue,no
                s1,5,6,red,no
                s1,7,8,green,yes
                s2,9,10,red,yes
                s2,x,10,red,yes
                s1,11,12,blue
                """);
        List<String> notes = new ArrayList<>();
        Scenario s = Scenarios.build(csv(f, "segment", "clicked", List.of("b", "a"), List.of("colour"), 6, 0, 1),
                null, notes::add);
        assertThat(s.tasks()).extracting(Scenario.TaskData::task).containsExactly("s1", "s2");
        assertThat(s.learnerConfig()).containsEntry("input.dim", "6").containsEntry("task.kind", "classification")
                .containsEntry("task.classes", "2").containsEntry("task.class.names", "yes,no");
        Scenario.TaskData s1 = s.tasks().get(0);
        assertThat(s1.train()).hasSize(2);
        assertThat(s1.test()).hasSize(1);
        Instance first = s1.train().get(0);
        // numeric features first, in --feature-columns order
        assertThat(first.x()[0]).isEqualTo(2f);
        assertThat(first.x()[1]).isEqualTo(1.5f);
        // the hashed colour lands in slots 2..5 with the parser's sign
        int h = FeatureHashing.murmur3("colour=red");
        float[] expected = new float[6];
        expected[0] = 2f;
        expected[1] = 1.5f;
        expected[2 + Math.floorMod(h, 4)] = (h & 0x80000000) != 0 ? -1f : 1f;
        assertThat(first.x()).isEqualTo(expected);
        assertThat(first.target()).containsExactly(1f, 0f);
        assertThat(s1.test().get(0).x()[0]).as("held-out = the task's last row").isEqualTo(8f);
        assertThat(s.tasks().get(1).train().get(0).target()).containsExactly(0f, 1f);
        assertThat(notes).hasSize(1);
        assertThat(notes.get(0)).contains("skipped 2 bad lines").contains("non-numeric a").contains("line 7");
    }

    @Test
    void csvNumericLabelsAreClassIndicesOrRegressionTargets(@TempDir Path tmp) throws IOException {
        Path ints = tmp.resolve("ints.csv");
        Files.writeString(ints, "f1,f2,y\n0,1,3\n1,1,0\n2,1,1\n");
        Scenario c = Scenarios.build(csv(ints, null, null, List.of(), List.of(), 0, 0, 0));
        assertThat(c.tasks()).extracting(Scenario.TaskData::task).containsExactly("ints");
        assertThat(c.learnerConfig()).containsEntry("task.classes", "4").containsEntry("input.dim", "2")
                .doesNotContainKey("task.class.names");
        assertThat(c.tasks().get(0).train().get(0).target()).containsExactly(0f, 0f, 0f, 1f);

        Path reals = tmp.resolve("reals.csv");
        Files.writeString(reals, "f1,y\n0,1.5\n1,-2\n");
        Scenario r = Scenarios.build(csv(reals, null, "y", List.of(), List.of(), 0, 0, 0));
        assertThat(r.learnerConfig()).containsEntry("task.kind", "regression");
        assertThat(r.tasks().get(0).train().get(1).target()).containsExactly(-2f);
        // a hint reads whole numbers as regression targets
        Scenario hinted = Scenarios.build(csv(ints, null, null, List.of(), List.of(), 0, 0, 0), "regression", n -> {});
        assertThat(hinted.tasks().get(0).train().get(0).target()).containsExactly(3f);
    }

    @Test
    void csvErrorsNameTheFlag(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("d.csv");
        Files.writeString(f, "a,b,y\n1,2,0\n");
        assertThatThrownBy(() -> Scenarios.build(csv(f, "task", "y", List.of(), List.of(), 0, 0, 0)))
                .hasMessageStartingWith("--task-column: column 'task' is not in the header");
        assertThatThrownBy(() -> Scenarios.build(csv(f, null, "label", List.of(), List.of(), 0, 0, 0)))
                .hasMessageStartingWith("--label-column: column 'label'");
        assertThatThrownBy(() -> Scenarios.build(csv(f, null, "y", List.of(), List.of(), 5, 0, 0)))
                .hasMessageStartingWith("--input-dim 5");
        assertThatThrownBy(() -> Scenarios.build(csv(f, null, "y", List.of(), List.of(), 0, 0, 1)))
                .hasMessageStartingWith("--test-per-task 1 would hold out all 1");
    }

    @Test
    void jsonlParsesAsTheTopologyDoesAndCountsBadLines(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("in.jsonl");
        Files.writeString(f, """
                {"task": "a", "x": [1, 2, 3], "y": 1, "id": "e1"}
                {"task": "b", "x": [4, 5, 6], "y": 2}
                not json
                {"task": "a", "x": [1, 2], "y": 0}
                {"task": "a", "x": [7, 8, 9]}

                {"task": "a", "sparse": {"idx": [0, 2], "val": [1.5, 2.5]}, "y": 0}
                {"task": "b", "x": [1, 1, 1], "y": 0}
                """);
        List<String> notes = new ArrayList<>();
        Scenario s = Scenarios.build(new ScenarioSpec("jsonl:" + f, null, 0, 0, "natural", 1, 0, 0, null, null, null,
                null), null, notes::add);
        assertThat(s.learnerConfig()).containsEntry("input.dim", "3").containsEntry("task.kind", "classification")
                .containsEntry("task.classes", "3");
        assertThat(s.tasks()).extracting(Scenario.TaskData::task).containsExactly("a", "b");
        List<Instance> a = s.tasks().get(0).train();
        assertThat(a).hasSize(2);
        assertThat(a.get(0).id()).isEqualTo("e1");
        assertThat(a.get(0).x()).containsExactly(1f, 2f, 3f);
        assertThat(a.get(0).target()).containsExactly(0f, 1f, 0f);
        assertThat(a.get(1).x()).containsExactly(1.5f, 0f, 2.5f);
        assertThat(s.tasks().get(1).train()).hasSize(2);
        assertThat(notes).singleElement().asString().contains("skipped 3 bad lines").contains("not-json")
                .contains("wrong-dimension").contains("unlabelled");
    }

    @Test
    void jsonlNamedFeaturesNeedInputDimAndStringLabelsBecomeClassNames(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("named.jsonl");
        Files.writeString(f, """
                {"task": "t", "features": {"genre": "Comedy", "age": 31}, "y": "like"}
                {"task": "t", "features": {"genre": "Drama"}, "y": "skip"}
                """);
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("jsonl:" + f, 0, 0, 1)))
                .hasMessageStartingWith("--input-dim is needed");
        Scenario s = Scenarios.build(new ScenarioSpec("jsonl:" + f, null, 0, 0, "natural", 1, 16, 0, null, null,
                null, null));
        assertThat(s.learnerConfig()).containsEntry("input.dim", "16").containsEntry("task.class.names", "like,skip");
        assertThat(s.tasks().get(0).train().get(1).target()).containsExactly(0f, 1f);
        Path reg = tmp.resolve("reg.jsonl");
        Files.writeString(reg, "{\"task\": \"t\", \"x\": [1], \"y\": 0.25}\n{\"task\": \"t\", \"x\": [2], \"y\": 3}\n");
        Scenario r = Scenarios.build(ScenarioSpec.of("jsonl:" + reg, 0, 1, 1));
        assertThat(r.learnerConfig()).containsEntry("task.kind", "regression");
        assertThat(r.tasks().get(0).test()).singleElement().extracting(Instance::target).isEqualTo(new float[] {3f});
    }

    @Test
    void unknownSourcesAreRefusedClearly() {
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("mnist", 0, 0, 1)))
                .hasMessageStartingWith("--source mnist is not a source");
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("csv:", 0, 0, 1)))
                .hasMessageStartingWith("--source csv: names no file");
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("csv:/no/such.csv", 0, 0, 1)))
                .hasMessageContaining("no such file");
    }
}
