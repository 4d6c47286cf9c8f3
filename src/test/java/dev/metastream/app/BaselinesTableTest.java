package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The baselines block of {@code evaluate}'s table and JSON, on a small recommendation stream. */
class BaselinesTableTest {
    @TempDir
    Path dir;

    @Test
    void evaluatePrintsAndWritesTheBaselinesAndColdStart() throws Exception {
        Path json = dir.resolve("r.json");
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        int code = cl.execute("evaluate", "--source", "recsys:users=12,items=30", "--train-per-task", "12",
                "--input-dim", "64", "--strategy", "multihead", "--quiet", "--json", json.toString());
        assertThat(code).isZero();
        JsonNode b = new ObjectMapper().readTree(Files.readString(json)).path("baselines");
        for (String name : new String[] {"no-change", "task-mean", "global-mean", "bias", "linear"}) {
            assertThat(b.path(name).path("rmse").isNumber()).as(name).isTrue();
            assertThat(b.path(name).path("mae").isNumber()).as(name).isTrue();
        }
        assertThat(b.path("headline").asText()).isEqualTo("rmse");
        String best = b.path("best_trivial").asText();
        assertThat(best).isIn("no-change", "task-mean", "global-mean", "bias");
        double product = b.path("product").path("rmse").asDouble();
        assertThat(b.path("margin_vs_best_trivial").asDouble())
                .isEqualTo(b.path(best).path("rmse").asDouble() - product);
        assertThat(b.path("margin_vs_linear").asDouble()).isEqualTo(b.path("linear").path("rmse").asDouble() - product);
        JsonNode c = new ObjectMapper().readTree(Files.readString(json)).path("cold_start");
        assertThat(c.path("events").asInt()).isEqualTo(10);
        assertThat(c.path("examples").asLong()).isEqualTo(120);
        assertThat(c.path("baselines").path("bias").isNumber()).isTrue();

        String table = out.toString();
        assertThat(table).contains("baselines (prequential").contains("* " + best).contains("multihead (product)")
                .contains("margin rmse").contains("cold start: rmse over each task's first 10 examples");
        assertThat(table.indexOf("baselines (")).isLessThan(table.indexOf("task                final"));
    }
}
