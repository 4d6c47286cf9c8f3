package dev.metastream.app;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this process's Java threads, grouped by what they do, between two snapshots: where the cores went while
 * {@code bench --latency} measured, with the broker, the sender and the reader in the same process as the application.
 * The rest of the process's CPU time (collector and compiler threads, RocksDB's native threads) is reported as one
 * group.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> nanosByThread;
    private final Map<Long, String> names;
    private final long processNanos;
    private final long wallNanos;

    private ThreadCpu(Map<Long, Long> nanosByThread, Map<Long, String> names, long processNanos, long wallNanos) {
        this.nanosByThread = nanosByThread;
        this.names = names;
        this.processNanos = processNanos;
        this.wallNanos = wallNanos;
    }

    /** The CPU time of every live thread now. */
    static ThreadCpu snapshot() {
        Map<Long, Long> nanos = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = THREADS.getThreadCpuTime(ids[i]);
            if (cpu >= 0 && infos[i] != null) {
                nanos.put(ids[i], cpu);
                names.put(ids[i], infos[i].getThreadName());
            }
        }
        return new ThreadCpu(nanos, names, BenchCommand.processCpuNanos(), System.nanoTime());
    }

    /**
     * Cores used between {@code start} and this snapshot, by group, largest first; threads that started in between
     * count from zero.
     */
    Map<String, Double> coresSince(ThreadCpu start) {
        double wall = wallNanos - start.wallNanos;
        Map<String, Double> cores = new HashMap<>();
        long threads = 0;
        for (Map.Entry<Long, Long> e : nanosByThread.entrySet()) {
            long used = e.getValue() - start.nanosByThread.getOrDefault(e.getKey(), 0L);
            threads += used;
            cores.merge(group(names.get(e.getKey())), used / wall, Double::sum);
        }
        cores.merge("other (collector, compiler, native)",
                Math.max(0, processNanos - start.processNanos - threads) / wall, Double::sum);
        Map<String, Double> sorted = new LinkedHashMap<>();
        cores.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** What a thread does, from its name (Kafka's and Kafka Streams' thread names, and the bench's own). */
    static String group(String name) {
        if (name.contains("kafka-producer-network-thread")) {
            return name.contains("StreamThread") ? "stream threads' producers" : "sender's producer";
        }
        if (name.contains("StreamThread")) {
            return "stream threads";
        }
        if (name.startsWith("data-plane-kafka") || name.startsWith("kafka-") || name.startsWith("broker-")
                || name.contains("raft") || name.contains("coordinator") || name.startsWith("quorum-")
                || name.startsWith("ExpirationReaper") || name.startsWith("LogDirFailureHandler")) {
            return "broker";
        }
        if (name.equals("main")) {
            return "sender (the bench's producer)";
        }
        if (name.startsWith("bench-output-reader")) {
            return "reader";
        }
        return "other threads";
    }

    /** " group 0.91, ..." in cores. */
    static String describe(Map<String, Double> cores) {
        StringBuilder sb = new StringBuilder();
        cores.forEach((group, c) -> sb.append(String.format(" %s %.2f,", group, c)));
        return sb.isEmpty() ? "" : sb.substring(0, sb.length() - 1);
    }
}
