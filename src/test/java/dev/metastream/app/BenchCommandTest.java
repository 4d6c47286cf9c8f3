package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench}: the {@code --linear} measurement, and its {@code --set} checking. */
class BenchCommandTest {
    @Test
    void measuresTheLinearModelAndThePlainBaselineOnTheSameStream() {
        BenchCommand.LinearRun run = BenchCommand.linearAlone(5_000, List.of(), 0);
        // Both learn the stream (the label noise is 5%; predicting one class gets about half right).
        assertThat(run.accuracy()).isGreaterThan(0.8);
        assertThat(run.baselineAccuracy()).isGreaterThan(0.8);
        assertThat(run.rate().cpu()).isPositive().isFinite();
        assertThat(run.baseline().cpu()).isPositive().isFinite();
        assertThat(run.bytesAllocatedPerExample()).isPositive();
    }

    @Test
    void refusesAMisspeltSettingBeforeMeasuring() {
        // A misspelt key is a usage error (exit code 2) naming the closest key, as in every other command, not a
        // setting silently left out of the measurement.
        java.io.StringWriter err = new java.io.StringWriter();
        int code = new picocli.CommandLine(new BenchCommand()).setErr(new java.io.PrintWriter(err))
                .execute("--skip-e2e", "--linear", "--set", "model.trunk.layrs=8");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown key 'model.trunk.layrs'").contains("model.trunk.layers");
    }
}
