package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.spi.FilterReply;
import java.net.URL;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.junit.jupiter.api.Test;

/** The filter drops exactly the harmless lines it documents: same logger with another message or level passes. */
class KnownNoiseFilterTest {
    private final LoggerContext context = new LoggerContext();
    private final KnownNoiseFilter filter = new KnownNoiseFilter();

    private FilterReply decide(String logger, Level level, String message, Throwable t) {
        Logger l = context.getLogger(logger);
        return filter.decide(new LoggingEvent(Logger.class.getName(), l, level, message, t, null));
    }

    @Test
    void dropsTheEmbeddedBrokersOutOfOrderSequenceErrorsButNoOtherAppendError() {
        String m = "[ReplicaManager broker=1] Error processing append operation on partition x:metastream.predictions-0";
        assertThat(decide("kafka.server.ReplicaManager", Level.ERROR, m,
                new OutOfOrderSequenceException("Invalid sequence number for producer 0"))).isEqualTo(FilterReply.DENY);
        assertThat(decide("kafka.server.ReplicaManager", Level.ERROR, m, new UnknownServerException("disk")))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide("kafka.server.ReplicaManager", Level.ERROR, m, null)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide("kafka.server.KafkaApis", Level.ERROR, m, new OutOfOrderSequenceException("x")))
                .isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void dropsOnlyTheRetriedProduceErrorsOfExactlyOnce() {
        String sender = "org.apache.kafka.clients.producer.internals.Sender";
        String retry = "[Producer clientId=a-StreamThread-1-producer, transactionalId=a-1] Got error produce response "
                + "with correlation id 16 on topic-partition t-0, retrying (2147483646 attempts left). Error: ";
        assertThat(decide(sender, Level.WARN, retry + "CONCURRENT_TRANSACTIONS", null)).isEqualTo(FilterReply.DENY);
        assertThat(decide(sender, Level.WARN, retry + "OUT_OF_ORDER_SEQUENCE_NUMBER", null))
                .isEqualTo(FilterReply.DENY);
        assertThat(decide(sender, Level.WARN, retry + "NOT_LEADER_OR_FOLLOWER", null)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(sender, Level.ERROR, retry + "OUT_OF_ORDER_SEQUENCE_NUMBER", null))
                .isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void dropsMetadataWarningsOnlyWhenEveryTopicIsAnInternalOneNotCreatedYet() {
        String nc = "org.apache.kafka.clients.NetworkClient";
        String prefix = "[Consumer clientId=a-StreamThread-1-consumer, groupId=a] The metadata response from the "
                + "cluster reported a recoverable issue with correlation id 2 : ";
        assertThat(decide(nc, Level.WARN, prefix + "{a-examples-by-task-repartition=UNKNOWN_TOPIC_OR_PARTITION}", null))
                .isEqualTo(FilterReply.DENY);
        assertThat(decide(nc, Level.WARN, prefix + "{a-store-changelog=UNKNOWN_TOPIC_OR_PARTITION, "
                + "a-x-repartition=UNKNOWN_TOPIC_OR_PARTITION}", null)).isEqualTo(FilterReply.DENY);
        // A missing input topic is the user's to know about.
        assertThat(decide(nc, Level.WARN, prefix + "{metastream.examples=UNKNOWN_TOPIC_OR_PARTITION}", null))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(nc, Level.WARN, prefix + "{a-x-repartition=TOPIC_AUTHORIZATION_FAILED}", null))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(nc, Level.WARN, "[Consumer clientId=a] Connection to node -1 (/127.0.0.1:9) could not be "
                + "established. Node may not be available.", null)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(nc, Level.WARN, "[NodeToControllerChannelManager id=1 name=registration] Attempting to "
                + "close NetworkClient that has already been closed.", null)).isEqualTo(FilterReply.DENY);
    }

    @Test
    void dropsTheFirstStartAndTempStateDirectoryNotices() {
        assertThat(decide("org.apache.kafka.controller.QuorumController", Level.WARN, "[QuorumController id=1] "
                + "Performing controller activation. The metadata log appears to be empty. Appending 6 bootstrap "
                + "record(s)", null)).isEqualTo(FilterReply.DENY);
        assertThat(decide("org.apache.kafka.controller.QuorumController", Level.WARN, "[QuorumController id=1] "
                + "Performing controller activation.", null)).isEqualTo(FilterReply.DENY);
        assertThat(decide("org.apache.kafka.controller.QuorumController", Level.WARN, "[QuorumController id=1] "
                + "Renouncing leadership", null)).isEqualTo(FilterReply.NEUTRAL);
        String creation = "org.apache.kafka.server.DefaultAutoTopicCreationManager";
        assertThat(decide(creation, Level.WARN, "Auto topic creation failed for __transaction_state with error "
                + "'TOPIC_ALREADY_EXISTS': Topic '__transaction_state' already exists..", null))
                .isEqualTo(FilterReply.DENY);
        assertThat(decide(creation, Level.WARN, "Auto topic creation failed for __transaction_state with error "
                + "'INVALID_REPLICATION_FACTOR': Replication factor: 3 larger than available brokers: 1.", null))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(creation, Level.WARN, "Auto topic creation failed for my-topic with error "
                + "'TOPIC_ALREADY_EXISTS'", null)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide("org.apache.kafka.streams.processor.internals.StateDirectory", Level.WARN, "Using an OS "
                + "temp directory in the state.dir property can cause failures", null)).isEqualTo(FilterReply.DENY);
        assertThat(decide("org.apache.kafka.streams.processor.internals.StateDirectory", Level.WARN,
                "Failed to delete state store directory", null)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide("org.apache.kafka.streams.StreamsConfig", Level.WARN, "Processing exception handler is not "
                + "enabled for the GlobalThread. It's recommended to set", null)).isEqualTo(FilterReply.DENY);
        assertThat(decide("org.apache.kafka.streams.StreamsConfig", Level.WARN, "Unrecognized config", null))
                .isEqualTo(FilterReply.NEUTRAL);
    }

    /** bin/metastream's logback.xml installs the filter on its console appender. */
    @Test
    void theRuntimeLoggingConfigurationInstallsTheFilter() throws Exception {
        URL runtime = getClass().getClassLoader().getResource("logback.xml");
        assertThat(runtime).isNotNull();
        LoggerContext ctx = new LoggerContext();
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(ctx);
        c.doConfigure(runtime);
        Appender<ILoggingEvent> console = ctx.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
        assertThat(console.getCopyOfAttachedFiltersList()).hasAtLeastOneElementOfType(KnownNoiseFilter.class);
        ctx.stop();
    }
}
