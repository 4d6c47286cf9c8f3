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

    @Test
    void aRunIsTimedByItsOutputsAppendTimesWithoutTheFirstAppend() {
        // The first append's outputs were made before it: four outputs came after it, over 7 ms.
        BenchCommand.AppendSpan span = BenchCommand.AppendSpan.of(new long[] {9, 5, 5, 12, 7, 5, 9});
        assertThat(span.outputs()).isEqualTo(4);
        assertThat(span.firstMillis()).isEqualTo(5);
        assertThat(span.lastMillis()).isEqualTo(12);
        assertThat(span.seconds()).isEqualTo(0.007);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BenchCommand.AppendSpan.of(new long[] {3, 3}))
                .hasMessageContaining("--e2e-examples");
    }

    @Test
    void cpuTimeIsInterpolatedBetweenSamples() {
        long[] at = {100, 110, 120, 120, 140};
        long[] cpu = {0, 10, 30, 30, 70};
        assertThat(BenchCommand.interpolate(at, cpu, 5, 105)).isEqualTo(5.0);
        assertThat(BenchCommand.interpolate(at, cpu, 5, 130)).isEqualTo(50.0);
        assertThat(BenchCommand.interpolate(at, cpu, 5, 50)).isEqualTo(0.0);
        assertThat(BenchCommand.interpolate(at, cpu, 5, 500)).isEqualTo(70.0);
        assertThat(BenchCommand.interpolate(at, cpu, 3, 500)).isEqualTo(30.0); // only the samples taken count
    }

    @Test
    void anOutputTopicStampedOnAppendCarriesTheBrokersTimeNotTheProducers() throws Exception {
        // Under exactly-once an output becomes readable a commit after it was written; the bench times a run by when
        // its outputs were appended, which the broker stamps on a topic set to LogAppendTime.
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, java.util.Map.of());
             org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of(
                     "bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("stamped", 1, (short) 1))).all()
                    .get();
            BenchCommand.stampOnAppend(broker, "stamped");
            long before = System.currentTimeMillis();
            Properties pp = new Properties();
            pp.put("bootstrap.servers", broker.bootstrapServers());
            try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                         new org.apache.kafka.clients.producer.KafkaProducer<>(pp,
                                 new org.apache.kafka.common.serialization.ByteArraySerializer(),
                                 new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                // Stamped by its producer at 1970-01-01T00:00:01Z.
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("stamped", null, 1_000L, null,
                        new byte[] {1})).get();
            }
            try (OutputReader reader = new OutputReader(broker.bootstrapServers(), "stamped", 100, true)) {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
                while (reader.records.get() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(reader.timestamps()).hasSize(1);
                assertThat(reader.timestamps()[0]).isBetween(before, System.currentTimeMillis());
            }
        }
    }
}
