package dev.metastream.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code metastream run}: runs one instance against the brokers the configuration names, or, with no
 * {@code bootstrap.servers}, against an embedded single-node broker it starts and announces.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run metastream against the brokers in the config file (or an embedded broker when it names none).")
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Properties file (see config/application.properties).")
    Path configFile;

    @Option(names = "--embedded-port", defaultValue = "0",
            description = "Port of the embedded broker when bootstrap.servers is empty (0 = any free port).")
    int embeddedPort;

    @Option(names = "--http-port",
            description = "Port of the HTTP API (health, POST /predict, /models, Prometheus /metrics); overrides http.port. 0 = any free port.")
    Integer httpPort;

    @Override
    public Integer call() throws Exception {
        AppConfig config;
        try {
            config = AppConfig.load(configFile);
            if (httpPort != null) {
                Properties p = new Properties();
                p.putAll(config.all());
                p.setProperty("http.port", String.valueOf(httpPort));
                config = AppConfig.of(p);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("invalid configuration in " + configFile + ": " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            System.err.println("cannot read " + configFile + ": " + e.getMessage());
            return 2;
        }
        EmbeddedKafka broker = null;
        String bootstrap = config.all().getProperty("bootstrap.servers", "");
        if (config.embedded()) {
            broker = EmbeddedKafka.start(null, embeddedPort, Map.of());
            bootstrap = broker.bootstrapServers();
            System.out.println("bootstrap.servers=" + bootstrap);
            System.out.flush();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedKafka embedded = broker;
        MetastreamApp app = new MetastreamApp(config, bootstrap);
        // Ctrl-C / SIGTERM: close Streams (a clean commit) before the broker it talks to.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            if (embedded != null) {
                embedded.close();
            }
            stopped.countDown();
        }, "metastream-shutdown"));
        try {
            app.ensureTopics();
        } catch (IllegalStateException e) {
            // Wrong brokers, credentials or topic layout: say so in one line and stop (the hook closes the rest).
            System.err.println("metastream run: " + e.getMessage());
            return 1;
        }
        app.start();
        if (app.httpPort() >= 0) {
            System.out.println("http=http://127.0.0.1:" + app.httpPort() + " (metrics at /metrics)");
            System.out.flush();
        }
        stopped.await();
        return 0;
    }
}
