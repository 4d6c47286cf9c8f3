package dev.metastream.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The slowest single phase of a Kafka Streams client's stream threads, from its own {@code stream-thread-metrics}:
 * the longest {@code process}, {@code punctuate}, {@code commit} and {@code poll} call, in milliseconds (the maximum
 * over the client's threads and over the metrics' sample window, 2 x 30 s by default). A paced run's p99 latency is
 * bounded below by what blocks its stream thread longest, so {@code bench --latency} prints these beside it to say
 * which phase a tail comes from.
 */
final class ThreadPhases {
    /** The phases read, as Kafka Streams names their {@code -latency-max} metrics. */
    static final List<String> PHASES = List.of("process", "punctuate", "commit", "poll");

    private ThreadPhases() {
    }

    /** Each phase's slowest call in ms, over all of {@code streams}' threads; a phase not measured is left out. */
    static Map<String, Double> maxima(KafkaStreams streams) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (streams == null) {
            return out;
        }
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName name = e.getKey();
            if (!"stream-thread-metrics".equals(name.group())) {
                continue;
            }
            for (String phase : PHASES) {
                if (name.name().equals(phase + "-latency-max") && e.getValue().metricValue() instanceof Double v
                        && Double.isFinite(v)) {
                    out.merge(phase, v, Math::max);
                }
            }
        }
        return out;
    }

    /** {@code process 12.3, punctuate 140.0, ...} in {@link #PHASES} order. */
    static String describe(Map<String, Double> maxima) {
        StringBuilder b = new StringBuilder();
        for (String phase : PHASES) {
            Double v = maxima.get(phase);
            if (v != null) {
                b.append(b.isEmpty() ? "" : ", ").append(phase).append(' ').append(String.format("%.1f", v));
            }
        }
        return b.isEmpty() ? "none measured" : b.toString();
    }
}
