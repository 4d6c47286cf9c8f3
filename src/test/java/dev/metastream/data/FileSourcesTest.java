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
        // The tasks interleave: listed by where their training ends (s2's only training row, line 3, comes before
        // s1's last, line 4), and the stream follows the file: s1 (line 2), s2 (line 3), s1 (line 4).
        assertThat(s.tasks()).extracting(Scenario.TaskData::task).containsExactly("s2", "s1");
        assertThat(s.trainStream()).containsExactly(new Scenario.Position(1, 0), new Scenario.Position(0, 0),
                new Scenario.Position(1, 1));
        assertThat(s.learnerConfig()).containsEntry("input.dim", "6").containsEntry("task.kind", "classification")
                .containsEntry("task.classes", "2").containsEntry("task.class.names", "yes,no");
        Scenario.TaskData s1 = s.tasks().get(1);
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
        assertThat(s.tasks().get(0).train().get(0).target()).containsExactly(0f, 1f);
        assertThat(notes).hasSize(1);
        assertThat(notes.get(0)).contains("skipped 2 bad lines").contains("non-numeric a").contains("line 7");
    }

    private static ScenarioSpec table(String source, String taskColumn, String label, List<String> features,
            List<String> hash, int inputDim, int test, String order, ScenarioSpec.TableOptions options) {
        return new ScenarioSpec(source, null, 0, test, order, 1, inputDim, 0, taskColumn, label, features, hash,
                options);
    }

    @Test
    void interleavedTasksTrainInFileOrderAndHoldOutEachTasksLastRows(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("mixed.csv");
        // rows: a0 b0 a1 b1 a2 b2 a3 ; values = row number, so every example says where it came from
        StringBuilder csv = new StringBuilder("t,v,y\n");
        String[] tasks = {"a", "b", "a", "b", "a", "b", "a"};
        for (int i = 0; i < tasks.length; i++) {
            csv.append(tasks[i]).append(',').append(i).append(',').append(i % 2).append('\n');
        }
        Files.writeString(f, csv);
        Scenario s = Scenarios.build(table("csv:" + f, "t", "y", List.of(), List.of(), 0, 1, "natural",
                ScenarioSpec.TableOptions.NONE));
        assertThat(s.interleaved()).isTrue();
        // a's held-out row is row 6, b's row 5; training: rows 0..4 in file order, b ends (row 3) before a (row 4).
        assertThat(s.tasks()).extracting(Scenario.TaskData::task).containsExactly("b", "a");
        assertThat(s.trainStream().stream().map(p -> s.train(p).x()[0]).toList())
                .containsExactly(0f, 1f, 2f, 3f, 4f);
        assertThat(s.tasks().get(1).test()).singleElement().extracting(in -> in.x()[0]).isEqualTo(6f);
        assertThat(s.tasks().get(0).test()).singleElement().extracting(in -> in.x()[0]).isEqualTo(5f);
        // An explicit task order trains task after task.
        Scenario grouped = Scenarios.build(table("csv:" + f, "t", "y", List.of(), List.of(), 0, 1, "a,b",
                ScenarioSpec.TableOptions.NONE));
        assertThat(grouped.interleaved()).isFalse();
        assertThat(grouped.trainStream().stream().map(p -> grouped.train(p).x()[0]).toList())
                .containsExactly(0f, 2f, 4f, 1f, 3f);
    }

    @Test
    void csvMultiValueColumnsTimeColumnsAndLabelThreshold(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("movies.csv");
        Files.writeString(f, """
                when,genres,minutes,late
                2001/01/14 21:55,Comedy|Drama,90,20
                2012-01-01,Drama,100,3
                not a date,Drama,100,40
                2012-01-02,,100,x
                """);
        List<String> notes = new ArrayList<>();
        Scenario s = Scenarios.build(table("csv:" + f, null, "late", List.of("minutes"), List.of(), 15, 0, "natural",
                new ScenarioSpec.TableOptions(List.of("genres"), "|", 15.0, List.of("when"))), null, notes::add);
        // 1 numeric + 6 time features, then 8 hashed slots
        assertThat(s.learnerConfig()).containsEntry("input.dim", "15").containsEntry("task.kind", "classification")
                .containsEntry("task.classes", "2");
        List<Instance> rows = s.tasks().get(0).train();
        assertThat(rows).hasSize(2);
        float[] x = rows.get(0).x();
        assertThat(x[0]).isEqualTo(90f);
        // 21:55 on Sunday 14 January: hour angle 2 pi * 21.9167 / 24, day of week 6 (Sunday), day of year 13
        double hour = 2 * Math.PI * (21 + 55 / 60.0) / 24;
        assertThat(x[1]).isCloseTo((float) Math.sin(hour), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(x[2]).isCloseTo((float) Math.cos(hour), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(x[3]).isCloseTo((float) Math.sin(2 * Math.PI * 6 / 7), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(x[5]).isCloseTo((float) Math.sin(2 * Math.PI * 13 / 365.25),
                org.assertj.core.data.Offset.offset(1e-5f));
        float[] hashed = new float[8];
        for (String name : List.of("genres=Comedy", "genres=Drama")) {
            int h = FeatureHashing.murmur3(name);
            hashed[Math.floorMod(h, 8)] += h < 0 ? -1f : 1f;
        }
        assertThat(java.util.Arrays.copyOfRange(x, 7, 15)).containsExactly(hashed);
        // 20 > 15 is the positive class, 3 is not
        assertThat(rows.get(0).target()).containsExactly(0f, 1f);
        assertThat(rows.get(1).target()).containsExactly(1f, 0f);
        // a date-only value reads as midnight: sin 0, cos 1
        assertThat(rows.get(1).x()[1]).isEqualTo(0f);
        assertThat(rows.get(1).x()[2]).isEqualTo(1f);
        assertThat(notes).singleElement().asString().contains("skipped 2 bad lines").contains("unreadable date in when")
                .contains("non-numeric label");
        // with task.kind=binary the thresholded label is one 0/1 output
        Scenario binary = Scenarios.build(table("csv:" + f, null, "late", List.of("minutes"), List.of(), 15, 0,
                "natural", new ScenarioSpec.TableOptions(List.of("genres"), "|", 15.0, List.of("when"))), "binary",
                n -> {});
        assertThat(binary.learnerConfig()).containsEntry("task.kind", "binary");
        assertThat(binary.tasks().get(0).train().get(0).target()).containsExactly(1f);
        // --feature-columns '' : no numeric column, only the time features and the hashed slots
        Scenario noNumeric = Scenarios.build(table("csv:" + f, null, "late", List.of(""), List.of(), 14, 0, "natural",
                new ScenarioSpec.TableOptions(List.of("genres"), "|", 15.0, List.of("when"))), null, n -> {});
        assertThat(noNumeric.learnerConfig()).containsEntry("input.dim", "14");
        assertThat(noNumeric.tasks().get(0).train().get(0).x()[0]).isEqualTo(x[1]);
        assertThatThrownBy(() -> Scenarios.build(table("csv:" + f, null, "late", List.of(), List.of(), 0, 0,
                "natural", new ScenarioSpec.TableOptions(null, null, null, List.of("late")))))
                .hasMessageStartingWith("--time-columns: column 'late' is also");
    }

    @Test
    void jsonArrayOfFlatObjectsLikeTheVegaFlights(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("flights.json");
        Files.writeString(f, """
                [{"date":"2001/01/01 00:47","delay":66,"distance":1750,"origin":"DTW","destination":"LAS"},
                 {"date":"2001/01/01 01:10","delay":-5,"distance":2399,"origin":"HNL","destination":"SFO"},
                 {"date":"2001/01/01 01:24","delay":4,"distance":407,"origin":"DTW","destination":["OAK","SFO"]},
                 {"date":"2001/01/01 01:39","delay":null,"distance":256,"origin":"HNL","destination":"PHX"},
                 {"date":"2001/01/01 02:00","delay":30,"distance":{"km":1},"origin":"HNL","destination":"PHX"},
                 {"date":"2001/01/01 06:02","delay":16,"distance":100,"origin":"HNL","destination":"PHX"}]
                """);
        List<String> notes = new ArrayList<>();
        Scenario s = Scenarios.build(table("json:" + f, "origin", "delay", List.of("distance"), List.of("destination"),
                0, 0, "natural", new ScenarioSpec.TableOptions(null, null, 15.0, List.of("date"))), "binary",
                notes::add);
        assertThat(s.learnerConfig()).containsEntry("task.kind", "binary")
                .containsEntry("input.dim", String.valueOf(1 + 6 + 1024));
        // DTW ends at record 3, HNL at record 6; the stream is the file's order
        assertThat(s.tasks()).extracting(Scenario.TaskData::task).containsExactly("DTW", "HNL");
        assertThat(s.trainStream().stream().map(p -> s.train(p).id()).toList())
                .containsExactly("record-1", "record-2", "record-3", "record-6");
        assertThat(s.trainStream().stream().map(p -> s.train(p).target()[0]).toList())
                .containsExactly(1f, 0f, 0f, 1f);
        Instance multi = s.tasks().get(0).train().get(1);
        float[] hashed = new float[1024];
        for (String name : List.of("destination=OAK", "destination=SFO")) {
            int h = FeatureHashing.murmur3(name);
            hashed[Math.floorMod(h, 1024)] += h < 0 ? -1f : 1f;
        }
        assertThat(java.util.Arrays.copyOfRange(multi.x(), 7, 1031)).containsExactly(hashed);
        assertThat(multi.x()[0]).isEqualTo(407f);
        assertThat(notes).singleElement().asString().contains("skipped 2").contains("empty label")
                .contains("nested value in distance");
        Path notArray = tmp.resolve("object.json");
        Files.writeString(notArray, "{\"a\": 1}");
        assertThatThrownBy(() -> Scenarios.build(table("json:" + notArray, null, "a", List.of(), List.of(), 0, 0,
                "natural", ScenarioSpec.TableOptions.NONE))).hasMessageContaining("expected a JSON array of objects");
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
