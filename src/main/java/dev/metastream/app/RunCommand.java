package dev.metastream.app;

import dev.metastream.http.HttpSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metastream run}: runs one instance against the brokers the configuration names, or, with no
 * {@code bootstrap.servers}, against an embedded single-node broker it starts and announces.
 *
 * <p>The embedded broker keeps its data in {@code <state.dir>/embedded-kafka}, beside the stores Kafka Streams keeps
 * in {@code <state.dir>/<application.id>}, so stopping {@code run} and starting it again resumes: the broker comes back
 * with its topics, offsets and shared-model versions, and the stores with their checkpoints. Stores without the broker
 * they were built against (the broker directory deleted, the stores kept) would point past the end of the new
 * broker's topics, so they are deleted when the broker starts from nothing.
 *
 * <p>Exit codes: 0 after Ctrl-C / SIGTERM, 1 when something outside the configuration fails (brokers unreachable, the
 * HTTP port in use, Kafka Streams reaching ERROR), 2 for a configuration error (an unknown key, a bad value).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run metastream against the brokers in the configuration (or an embedded broker when it names none).")
public final class RunCommand implements Callable<Integer> {
    /** How long a broker may take to accept a connection and answer, before run says it cannot reach it. */
    static final Duration BROKER_CHECK_TIMEOUT = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file (see config/application.properties). Without it, every key has its default.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A setting over the --config file's (repeatable), e.g. --set learner.batch.size=16.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--embedded-port", defaultValue = "0",
            description = "Port of the embedded broker when bootstrap.servers is empty (0 = any free port).")
    int embeddedPort;

    @Option(names = "--http-port",
            description = "Port of the HTTP API (health, POST /predict, /models, Prometheus /metrics); overrides http.port. 0 = any free port.")
    Integer httpPort;

    /** Counted down to stop the instance: by the shutdown hook (Ctrl-C, SIGTERM), or by a test. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AppConfig config;
        try {
            List<String> all = new ArrayList<>(sets);
            if (httpPort != null) {
                all.add("http.port=" + httpPort);
            }
            config = AppConfig.fromCommandLine(configFile, all);
        } catch (NoSuchFileException e) {
            return fail(err, 2, "cannot read --config " + configFile + ": no such file");
        } catch (IOException e) {
            return fail(err, 2, "cannot read --config " + configFile + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return fail(err, 2, "invalid configuration: " + e.getMessage());
        }
        try {
            // Kafka Streams' own check of its values (processing.guarantee=exactly_once_v3), before anything starts.
            new StreamsConfig(config.streamsProperties("127.0.0.1:9092"));
        } catch (ConfigException e) {
            return fail(err, 2, "invalid configuration: " + e.getMessage());
        }
        HttpSettings http = config.http();
        String portInUse = portInUse(http);
        if (portInUse != null) {
            // Checked before the broker starts, so the one line says it all.
            return fail(err, 1, portInUse);
        }
        Path stateDir = config.stateDir();
        if (underTempDir(stateDir)) {
            err.println("metastream run: warning: state.dir " + stateDir + " is under the OS temp directory, which the "
                    + "OS may clear while the stores are in use; set state.dir to a directory of its own");
        }
        EmbeddedKafka broker = null;
        String bootstrap = config.all().getProperty("bootstrap.servers", "");
        if (config.embedded()) {
            if (EmbeddedKafka.inUse(config.embeddedBrokerDir())) {
                return fail(err, 1, "the embedded broker's data in " + config.embeddedBrokerDir() + " is in use by "
                        + "another 'metastream run': stop it, or give this run a state.dir of its own "
                        + "(--set state.dir=...)");
            }
            try {
                broker = startEmbedded(config, embeddedPort, err);
            } catch (RuntimeException e) {
                return fail(err, 1, "the embedded broker (data in " + config.embeddedBrokerDir() + ") did not start: "
                        + e.getMessage());
            }
            bootstrap = broker.bootstrapServers();
            out.println("bootstrap.servers=" + bootstrap);
            out.println("state.dir=" + stateDir + " (embedded broker data in " + config.embeddedBrokerDir() + ")");
        } else {
            out.println("state.dir=" + stateDir);
        }
        out.flush();
        EmbeddedKafka embedded = broker;
        MetastreamApp app = new MetastreamApp(config, bootstrap);
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C / SIGTERM: ask the main thread to stop, and keep the JVM up until it has closed Streams (a clean
        // commit) and then the broker it talks to.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "metastream-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.failure().thenRun(stop::countDown);
        try {
            if (!config.embedded()) {
                app.checkBrokers(BROKER_CHECK_TIMEOUT);
            }
            app.ensureTopics();
            app.start();
        } catch (ConfigException e) {
            // A value only Kafka checks (processing.guarantee=exactly_once_v3, a malformed ssl.* setting).
            shutDown(app, embedded, hook, closed);
            return fail(err, 2, "invalid configuration: " + e.getMessage());
        } catch (IllegalStateException | UncheckedIOException | KafkaException e) {
            // Wrong brokers, credentials or topic layout, a port taken meanwhile: say so in one line and stop.
            shutDown(app, embedded, hook, closed);
            return fail(err, 1, e.getMessage());
        }
        if (app.httpPort() >= 0) {
            out.println("http=http://127.0.0.1:" + app.httpPort() + " (dashboard at /, metrics at /metrics)");
            out.flush();
        }
        stop.await();
        String failure = app.failure().getNow(null);
        shutDown(app, embedded, hook, closed);
        if (failure != null) {
            return fail(err, 1, "Kafka Streams stopped with an error, so this instance stops too: " + failure);
        }
        return 0;
    }

    /**
     * Starts the embedded broker on its data directory beside the stores. When that directory holds no broker yet
     * but stores of this application.id exist, the stores were built against another broker (one since deleted): their
     * checkpoints point past the end of the new broker's topics, which the global store cannot recover from, so they
     * are deleted and rebuilt from the (empty) topics.
     */
    static EmbeddedKafka startEmbedded(AppConfig config, int port, PrintWriter err) {
        Path brokerDir = config.embeddedBrokerDir();
        Path stores = config.stateDir().resolve(config.all().getProperty("application.id"));
        if (!EmbeddedKafka.isFormatted(brokerDir) && Files.isDirectory(stores)) {
            err.println("metastream run: the embedded broker starts empty (no data in " + brokerDir + "), so the stores "
                    + "in " + stores + ", built against another broker, are deleted");
            err.flush();
            TempDirs.deleteQuietly(stores);
        }
        return EmbeddedKafka.start(brokerDir, port, Map.of());
    }

    /** Why the HTTP port cannot be served (one line naming the port and how to choose another), or null. */
    static String portInUse(HttpSettings http) {
        if (!http.enabled() || http.port() == 0) {
            return null;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(http.bindAddress()), http.port()));
            return null;
        } catch (IOException e) {
            return "cannot serve HTTP on " + http.bindAddress() + ":" + http.port() + " (" + e.getMessage()
                    + "): the port is in use or not allowed; choose another with --http-port or http.port "
                    + "(0 = any free port), or stop what uses it";
        }
    }

    private static boolean underTempDir(Path dir) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        return dir.startsWith(tmp);
    }

    private void shutDown(MetastreamApp app, EmbeddedKafka broker, Thread hook, CountDownLatch closed) {
        try {
            // Alone on its embedded broker, the instance leaves its group, so the next run is assigned its
            // partitions at once instead of after the old member's session timeout.
            if (broker != null) {
                app.closeAndLeaveGroup();
                broker.close();
            } else {
                app.close();
            }
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running and waits for closed, counted down above.
            }
        }
    }

    private static int fail(PrintWriter err, int code, String message) {
        err.println("metastream run: " + message);
        err.flush();
        return code;
    }
}
