package dev.metastream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The dashboard feed's consumer settings, taken from the instance's. */
class DashboardFeedTest {
    @Test
    void keepsTheBrokersAndSecurityAndReadsOnlyCommittedRecordsWithoutAGroup() {
        Properties streams = new Properties();
        streams.setProperty("application.id", "shop");
        streams.setProperty("bootstrap.servers", "b1:9093");
        streams.setProperty("security.protocol", "SASL_SSL");
        streams.setProperty("sasl.mechanism", "SCRAM-SHA-512");
        streams.setProperty("sasl.jaas.config", "${env:JAAS}");
        streams.setProperty("config.providers", "env");
        streams.setProperty("group.id", "someone-elses");
        streams.setProperty("processing.guarantee", "exactly_once_v2");
        streams.setProperty("http.auth.token", "secret");

        Properties c = DashboardFeed.consumerProperties(streams);
        assertThat(c).containsEntry("bootstrap.servers", "b1:9093").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("sasl.jaas.config", "${env:JAAS}")
                .containsEntry("config.providers", "env").containsEntry("isolation.level", "read_committed")
                .containsEntry("enable.auto.commit", "false").containsEntry("allow.auto.create.topics", "false")
                .containsEntry("client.id", "shop-dashboard");
        assertThat(c).doesNotContainKeys("group.id", "processing.guarantee", "http.auth.token", "application.id");
    }
}
