package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.SyntheticStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(120)
class ProduceCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafka kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(null, 0, Map.of());
        kafka.createTopics(List.of(new NewTopic("csv-in", 2, (short) 1), new NewTopic("jsonl-in", 2, (short) 1),
                new NewTopic("metastream.examples", 1, (short) 1), new NewTopic("broken-in", 1, (short) 1)));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Runs the CLI as {@code main} would, capturing output. */
    private record Run(int exitCode, String out, String err) { }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The sparse entry of a hashed {@code column=value} in {@code slots} slots after {@code at} dense ones. */
    private static String hashed(String name, int at, int slots) {
        int h = dev.metastream.data.FeatureHashing.murmur3(name);
        return (at + Math.floorMod(h, slots)) + "|" + (h < 0 ? "-1.0" : "1.0");
    }

    private static String sparse(String... entries) {
        List<String> idx = new java.util.ArrayList<>();
        List<String> val = new java.util.ArrayList<>();
        for (String e : entries) {
            idx.add(e.substring(0, e.indexOf('|')));
            val.add(e.substring(e.indexOf('|') + 1));
        }
        return "{\"idx\":[" + String.join(",", idx) + "],\"val\":[" + String.join(",", val) + "]}";
    }

    @Test
    void producesCsvRowsFeaturisedAsEvaluateFeaturisesThem() throws Exception {
        Path csv = tmp.resolve("data.csv");
        Files.writeString(csv, String.join("\n",
                "id,task,x1,color,note,y",
                "r1,alpha,1.5,red,\"a, b\",1",
                "r2,beta,-2,\"bl\"\"ue\",,cat",
                "r3,alpha,,green,z,0",       // empty numeric cell: skipped, as evaluate skips it
                "r4,,3,red,z,1",             // empty task: skipped
                "r5,alpha,3,red,z",          // too few fields: skipped
                "r6,beta,1e-3,red,z,",       // empty label: skipped
                ""), StandardCharsets.UTF_8);

        Run r = run("produce", "--input", csv.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic", "csv-in", "--id-column", "id", "--feature-columns", "x1", "--hash-columns", "color",
                "--input-dim", "9");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("sent 2 records").contains("skipped 4 records")
                .contains("1 x non-numeric x1 (a categorical column? name it in --hash-columns) (first at line 4)")
                .contains("1 x empty task column (first at line 5)")
                .contains("1 x row has 5 fields, the header has 6 (first at line 6)")
                .contains("1 x empty label column (first at line 7)")
                .contains("input.dim=9");

        List<ConsumerRecord<String, String>> records = EmbeddedKafkaTest.consumeAll(kafka, "csv-in", 2);
        assertThat(records).hasSize(2);
        Map<String, JsonNode> byId = new java.util.HashMap<>();
        for (ConsumerRecord<String, String> rec : records) {
            JsonNode n = JSON.readTree(rec.value());
            assertThat(rec.key()).isEqualTo(n.get("task").asText());
            byId.put(n.get("id").asText(), n);
        }
        // x1 in slot 0, then 8 hashed slots for color; note is not a feature (not named)
        assertThat(byId.get("r1")).isEqualTo(JSON.readTree("{\"task\":\"alpha\",\"sparse\":"
                + sparse("0|1.5", hashed("color=red", 1, 8)) + ",\"y\":1,\"id\":\"r1\"}"));
        assertThat(byId.get("r2")).isEqualTo(JSON.readTree("{\"task\":\"beta\",\"sparse\":"
                + sparse("0|-2.0", hashed("color=bl\"ue", 1, 8)) + ",\"y\":\"cat\",\"id\":\"r2\"}"));

        // Without --feature-columns, every column but task/label/id/hashed is numeric; hashed slots default to 1024.
        Path small = tmp.resolve("small.csv");
        Files.writeString(small, "task,a,b,y\nt,1,x,2\n", StandardCharsets.UTF_8);
        Run r2 = run("produce", "--input", small.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--key-by-task", "false", "--hash-columns", "b");
        assertThat(r2.exitCode()).as(r2.err()).isZero();
        assertThat(r2.out()).contains("input.dim=1025");
        List<ConsumerRecord<String, String>> rs = EmbeddedKafkaTest.consumeAll(kafka, "metastream.examples", 1);
        assertThat(rs).hasSize(1);
        assertThat(rs.get(0).key()).isNull();
        assertThat(JSON.readTree(rs.get(0).value())).isEqualTo(JSON.readTree(
                "{\"task\":\"t\",\"sparse\":" + sparse("0|1.0", hashed("b=x", 1, 1024)) + ",\"y\":2}"));
    }

    @Test
    void producesEveryJsonlRecordTheParserAcceptsThroughTheOneWriter() throws Exception {
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withInputDim(3));
        StringBuilder sb = new StringBuilder();
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String line = SyntheticStream.toJson(stream.next());
            expected.add(line); // written by the same writer: sent unchanged
            sb.append(line).append('\n');
        }
        sb.append("not json\n");
        sb.append("{\"x\":[1]}\n");
        sb.append("\n");
        sb.append("{\"task\":\"t\",\"features\":{\"a\":1},\"y\":0}\n");
        expected.add("{\"task\":\"t\",\"features\":{\"a\":1},\"y\":0}");
        sb.append("{\"y\":1, \"task\":12, \"sparse\":{\"idx\":[4,90], \"val\":[0.5,-2]}, \"extra\":1}\n");
        expected.add("{\"task\":\"12\",\"sparse\":{\"idx\":[4,90],\"val\":[0.5,-2.0]},\"y\":1}");
        sb.append("{\"task\":\"m\",\"features\":{\"genres\":[\"Comedy\",\"Drama\"],\"age\":3.5}}\n");
        expected.add("{\"task\":\"m\",\"features\":{\"genres\":[\"Comedy\",\"Drama\"],\"age\":3.5}}");
        Path jsonl = tmp.resolve("data.jsonl");
        Files.writeString(jsonl, sb, StandardCharsets.UTF_8);

        Run r = run("produce", "--input", jsonl.toString(), "--format", "jsonl",
                "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "jsonl-in", "--rate", "200");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("sent 23 records").contains("skipped 3 records")
                .contains("1 x invalid JSON (first at line 21)")
                .contains("1 x no \"task\" (give it in the record or pass --task) (first at line 22)")
                .contains("1 x blank line (first at line 23)");

        List<ConsumerRecord<String, String>> records = EmbeddedKafkaTest.consumeAll(kafka, "jsonl-in", 23);
        assertThat(records).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(expected);
        for (ConsumerRecord<String, String> rec : records) {
            assertThat(rec.key()).isEqualTo(JSON.readTree(rec.value()).get("task").asText());
        }
    }

    @Test
    void badArgumentsExitWithTwoAndSayWhatToChange() throws Exception {
        String bs = kafka.bootstrapServers();
        Run missing = run("produce", "--input", tmp.resolve("nope.csv").toString(), "--bootstrap-servers", bs);
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("does not exist").contains("--input");

        Path txt = tmp.resolve("data.txt");
        Files.writeString(txt, "x\n");
        Run unknownFormat = run("produce", "--input", txt.toString(), "--bootstrap-servers", bs);
        assertThat(unknownFormat.exitCode()).isEqualTo(2);
        assertThat(unknownFormat.err()).contains("--format");

        Path csv = tmp.resolve("h.csv");
        Files.writeString(csv, "task,a,label\nt,1,0\n");
        Run noLabel = run("produce", "--input", csv.toString(), "--bootstrap-servers", bs);
        assertThat(noLabel.exitCode()).isEqualTo(2);
        assertThat(noLabel.err()).contains("'y'").contains("--label-column");

        Run noTopic = run("produce", "--input", csv.toString(), "--bootstrap-servers", bs,
                "--label-column", "label", "--topic", "no-such-topic");
        assertThat(noTopic.exitCode()).isEqualTo(2);
        assertThat(noTopic.err()).contains("no-such-topic").contains("--topic");

        Run missingOption = run("produce", "--input", csv.toString());
        assertThat(missingOption.exitCode()).isEqualTo(2);
        assertThat(missingOption.err()).contains("--bootstrap-servers");

        Path broken = tmp.resolve("broken.csv");
        Files.writeString(broken, "task,a,y\nt,1,0\nt,\"open,1\n");
        Run badCsv = run("produce", "--input", broken.toString(), "--bootstrap-servers", bs, "--topic", "broken-in");
        assertThat(badCsv.exitCode()).isEqualTo(2);
        assertThat(badCsv.out()).contains("sent 1 records");
        assertThat(badCsv.err()).contains("line 3").contains("never closed");
    }

    @Test
    void topLevelCommandHasHelpVersionAndRequiresASubcommand() {
        Run help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("metastream").contains("produce");
        Run version = run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).contains("metastream dev");
        Run none = run();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing subcommand");
        Run produceHelp = run("produce", "--help");
        assertThat(produceHelp.exitCode()).isZero();
        assertThat(produceHelp.out()).contains("--feature-columns").contains("--key-by-task");
    }
}
