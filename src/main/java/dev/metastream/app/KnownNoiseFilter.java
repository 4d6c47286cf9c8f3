package dev.metastream.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drops the few log lines Kafka prints in a healthy run that read like failures (logback.xml installs it on the
 * console). Each rule names one logger, one level and one message (or exception), so nothing else from that logger
 * is hidden; docs/operations.md lists them and says why each is harmless:
 *
 * <ul>
 *   <li>{@code kafka.server.ReplicaManager} ERROR "Error processing append operation" with an
 *       {@code OutOfOrderSequenceException}: the in-process broker rejecting the later batches of an exactly-once
 *       producer's first transaction on a partition while the first batch is being retried; the producer retries
 *       them in order and they are written once.
 *   <li>{@code org.apache.kafka.clients.producer.internals.Sender} WARN "Got error produce response ... retrying"
 *       with error {@code OUT_OF_ORDER_SEQUENCE_NUMBER} or {@code CONCURRENT_TRANSACTIONS}: the client side of the
 *       same retries. When retries run out, the producer fails the send and Kafka Streams logs that at ERROR, which
 *       is not filtered.
 *   <li>{@code org.apache.kafka.clients.NetworkClient} WARN "The metadata response from the cluster reported a
 *       recoverable issue" when every topic it names is a Kafka Streams internal topic ({@code -repartition},
 *       {@code -changelog}) that is {@code UNKNOWN_TOPIC_OR_PARTITION}: Kafka Streams asks for them a moment before
 *       it has created them.
 *   <li>{@code org.apache.kafka.clients.NetworkClient} WARN "Attempting to close NetworkClient that has already been
 *       closed": the embedded broker's shutdown closing a client twice.
 *   <li>{@code org.apache.kafka.controller.QuorumController} WARN "Performing controller activation." (on a new data
 *       directory followed by "The metadata log appears to be empty"): the embedded broker's controller starting.
 *   <li>{@code org.apache.kafka.server.DefaultAutoTopicCreationManager} WARN "Auto topic creation failed for
 *       __transaction_state (or __consumer_offsets) with error 'TOPIC_ALREADY_EXISTS'": the broker's first
 *       transactional (or group) clients racing to create the broker's own internal topic; one wins, the rest find
 *       it there.
 *   <li>{@code org.apache.kafka.streams.processor.internals.StateDirectory} WARN "Using an OS temp directory in the
 *       state.dir property": the demo, evaluate, bench and soak keep their stores in temporary directories on
 *       purpose and delete them at the end; {@code run} warns in its own words when a user's state.dir is there.
 *   <li>{@code org.apache.kafka.streams.StreamsConfig} WARN "Processing exception handler is not enabled for the
 *       GlobalThread": printed for the default configuration a {@code StreamsBuilder} makes for itself while the
 *       topology is built; the configuration Kafka Streams runs with enables it
 *       ({@link AppConfig#streamsProperties}).
 * </ul>
 */
public final class KnownNoiseFilter extends Filter<ILoggingEvent> {

    private static final Pattern INTERNAL_TOPIC_EXISTS = Pattern.compile(
            "Auto topic creation failed for (__transaction_state|__consumer_offsets) with error 'TOPIC_ALREADY_EXISTS'");
    private static final Pattern METADATA_ISSUE = Pattern.compile("recoverable issue with correlation id \\d+ : \\{(.*)}");

    /** Creates the filter (logback instantiates it from logback.xml). */
    public KnownNoiseFilter() {
    }

    @Override
    public FilterReply decide(ILoggingEvent e) {
        return isKnownNoise(e) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    /**
     * Whether an event is one of the harmless lines listed in the class documentation.
     *
     * @param e a logging event
     * @return true to drop it
     */
    static boolean isKnownNoise(ILoggingEvent e) {
        String logger = e.getLoggerName();
        Level level = e.getLevel();
        String m = e.getFormattedMessage();
        if (m == null) {
            return false;
        }
        return switch (logger) {
            case "kafka.server.ReplicaManager" -> level == Level.ERROR
                    && m.startsWith("[ReplicaManager broker=") && m.contains("Error processing append operation")
                    && thrown(e, "org.apache.kafka.common.errors.OutOfOrderSequenceException");
            case "org.apache.kafka.clients.producer.internals.Sender" -> level == Level.WARN
                    && m.contains("Got error produce response") && m.contains(", retrying (")
                    && (m.contains("Error: OUT_OF_ORDER_SEQUENCE_NUMBER") || m.contains("Error: CONCURRENT_TRANSACTIONS"));
            case "org.apache.kafka.clients.NetworkClient" -> level == Level.WARN
                    && (m.endsWith("Attempting to close NetworkClient that has already been closed.")
                    || onlyInternalTopicsUnknown(m));
            case "org.apache.kafka.controller.QuorumController" -> level == Level.WARN
                    && m.startsWith("[QuorumController id=") && m.contains("] Performing controller activation.");
            case "org.apache.kafka.server.DefaultAutoTopicCreationManager" -> level == Level.WARN
                    && INTERNAL_TOPIC_EXISTS.matcher(m).lookingAt();
            case "org.apache.kafka.streams.processor.internals.StateDirectory" -> level == Level.WARN
                    && m.startsWith("Using an OS temp directory in the state.dir property");
            case "org.apache.kafka.streams.StreamsConfig" -> level == Level.WARN
                    && m.startsWith("Processing exception handler is not enabled for the GlobalThread");
            default -> false;
        };
    }

    /** A metadata warning whose every topic is a Kafka Streams internal topic not created yet. */
    private static boolean onlyInternalTopicsUnknown(String m) {
        Matcher matcher = METADATA_ISSUE.matcher(m);
        if (!matcher.find() || matcher.group(1).isBlank()) {
            return false;
        }
        for (String entry : matcher.group(1).split(",")) {
            String[] kv = entry.trim().split("=", 2);
            if (kv.length != 2 || !kv[1].equals("UNKNOWN_TOPIC_OR_PARTITION")
                    || !(kv[0].endsWith("-repartition") || kv[0].endsWith("-changelog"))) {
                return false;
            }
        }
        return true;
    }

    private static boolean thrown(ILoggingEvent e, String className) {
        IThrowableProxy t = e.getThrowableProxy();
        return t != null && className.equals(t.getClassName());
    }
}
