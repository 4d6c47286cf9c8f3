package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.evaluation.EvaluationResult;
import dev.metastream.evaluation.Evaluator;
import dev.metastream.evaluation.Strategy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvaluateCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void parsingErrorsNameTheFlag() {
        assertThat(run("evaluate")[2]).contains("--source");
        assertThat(run("evaluate", "--source", "sea", "--strategy", "ewc")[2]).contains("--strategy ewc")
                .contains("agem");
        assertThat(run("evaluate", "--source", "sea", "--seed", "x")[2]).contains("--seed");
        assertThat(run("evaluate", "--source", "sea", "--set", "nokey")[2]).contains("--set nokey");
        String[] r = run("evaluate", "--source", "nosuch:thing");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).contains("--source");
    }

    @Test
    void fewShotAdaptationOnFreshTasksInTheTableAndTheJson() throws Exception {
        Path f = dir.resolve("sin.json");
        String[] r = run("evaluate", "--source", "sinusoid", "--tasks", "20", "--train-per-task", "15",
                "--test-per-task", "10", "--shots", "5", "--no-reference", "--quiet", "--json", f.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        JsonNode a = new ObjectMapper().readTree(Files.readString(f)).path("adaptation");
        assertThat(a.path("shots").asInt()).isEqualTo(5);
        assertThat(a.path("metric").asText()).isEqualTo("mse");
        assertThat(a.path("tasks").asInt()).isEqualTo(2);
        assertThat(a.path("examples").asInt()).isEqualTo(5);
        assertThat(a.path("meta").isNumber() && a.path("scratch").isNumber() && a.path("no_meta").isNumber()
                && a.path("ratio").isNumber()).isTrue();
        assertThat(r[1]).contains("few-shot on 2 fresh tasks (the last of 20 to arrive), test mse after 5 examples: ");
        assertThat(new ObjectMapper().readTree(Files.readString(f)).path("matrix_rows").isNull()).isTrue();
    }

    @Test
    void aWaysTransformThatCannotBeBuiltNamesWhatToChange() {
        String[] r = run("evaluate", "--source", "stagger", "--transform", "ways:3", "--train-per-task", "10");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).contains("--transform ways:3: N must be between 2 and the source's 2 classes");
    }

    @Test
    void jsonHasEveryTopLevelFigure() throws Exception {
        EvaluationResult r = new Evaluator().run(EvaluateAgreementTest.scenario(3),
                Evaluator.Options.of(Strategy.AGEM, 3).withOverrides(Map.of("task.classes", "3")),
                Evaluator.Progress.NONE);
        Path f = dir.resolve("r.json");
        EvaluateCommand.mapper().writeValue(f.toFile(), r);
        JsonNode j = new ObjectMapper().readTree(Files.readString(f));
        for (String k : new String[] {"acc", "bwt", "fwt", "forgetting", "matrix", "baseline", "seconds",
                "examples_per_second", "strategy", "scenario", "seed", "config", "per_task", "anytime", "adaptation",
                "transfer", "prequential", "drift"}) {
            assertThat(j.has(k)).as(k).isTrue();
        }
        assertThat(j.path("matrix")).hasSize(3);
        assertThat(j.path("transfer").path("gain").isNumber()).isTrue();
        for (JsonNode n : j.path("transfer").path("negative_transfer")) {
            assertThat(n.path("delta").asDouble()).isNegative();
            assertThat(n.has("task") && n.has("model") && n.has("independent")).isTrue();
        }
        JsonNode task = j.path("per_task").get(0);
        for (String k : new String[] {"accuracy", "log_loss", "precision_micro", "recall_micro", "f1_micro",
                "precision_macro", "recall_macro", "f1_macro", "kappa"}) {
            assertThat(task.path("test").path("metrics").path(k).isNumber()).as(k).isTrue();
        }
        assertThat(task.path("test").path("per_class")).hasSize(3);
        assertThat(task.path("test").path("per_class").get(0).has("f1")).isTrue();
        assertThat(task.path("prequential_metrics").path("f1_macro_window").isNumber()).isTrue();
        // No change points in these tasks; the domain-shift monitor's report is there, nothing to match.
        assertThat(j.path("drift").path("change_points").asInt()).isZero();
        assertThat(j.path("drift").path("input").path("change_points").asInt()).isZero();
        assertThat(j.path("config").path("settings").path("memory.strategy").asText()).isEqualTo("agem");
        assertThat(EvaluateCommand.table(r)).contains("ACC").contains("R[i][j]");
    }

    @Test
    void throughKafkaRefusesWhatCannotAgree() {
        Evaluator.Options o = Evaluator.Options.of(Strategy.AGEM, 1).withOverrides(Map.of("learner.batch.size", "50"));
        assertThatThrownBy(() -> KafkaEvaluation.check(EvaluateAgreementTest.scenario(1), o, 1))
                .hasMessageContaining("--train-per-task").hasMessageContaining("learner.batch.size=50");
        assertThatThrownBy(() -> KafkaEvaluation.check(EvaluateAgreementTest.scenario(1),
                Evaluator.Options.of(Strategy.JOINT, 1), 1)).hasMessageContaining("--strategy joint");
    }
}
