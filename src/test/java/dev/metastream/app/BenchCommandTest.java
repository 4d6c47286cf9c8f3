package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code bench}: the {@code --linear} measurement, its {@code --set} checking, and its runs' settings. */
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

    @Test
    void bothApplicationsHeartbeatOftenUnlessASettingSaysOtherwise() {
        // A stream thread that rejoins after its group's first assignment waits for the other thread's next
        // heartbeat; at Kafka's 3 s that idled a thread for most of a passthrough run.
        BenchCommand bench = new BenchCommand();
        new picocli.CommandLine(bench).parseArgs(); // the options' defaults
        BenchCommand.Mode mode = new BenchCommand.Mode("exactly_once_v2", false);
        Properties run = bench.runProperties(new Properties(), mode, "p", "p", Path.of("state"));
        assertThat(AppConfig.of(run).streamsProperties("127.0.0.1:9092").getProperty("heartbeat.interval.ms"))
                .isEqualTo("200");

        Properties set = new Properties();
        set.setProperty("heartbeat.interval.ms", "1000");
        Properties overridden = bench.runProperties(set, mode, "p", "p", Path.of("state"));
        assertThat(AppConfig.of(overridden).streamsProperties("127.0.0.1:9092").getProperty("heartbeat.interval.ms"))
                .isEqualTo("1000");
    }
}
