package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.data.InputRecordParser;
import dev.metastream.data.Scenario;
import dev.metastream.data.ScenarioSpec;
import dev.metastream.data.Scenarios;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The same CSV row becomes the same features everywhere: each row of a file with numeric, time, hashed and
 * multi-valued columns, sent by {@code produce} and parsed as the topology parses it, equals the example
 * {@code evaluate --source csv:} builds from it with the same column options. No broker: produce's conversion is called
 * with a sink that keeps the records.
 */
class ProduceEvaluateFeaturesTest {
    private static final int DIM = 64;

    @TempDir
    Path tmp;

    @Test
    void aCsvRowGivesTheSameFeaturesThroughProduceAndThroughEvaluate() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder csv = new StringBuilder("rid,task,age,genres,city,when,y\n");
        String[] genres = {"Comedy", "Drama", "Horror", "Sci-Fi", "Film-Noir"};
        String[] cities = {"Oslo", "Lima", "Paris, TX", "Zürich", "São Paulo"};
        int rows = 300;
        for (int i = 0; i < rows; i++) {
            int line = i + 2;
            List<String> g = new ArrayList<>();
            for (int k = r.nextInt(4); k > 0; k--) {
                g.add((r.nextBoolean() ? " " : "") + genres[r.nextInt(genres.length)]);
            }
            String city = r.nextInt(6) == 0 ? "" : cities[r.nextInt(cities.length)];
            String age = r.nextInt(3) == 0 ? String.valueOf(r.nextInt(90))
                    : Double.toString(Math.round(r.nextGaussian() * 1e5) / 1e3);
            String when = String.format(java.util.Locale.ROOT, "2001/%02d/%02d %02d:%02d", 1 + r.nextInt(12),
                    1 + r.nextInt(28), r.nextInt(24), r.nextInt(60));
            csv.append("line-").append(line).append(',').append(r.nextBoolean() ? "t1" : "t2").append(',')
                    .append(age).append(",\"").append(String.join("|", g)).append("\",\"").append(city)
                    .append("\",").append(when).append(',').append(r.nextInt(2)).append('\n');
        }
        Path file = tmp.resolve("rows.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);

        // evaluate's path
        ScenarioSpec spec = new ScenarioSpec("csv:" + file, null, 0, 0, "natural", 1, DIM, 0, "task", "y",
                List.of("age"), List.of("city"), new ScenarioSpec.TableOptions(List.of("genres"), "|", null,
                List.of("when")));
        Scenario scenario = Scenarios.build(spec, null, note -> { });
        Map<String, Instance> evaluated = new HashMap<>();
        for (Scenario.TaskData t : scenario.tasks()) {
            t.train().forEach(in -> evaluated.put(in.id(), in));
        }
        assertThat(evaluated).hasSize(rows);

        // produce's path, with the same column options, parsed by the topology's parser
        ProduceCommand produce = new ProduceCommand();
        new CommandLine(produce).parseArgs("--input", file.toString(), "--bootstrap-servers", "unused:9092",
                "--id-column", "rid", "--feature-columns", "age", "--hash-columns", "city",
                "--multi-value-columns", "genres", "--time-columns", "when", "--input-dim", String.valueOf(DIM));
        List<byte[][]> sent = new ArrayList<>();
        ProduceCommand.Skips skips = new ProduceCommand.Skips();
        int dim = produce.readCsv(file, (key, value) -> sent.add(new byte[][] {key, value}), skips);
        assertThat(dim).isEqualTo(DIM);
        assertThat(skips.total()).isZero();
        assertThat(sent).hasSize(rows);
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "2");
        InputRecordParser parser = new InputRecordParser(LearnerConfig.from(p), 1 << 20);
        int hashedRows = 0;
        for (byte[][] rec : sent) {
            InputRecordParser.Result parsed = parser.parse(rec[0], rec[1], 0L);
            assertThat(parsed.ok()).as(parsed.message()).isTrue();
            Instance produced = parsed.instance();
            Instance expected = evaluated.get(produced.id());
            assertThat(expected).as(produced.id()).isNotNull();
            assertThat(produced.task()).isEqualTo(expected.task());
            assertThat(produced.x()).as(produced.id()).containsExactly(expected.x());
            assertThat(produced.timestamp()).isEqualTo(expected.timestamp());
            String json = new String(rec[1], StandardCharsets.UTF_8);
            assertThat(json).contains("\"sparse\"").doesNotContain("\"x\"");
            hashedRows += json.contains("],\"val\"") && countHashed(produced.x()) > 0 ? 1 : 0;
        }
        assertThat(hashedRows).isGreaterThan(rows / 2);
    }

    /** Non-zero hashed slots (after the numeric column and the time column's features). */
    private static int countHashed(float[] x) {
        int n = 0;
        for (int i = 1 + 6 /* one time column: 6 features */; i < x.length; i++) {
            n += x[i] != 0 ? 1 : 0;
        }
        return n;
    }
}
