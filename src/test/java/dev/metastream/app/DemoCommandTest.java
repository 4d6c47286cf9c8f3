package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code metastream demo}: a real short run on an embedded KRaft broker (waiting by progress, however loaded the
 * machine: no duration is asserted), and the usage errors of --config and --set, which stop before any broker starts.
 */
class DemoCommandTest {

    @TempDir
    Path tmp;

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

    @Test
    @Timeout(1800)
    void aShortRunPassesWithCountsThatAddUpAndEndsWithOnePassedLine() throws Exception {
        Path conf = tmp.resolve("demo.properties");
        Files.writeString(conf, "# a run config: its broker is ignored by the demo\nbootstrap.servers=127.0.0.1:1\n"
                + "metrics.interval.ms=1000\n");
        // 2,000 examples: malformed ones at stream examples 500 (wrong-dimension) and 1,497 (not-json)
        Run r = run("demo", "--duration", "8", "--rate", "250", "--tasks", "2", "--partitions", "2",
                "--http-port", "-1", "--config", conf.toString(), "--set", "learner.batch.size=8");
        String all = r.out() + "\n--- stderr ---\n" + r.err();
        assertThat(r.exitCode()).as(all).isZero();
        List<String> lines = r.out().strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).as(all)
                .startsWith("PASSED: all 1,998 predictions, 2 dead letters (every malformed record, with its reason)"
                        + " and the final metrics of 3 tasks read back; ");
        assertThat(lines.stream().filter(l -> l.startsWith("PASSED") || l.startsWith("FAILED"))).hasSize(1);
        assertThat(r.out()).contains("malformed records injected: 2 (not-json 1, wrong-dimension 1)"
                + " -> dead letters read: 2 (not-json 1, wrong-dimension 1)");
        assertThat(r.out()).contains("configuration: the demo's defaults, then " + conf
                + ", then --set learner.batch.size=8");
        assertThat(r.err()).contains("note: ignoring bootstrap.servers=127.0.0.1:1");
        assertThat(r.out()).contains("drift detections: ");
        // every detection line says what it is; the injected change is either caught or said to be missed
        String drifts = r.out().substring(r.out().indexOf("drift detections: "));
        drifts.lines().skip(1).takeWhile(l -> l.startsWith("  ")).forEach(l ->
                assertThat(l).containsAnyOf("THE INJECTED CHANGE", "another detection", "was not detected"));
        assertThat(drifts).containsAnyOf("THE INJECTED CHANGE (task-0 changed after its example",
                "the injected change (task-0 after its example");
    }

    @Test
    void aSetWithoutAnEqualsSignIsAUsageError() {
        Run r = run("demo", "--set", "learner.batch.size");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--set learner.batch.size: expected KEY=VALUE");
    }

    @Test
    void aBadValueNamesTheKeyAndWhereItCameFrom() {
        Run r = run("demo", "--set", "learner.batch.size=many");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("invalid configuration (from --set)").contains("learner.batch.size");
    }

    @Test
    void aTaskKindTheSyntheticStreamCannotFeedIsRefused() {
        Run r = run("demo", "--set", "task.kind=regression");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("classification").contains("remove task.kind");
    }

    @Test
    void anUnknownGuaranteeIsAUsageError() {
        Run r = run("demo", "--guarantee", "exactly_twice");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("processing.guarantee=exactly_twice: use exactly_once_v2 or at_least_once");
    }

    @Test
    void aMissingConfigFileIsAUsageError() {
        Path missing = tmp.resolve("nope.properties");
        Run r = run("demo", "--config", missing.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read --config " + missing);
    }
}
