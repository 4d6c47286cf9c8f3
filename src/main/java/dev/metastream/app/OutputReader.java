package dev.metastream.app;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one output topic from its beginning, read_committed like any downstream consumer, for {@code bench}: counts
 * the records, and for those whose timestamp falls in a window keeps receive time minus record timestamp. Kafka
 * Streams stamps an output with the timestamp of the input record it came from (metastream's predictions and the
 * passthrough's outputs both), and the bench's producer stamps each input when it sends it, so that difference is the
 * end-to-end latency with no matching of ids. It deserialises nothing, so it costs both applications the same.
 * Partitions are assigned, not subscribed: no consumer-group rebalance delays the first read.
 */
final class OutputReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    /** Records read. */
    final AtomicLong records = new AtomicLong();
    private volatile long windowFrom = Long.MAX_VALUE;
    private volatile long windowTo = Long.MAX_VALUE;
    private long[] latencies = new long[1 << 16];
    /** The largest latency of the records stamped in each second of the window: when the slow ones were sent. */
    private long[] secondMax = new long[0];
    /** How many of the records stamped in each second of the window took over {@link #SLOW_MS}. */
    private int[] secondSlow = new int[0];
    /** The latency goal's bound at_least_once: outputs slower than this are counted per second of the window. */
    static final long SLOW_MS = 50;
    private int latencyCount;
    /** Records in the window read so far: compared with those sent in it to see what is still in flight. */
    final AtomicLong inWindow = new AtomicLong();
    /** Every record's timestamp, in the order read, when kept; guarded by this. */
    private long[] timestamps;
    private int timestampCount;

    /**
     * @param fetchMaxWaitMs the consumer's {@code fetch.max.wait.ms}: how long the broker may hold a fetch that finds
     *                       nothing readable (with read_committed it can hold it for the whole wait even after a
     *                       transaction's commit made records readable), an upper bound on what the reader itself
     *                       adds to a latency
     */
    OutputReader(String bootstrapServers, String topic, int fetchMaxWaitMs) {
        this(bootstrapServers, topic, fetchMaxWaitMs, false);
    }

    /**
     * @param keepTimestamps whether to keep every record's timestamp, for {@link #timestamps()}: on a topic stamped at
     *                       append ({@code message.timestamp.type=LogAppendTime}) these say when the application wrote
     *                       each output, which under exactly-once is up to a commit interval before a read_committed
     *                       reader can see it
     */
    OutputReader(String bootstrapServers, String topic, int fetchMaxWaitMs, boolean keepTimestamps) {
        if (keepTimestamps) {
            timestamps = new long[1 << 16];
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(this::loop, "bench-output-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Every record's timestamp, in the order read (none unless made to keep them). */
    synchronized long[] timestamps() {
        return timestamps == null ? new long[0] : java.util.Arrays.copyOf(timestamps, timestampCount);
    }

    /** From now on, keep the latency of records stamped in [from, to) (epoch milliseconds). */
    synchronized void window(long from, long to) {
        secondMax = new long[(int) ((to - from + 999) / 1000)];
        secondSlow = new int[secondMax.length];
        windowTo = to;
        windowFrom = from;
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    records.incrementAndGet();
                    long ts = r.timestamp();
                    if (timestamps != null) {
                        stamp(ts);
                    }
                    if (ts >= windowFrom && ts < windowTo) {
                        keep(now - ts, (int) ((ts - windowFrom) / 1000));
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private synchronized void stamp(long ts) {
        if (timestampCount == timestamps.length) {
            timestamps = java.util.Arrays.copyOf(timestamps, timestamps.length * 2);
        }
        timestamps[timestampCount++] = ts;
    }

    private synchronized void keep(long latencyMs, int second) {
        secondMax[second] = Math.max(secondMax[second], latencyMs);
        if (latencyMs > SLOW_MS) {
            secondSlow[second]++;
        }
        if (latencyCount == latencies.length) {
            latencies = java.util.Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = latencyMs;
        inWindow.incrementAndGet();
    }

    /** The latencies kept so far. */
    synchronized LatencyStats latency() {
        return LatencyStats.of(latencies, latencyCount);
    }

    /** The largest latency of each second of the window, by the second its records were sent in. */
    synchronized long[] maxBySecond() {
        return secondMax.clone();
    }

    /** How many outputs took over {@link #SLOW_MS} in each second of the window, by the second they were sent in. */
    synchronized int[] slowBySecond() {
        return secondSlow.clone();
    }

    /** Why the reading thread stopped early, or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
