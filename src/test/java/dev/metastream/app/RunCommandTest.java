package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.SyntheticStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code metastream run} as a user meets it: configuration mistakes stop it at once with exit code 2 and the closest
 * key; a closed broker address and a taken HTTP port are reported in one line within seconds; stopped and started
 * again on the embedded broker it resumes; when Kafka Streams reaches ERROR it exits 1 saying why.
 */
class RunCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous: the machine is shared; only a hang should reach it. */
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    /** One {@code run} on a thread of its own, with its output captured. */
    private static final class Run {
        final RunCommand command = new RunCommand();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();

        Run(String... args) {
            CommandLine cl = new CommandLine(command);
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            Thread t = new Thread(() -> {
                try {
                    exit.complete(cl.execute(args));
                } catch (Throwable e) {
                    exit.completeExceptionally(e);
                }
            }, "run-command-test");
            t.setDaemon(true);
            t.start();
        }

        /** The first group of the pattern in the output, once it has been printed. */
        String await(Pattern p) throws Exception {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (System.nanoTime() < deadline) {
                Matcher m = p.matcher(out.toString());
                if (m.find()) {
                    return m.group(1);
                }
                if (exit.isDone()) {
                    throw new AssertionError("run exited " + exit.get() + " early: " + out + err);
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no " + p + " in " + out + err);
        }

        int stop() throws Exception {
            command.stop.countDown();
            return exit.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }

        int exitCode() throws Exception {
            return exit.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static int run(StringWriter err, String... args) {
        CommandLine cl = new CommandLine(new RunCommand());
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aMisspeltKeyStopsRunAtOnceWithExitCode2AndTheClosestKey() throws Exception {
        Path file = dir.resolve("my.properties");
        Files.writeString(file, "input.dim=4\nlearner.batchsize=8\n");
        StringWriter err = new StringWriter();
        assertThat(run(err, "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("metastream run: invalid configuration: " + file
                + ": unknown key 'learner.batchsize': did you mean 'learner.batch.size'?" + System.lineSeparator());

        StringWriter err2 = new StringWriter();
        assertThat(run(err2, "--set", "task.knd=binary")).isEqualTo(2);
        assertThat(err2.toString()).contains("--set: unknown key 'task.knd': did you mean 'task.kind'?");

        StringWriter err3 = new StringWriter();
        assertThat(run(err3, "--set", "tasks.churn.knd=binary")).isEqualTo(2);
        assertThat(err3.toString()).contains("did you mean 'tasks.churn.kind'?")
                .contains("task churn's keys are tasks.churn.kind, tasks.churn.classes, tasks.churn.class.names, "
                        + "tasks.churn.labels");

        StringWriter err4 = new StringWriter();
        assertThat(run(err4, "--config", dir.resolve("missing.properties").toString())).isEqualTo(2);
        assertThat(err4.toString()).contains("cannot read --config").contains("no such file");

        // A bad value of a known key is a configuration error too, naming the key.
        StringWriter err5 = new StringWriter();
        assertThat(run(err5, "--set", "learner.batch.size=0")).isEqualTo(2);
        assertThat(err5.toString()).contains("learner.batch.size");
        // So is a value only Kafka Streams checks, before any broker starts.
        StringWriter err6 = new StringWriter();
        assertThat(run(err6, "--set", "state.dir=" + dir.resolve("state"), "--set",
                "processing.guarantee=exactly_once_v3")).isEqualTo(2);
        assertThat(err6.toString()).startsWith("metastream run: invalid configuration: Invalid value exactly_once_v3 "
                + "for configuration processing.guarantee");
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void anHttpPortInUseIsReportedInOneLineBeforeTheBrokerStarts() throws Exception {
        Path state = dir.resolve("state");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            StringWriter err = new StringWriter();
            int code = run(err, "--set", "state.dir=" + state, "--http-port", String.valueOf(taken.getLocalPort()));
            assertThat(code).isEqualTo(1);
            assertThat(err.toString().strip()).doesNotContain("\n")
                    .startsWith("metastream run: cannot serve HTTP on 0.0.0.0:" + taken.getLocalPort())
                    .contains("--http-port or http.port");
        }
        assertThat(state.resolve("embedded-kafka")).as("the broker never started").doesNotExist();
    }

    @Test
    void aSecondRunOnTheSameStateDirectorySaysSoInOneLine() throws Exception {
        Path state = dir.resolve("state");
        try (EmbeddedKafka first = EmbeddedKafka.start(state.resolve("embedded-kafka"), 0, Map.of())) {
            StringWriter err = new StringWriter();
            assertThat(run(err, "--set", "state.dir=" + state)).isEqualTo(1);
            assertThat(err.toString().strip().lines().toList()).last().asString()
                    .isEqualTo("metastream run: the embedded broker's data in " + state.resolve("embedded-kafka")
                            .toAbsolutePath().normalize() + " is in use by another 'metastream run': stop it, or give "
                            + "this run a state.dir of its own (--set state.dir=...)");
        }
    }

    @Test
    void aClosedBrokerAddressIsReportedWithinSecondsNamingTheKey() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int code = run(err, "--set", "state.dir=" + dir.resolve("state"), "--set",
                "bootstrap.servers=127.0.0.1:" + closed);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertThat(code).isEqualTo(1);
        // (The line before it warns that the test's state.dir is under the OS temp directory.)
        assertThat(err.toString().strip().lines().toList()).last().asString()
                .startsWith("metastream run: cannot reach any broker of bootstrap.servers=127.0.0.1:" + closed)
                .contains("refused");
        assertThat(err.toString()).contains("warning: state.dir " + dir.resolve("state").toAbsolutePath().normalize()
                + " is under the OS temp directory");
        // Kafka Streams alone takes a minute (max.poll / api timeouts) to give up; the check answers at once.
        assertThat(seconds).as("well under Kafka's 60 s").isLessThan(45);
    }

    /**
     * Run, stop, run again: the second run resumes on the embedded broker's kept data and the kept stores. Then the
     * failure of the issue, on purpose: the stores against a broker that never had their topics' records make the
     * global thread fail; run says why and exits 1 instead of staying up. Last, the broker's data deleted but the
     * stores kept: run deletes the stale stores and learns again from scratch.
     */
    @Test
    void runThenRunResumesAndAStreamsErrorStopsTheProcess() throws Exception {
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(3).withSeed(5));
        Path state = dir.resolve("state");
        List<String> args = new ArrayList<>(List.of("--set", "state.dir=" + state, "--http-port", "0",
                "--set", "application.id=run-test",
                "--set", "input.dim=" + stream.config().inputDim(),
                "--set", "task.classes=" + stream.config().classes(),
                "--set", "model.trunk.layers=16", "--set", "learner.batch.size=16",
                "--set", "meta.sync.interval.ms=300", "--set", "snapshot.every.examples=100",
                "--set", "topics.partitions=2"));
        HttpCalls http = new HttpCalls(null);

        Run first = new Run(args.toArray(String[]::new));
        String bootstrap = first.await(Pattern.compile("bootstrap\\.servers=(\\S+)"));
        int port = Integer.parseInt(first.await(Pattern.compile("http=http://127\\.0\\.0\\.1:(\\d+)")));
        produce(bootstrap, stream, 600);
        long v1 = awaitMetaVersion(http, port, 1);
        assertThat(first.stop()).isEqualTo(0);
        assertThat(state.resolve("embedded-kafka")).isDirectory();
        assertThat(state.resolve("run-test")).isDirectory();

        Run second = new Run(args.toArray(String[]::new));
        String bootstrap2 = second.await(Pattern.compile("bootstrap\\.servers=(\\S+)"));
        int port2 = Integer.parseInt(second.await(Pattern.compile("http=http://127\\.0\\.0\\.1:(\\d+)")));
        HttpApiTest.awaitReady(http, port2);
        assertThat(http.get(port2, "/health/live").statusCode()).isEqualTo(200);
        // Resumed: the shared model it serves is the one the first run left, not a new one.
        assertThat(awaitMetaVersion(http, port2, v1)).isGreaterThanOrEqualTo(v1);
        produce(bootstrap2, stream, 300);
        awaitMetaVersion(http, port2, v1 + 1);
        assertThat(http.get(port2, "/health/live").statusCode()).isEqualTo(200);
        assertThat(second.stop()).isEqualTo(0);
        assertThat(second.err.toString()).doesNotContain("are deleted");

        // The stores' global checkpoint points past the end of an empty broker's meta-model topic.
        try (EmbeddedKafka other = EmbeddedKafka.start(null, 0, Map.of())) {
            List<String> against = new ArrayList<>(args);
            against.addAll(List.of("--set", "bootstrap.servers=" + other.bootstrapServers()));
            Run failing = new Run(against.toArray(String[]::new));
            assertThat(failing.exitCode()).as(failing.out + "\n" + failing.err).isEqualTo(1);
            assertThat(failing.err.toString()).contains("metastream run: Kafka Streams stopped with an error, so "
                    + "this instance stops too:");
        }

        // The broker's data deleted, the stores kept: the stores are deleted with a note, and it learns again.
        TempDirs.deleteQuietly(state.resolve("embedded-kafka"));
        Run third = new Run(args.toArray(String[]::new));
        String bootstrap3 = third.await(Pattern.compile("bootstrap\\.servers=(\\S+)"));
        int port3 = Integer.parseInt(third.await(Pattern.compile("http=http://127\\.0\\.0\\.1:(\\d+)")));
        assertThat(third.err.toString()).contains("the embedded broker starts empty").contains("are deleted");
        HttpApiTest.awaitReady(http, port3);
        produce(bootstrap3, stream, 600);
        awaitMetaVersion(http, port3, 1);
        assertThat(http.get(port3, "/health/live").statusCode()).isEqualTo(200);
        assertThat(third.stop()).isEqualTo(0);
    }

    /** Waits for /models/meta to serve a shared model of at least this version; returns the version. */
    private static long awaitMetaVersion(HttpCalls http, int port, long atLeast) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.get(port, "/models/meta");
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200) {
                long v = JSON.readTree(r.body()).path("version").asLong();
                if (v >= atLeast) {
                    return v;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no shared model of version >= " + atLeast + ": " + last);
    }

    private static void produce(String bootstrap, SyntheticStream stream, int n) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                SyntheticStream.Example e = stream.next();
                producer.send(new ProducerRecord<>("metastream.examples", e.task(), SyntheticStream.toJson(e)));
            }
            producer.flush();
        }
    }
}
