package dev.metastream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.bench.BenchStreams;
import dev.metastream.topology.BoundedRocksDbConfigSetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bytedeco.javacpp.Pointer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code metastream soak}: runs the application for a long time at full rate and watches its memory, to show that
 * the process's resident size stays flat (bounded RocksDB memory, bounded heap, no native leak).
 *
 * <p>One process holds an embedded broker, the application (the benchmark's shape: d=100, 64-unit trunk, 10 classes,
 * 100 tasks) and a producer. At {@code --rate max} the producer keeps at most {@code --max-lag} examples ahead of
 * what the application has scored, so the application runs as fast as it can without an ever-growing backlog. Every
 * {@code --interval} seconds it samples: the process's resident set ({@code VmRSS} and its anonymous part
 * {@code RssAnon} from {@code /proc/self/status}), heap used and committed, JavaCPP's native allocations (ND4J),
 * the shared RocksDB cache's usage, and examples per second. It ends with first, last and peak RSS and the slope of
 * RSS over the second half of the run (least squares, MB per minute).
 *
 * <p>The RSS includes the embedded broker: its heap, its threads and its memory-mapped index files.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Run at full rate for a long time on an embedded broker and report whether memory stays flat.")
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--minutes", defaultValue = "10", description = "Minutes to run (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--rate", defaultValue = "max",
            description = "Examples per second, or 'max' for as fast as the application keeps up (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--interval", defaultValue = "30", description = "Seconds between samples (default: ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Option(names = "--partitions", defaultValue = "2", description = "Input partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--threads", defaultValue = "2", description = "Stream threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--guarantee", defaultValue = "exactly_once_v2",
            description = "processing.guarantee (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--max-lag", defaultValue = "20000",
            description = "At --rate max: most examples sent but not yet scored (default: ${DEFAULT-VALUE}).")
    long maxLag;

    @Option(names = "--config", description = "Properties applied on top of the soak's own (e.g. rocksdb.memory.total.mb).")
    Path configFile;

    @Option(names = "--json", description = "Also write the samples and summary to this JSON file.")
    Path json;

    /** One sample of the process's memory and progress. */
    record Sample(double minutes, long scored, double perSecond, double rssMb, double rssAnonMb, double heapUsedMb,
                  double heapCommittedMb, double javacppMb, double blockCacheMb) {
        /** Resident memory that is not committed Java heap: RocksDB, ND4J, metaspace, code, threads, malloc. */
        double nonHeapMb() {
            return rssMb - heapCommittedMb;
        }
    }

    @Override
    public Integer call() throws Exception {
        long fixedRate = 0;
        if (!rate.equalsIgnoreCase("max")) {
            try {
                fixedRate = Long.parseLong(rate);
            } catch (NumberFormatException e) {
                fixedRate = -1;
            }
        }
        if (minutes <= 0 || intervalSeconds <= 0 || fixedRate < 0 || partitions <= 0 || threads <= 0 || maxLag <= 0) {
            System.err.println("--minutes, --interval, --partitions, --threads and --max-lag must be positive; "
                    + "--rate is a positive number or 'max'");
            return 2;
        }
        Path state = Files.createTempDirectory("metastream-soak");
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-soak");
        p.setProperty("processing.guarantee", guarantee);
        p.setProperty("num.stream.threads", String.valueOf(threads));
        p.setProperty("state.dir", state.toString());
        p.setProperty("topics.partitions", String.valueOf(partitions));
        p.setProperty("input.dim", String.valueOf(BenchStreams.DIM));
        p.setProperty("task.classes", String.valueOf(BenchStreams.CLASSES));
        p.setProperty("model.trunk.layers", "64");
        p.setProperty("learner.batch.size", "32");
        if (configFile != null) {
            // Only the keys the file gives: its defaults must not replace the soak's own (application.id, state.dir).
            Properties extra;
            try {
                extra = AppConfig.readChecked(configFile);
            } catch (IllegalArgumentException e) {
                System.err.println("invalid configuration: " + e.getMessage());
                return 2;
            }
            extra.stringPropertyNames().forEach(n -> p.setProperty(n, extra.getProperty(n).trim()));
        }
        AppConfig config;
        try {
            config = AppConfig.of(p);
        } catch (IllegalArgumentException e) {
            System.err.println("invalid configuration: " + e.getMessage());
            return 2;
        }
        // A long run writes gigabytes; the broker keeps only the last minutes of each (non-compacted) topic.
        Map<String, String> broker = Map.of("log.retention.ms", "120000", "log.segment.bytes", "16777216",
                "log.retention.check.interval.ms", "15000");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        System.out.printf("metastream soak: %.1f min, rate %s, %d partitions, %d stream threads, %s, "
                        + "rocksdb.config.setter=%s, rocksdb.memory.total.mb=%s, max heap %d MB%n", minutes, rate,
                partitions, threads, guarantee, config.all().getProperty("rocksdb.config.setter", "(Kafka default)"),
                config.all().getProperty(BoundedRocksDbConfigSetter.TOTAL_MB),
                Runtime.getRuntime().maxMemory() >> 20);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null, 0, broker);
             MetastreamApp app = new MetastreamApp(config, kafka.bootstrapServers(), registry)) {
            app.ensureTopics();
            app.start();
            app.awaitRunning(Duration.ofSeconds(120));
            Counter scored = registry.get("metastream.examples.scored").counter();
            return soak(config, kafka.bootstrapServers(), scored, fixedRate);
        } finally {
            TempDirs.deleteQuietly(state);
        }
    }

    private int soak(AppConfig config, String bootstrap, Counter scored, long fixedRate) throws Exception {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean failed = new AtomicBoolean();
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        Thread producer = new Thread(() -> {
            BenchStreams stream = new BenchStreams(300);
            try (KafkaProducer<byte[], byte[]> kp = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (long i = 0; !stop.get() && System.nanoTime() < end; i++) {
                    if (fixedRate > 0) {
                        long wait = start + (long) (i * 1e9 / fixedRate) - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    } else {
                        while (i - (long) scored.count() > maxLag && !stop.get()) {
                            Thread.sleep(2);
                        }
                    }
                    kp.send(new ProducerRecord<>(config.topology().examplesTopic(),
                            stream.nextJson().getBytes(StandardCharsets.UTF_8)), (md, ex) -> {
                                if (ex != null) {
                                    failed.set(true);
                                }
                            });
                    sent.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "soak-producer");
        producer.setDaemon(true);
        producer.start();

        List<Sample> samples = new ArrayList<>();
        System.out.println();
        System.out.printf("%7s %12s %10s %9s %9s %9s %9s %9s %9s %9s%n", "minute", "scored", "ex/s", "RSS MB",
                "anon MB", "heap MB", "heap cmt", "non-heap", "javacpp", "rocksdb");
        long lastScored = 0;
        long lastT = start;
        while (System.nanoTime() < end && producer.isAlive()) {
            long next = Math.min(end, lastT + TimeUnit.SECONDS.toNanos(intervalSeconds));
            TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
            long now = System.nanoTime();
            long s = (long) scored.count();
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long[] rss = rssKb();
            Sample sample = new Sample((now - start) / 60e9, s, (s - lastScored) / ((now - lastT) / 1e9),
                    rss[0] / 1024.0, rss[1] / 1024.0, heap.getUsed() / 1048576.0, heap.getCommitted() / 1048576.0,
                    Pointer.totalBytes() / 1048576.0, BoundedRocksDbConfigSetter.cacheUsage() / 1048576.0);
            samples.add(sample);
            System.out.printf("%7.1f %,12d %,10.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.1f%n", sample.minutes(),
                    sample.scored(), sample.perSecond(), sample.rssMb(), sample.rssAnonMb(), sample.heapUsedMb(),
                    sample.heapCommittedMb(), sample.nonHeapMb(), sample.javacppMb(), sample.blockCacheMb());
            lastScored = s;
            lastT = now;
        }
        stop.set(true);
        producer.join(10_000);
        Summary summary = Summary.of(samples);
        System.out.println();
        System.out.printf("examples scored: %,d in %.1f min (%,.0f/s)%n", lastScored, (lastT - start) / 60e9,
                lastScored / ((lastT - start) / 1e9));
        System.out.printf("RSS: first %.0f MB, last %.0f MB, peak %.0f MB; slope over the second half %+.2f MB/min "
                        + "(anonymous part %+.2f, RSS minus committed heap %+.2f MB/min)%n", summary.first,
                summary.last, summary.peak, summary.slope, summary.anonSlope, summary.nonHeapSlope);
        if (json != null) {
            writeJson(samples, summary, config);
            System.out.println("wrote " + json);
        }
        if (failed.get()) {
            System.out.println("FAILED: the producer could not send some examples");
            return 1;
        }
        return 0;
    }

    /** First, last, peak RSS and the least-squares slopes over the second half. */
    record Summary(double first, double last, double peak, double slope, double anonSlope, double nonHeapSlope) {
        static Summary of(List<Sample> samples) {
            if (samples.isEmpty()) {
                return new Summary(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            List<Sample> half = samples.subList(samples.size() / 2, samples.size());
            return new Summary(samples.get(0).rssMb(), samples.get(samples.size() - 1).rssMb(),
                    samples.stream().mapToDouble(Sample::rssMb).max().orElseThrow(),
                    SoakCommand.slope(half, Sample::rssMb), SoakCommand.slope(half, Sample::rssAnonMb),
                    SoakCommand.slope(half, Sample::nonHeapMb));
        }
    }

    /** Least-squares slope of {@code y} against minutes. */
    static double slope(List<Sample> xs, java.util.function.ToDoubleFunction<Sample> y) {
        if (xs.size() < 2) {
            return Double.NaN;
        }
        double mx = xs.stream().mapToDouble(Sample::minutes).average().orElseThrow();
        double my = xs.stream().mapToDouble(y).average().orElseThrow();
        double num = 0;
        double den = 0;
        for (Sample s : xs) {
            num += (s.minutes() - mx) * (y.applyAsDouble(s) - my);
            den += (s.minutes() - mx) * (s.minutes() - mx);
        }
        return num / den;
    }

    /** {@code VmRSS} and {@code RssAnon} of this process in kB (-1 where /proc is not there). */
    static long[] rssKb() {
        long[] r = {-1, -1};
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    r[0] = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("RssAnon:")) {
                    r[1] = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux: report -1.
        }
        return r;
    }

    private void writeJson(List<Sample> samples, Summary summary, AppConfig config) throws IOException {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = m.createObjectNode();
        n.put("minutes", minutes);
        n.put("rate", rate);
        n.put("partitions", partitions);
        n.put("stream_threads", threads);
        n.put("processing_guarantee", guarantee);
        n.put("rocksdb_config_setter", config.all().getProperty("rocksdb.config.setter", ""));
        n.put("rocksdb_memory_total_mb", config.all().getProperty(BoundedRocksDbConfigSetter.TOTAL_MB));
        n.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        n.put("cores", Runtime.getRuntime().availableProcessors());
        n.put("rss_first_mb", summary.first());
        n.put("rss_last_mb", summary.last());
        n.put("rss_peak_mb", summary.peak());
        n.put("rss_slope_second_half_mb_per_min", summary.slope());
        n.put("rss_anon_slope_second_half_mb_per_min", summary.anonSlope());
        n.put("rss_minus_heap_slope_second_half_mb_per_min", summary.nonHeapSlope());
        ArrayNode a = n.putArray("samples");
        for (Sample s : samples) {
            a.addPOJO(Map.of("minute", s.minutes(), "scored", s.scored(), "examples_per_second", s.perSecond(),
                    "rss_mb", s.rssMb(), "rss_anon_mb", s.rssAnonMb(), "heap_used_mb", s.heapUsedMb(),
                    "heap_committed_mb", s.heapCommittedMb(), "javacpp_mb", s.javacppMb(),
                    "rocksdb_cache_mb", s.blockCacheMb(), "non_heap_mb", s.nonHeapMb()));
        }
        n.put("measured_at", java.time.Instant.now().toString());
        m.writeValue(json.toFile(), n);
    }
}
