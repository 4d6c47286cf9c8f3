package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.drift.DriftDetectors;
import dev.metastream.learn.LearnerConfig;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Unknown keys are refused with the closest known key; metastream's, Kafka's and the prefixed client keys pass. */
class ConfigKeysTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void aMisspeltKeyNamesTheClosestKnownKey() {
        assertThat(ConfigKeys.problem("learner.batchsize")).isEqualTo(
                "unknown key 'learner.batchsize': did you mean 'learner.batch.size'?");
        assertThat(ConfigKeys.problem("task.knd")).contains("did you mean 'task.kind'?");
        assertThat(ConfigKeys.problem("bootstrap.server")).contains("did you mean 'bootstrap.servers'?");
        assertThat(ConfigKeys.problem("optimizer.head.learnig.rate")).contains("'optimizer.head.learning.rate'");
        // A swap of two letters is one edit.
        assertThat(ConfigKeys.problem("input.dmi")).contains("'input.dim'");
        // metastream's own topic keys win over the topic.* prefix of Kafka Streams.
        assertThat(ConfigKeys.problem("topic.exmaples")).contains("'topic.examples'");
        assertThat(ConfigKeys.problem("producer.lnger.ms")).contains("'producer.linger.ms'");
        assertThat(ConfigKeys.problem("prodcer.linger.ms")).contains("'producer.linger.ms'");
        assertThat(ConfigKeys.problem("drift.adwin.clok")).contains("'drift.adwin.clock'");
        assertThat(ConfigKeys.problem("http.prot")).contains("'http.port'");
    }

    @Test
    void aKeyLikeNothingKnownSaysSoAndWhereTheKeysAreListed() {
        assertThat(ConfigKeys.problem("zzqqxxyyww")).isEqualTo("unknown key 'zzqqxxyyww': it is neither a "
                + "metastream key (config/application.properties lists them) nor a Kafka Streams or Kafka client "
                + "setting; remove it");
    }

    @Test
    void kafkaKeysAndTheirPrefixesPassThrough() {
        for (String k : List.of("security.protocol", "sasl.jaas.config", "ssl.truststore.location",
                "num.standby.replicas", "replication.factor", "acks", "max.poll.records", "request.timeout.ms",
                "producer.compression.type", "consumer.max.poll.records", "main.consumer.fetch.max.bytes",
                "restore.consumer.max.poll.records", "global.consumer.fetch.min.bytes", "admin.request.timeout.ms",
                "topic.cleanup.policy", "topic.segment.bytes", "config.providers", "config.providers.env.class",
                "client.tag.zone", "statestore.cache.max.bytes", "processing.exception.handler.global.enabled")) {
            assertThat(ConfigKeys.problem(k)).as(k).isNull();
        }
        // A prefix addresses one client: its keys, not any word.
        assertThat(ConfigKeys.problem("producer.max.poll.records")).isNotNull();
        assertThat(ConfigKeys.problem("topic.linger.ms")).isNotNull();
    }

    @Test
    void everyDocumentedKeyAndDriftParameterIsKnown() {
        ConfigDocumentation.keys().forEach(k -> assertThat(ConfigKeys.problem(k.name())).as(k.name()).isNull());
        assertThat(ConfigKeys.problem("drift.page-hinkley.mode")).isNull();
        assertThat(ConfigKeys.problem("drift.page-hinkley.min_instances")).isNull();
        assertThat(ConfigKeys.problem("drift.adwin.max.buckets")).isNull();
    }

    /**
     * The known drift keys come from the detectors' registry; each must reach its detector through the learner's
     * configuration (words written with dots), with the registry's default as value.
     */
    @Test
    void theDriftParameterListMatchesWhatTheDetectorsAccept() {
        assertThat(ConfigKeys.DRIFT_PARAMS.keySet()).containsExactlyInAnyOrderElementsOf(DriftDetectors.names());
        assertThat(ConfigKeys.problem("drift.hddm-w.warning.confidence")).isNull();
        assertThat(ConfigKeys.problem("drift.kswin.window_size")).isNull();
        assertThat(ConfigKeys.problem("drift.kswin.window.sise")).contains("did you mean 'drift.kswin.window.size'?");
        for (Map.Entry<String, List<String>> e : ConfigKeys.DRIFT_PARAMS.entrySet()) {
            for (String param : e.getValue()) {
                String key = "drift." + e.getKey() + "." + param.replace('_', '.');
                String value = DriftDetectors.entry(e.getKey()).params().stream()
                        .filter(p -> p.name().equals(param)).findFirst().orElseThrow().defaultValue();
                assertThatCode(() -> LearnerConfig.from(props("drift.detector", e.getKey(), key, value)))
                        .as(key).doesNotThrowAnyException();
            }
            assertThatThrownBy(() -> LearnerConfig.from(props("drift.detector", e.getKey(),
                    "drift." + e.getKey() + ".nonsense", "1"))).as("the detector checks names")
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void perTaskKeysAreCheckedAndTheMessageNamesTheTasksKeys() {
        assertThat(ConfigKeys.problem("tasks.churn.kind")).isNull();
        assertThat(ConfigKeys.problem("tasks.genre.class.names")).isNull();
        assertThat(ConfigKeys.problem("tasks.a.b.labels")).as("ids may contain dots").isNull();
        assertThat(ConfigKeys.problem("tasks.churn.knd")).isEqualTo("unknown key 'tasks.churn.knd': did you mean "
                + "'tasks.churn.kind'? task churn's keys are tasks.churn.kind, tasks.churn.classes, "
                + "tasks.churn.class.names, tasks.churn.labels");
        assertThat(ConfigKeys.problem("tasks.a.b.class.nmes")).contains("did you mean 'tasks.a.b.class.names'?");
        assertThat(ConfigKeys.problem("tasks.churn.learning.rate")).contains("task churn's keys are")
                .doesNotContain("did you mean");
        assertThat(ConfigKeys.problem("tasks.churn")).contains("tasks.<id>.<key>");
        assertThat(ConfigKeys.problem("task.churn.kind")).contains("did you mean 'tasks.churn.kind'?");
    }

    @Test
    void everyUnknownKeyIsNamedOnOneLine() {
        assertThatThrownBy(() -> ConfigKeys.check(props("learner.batchsize", "8", "task.knd", "binary",
                "input.dim", "4")))
                .isInstanceOf(ConfigKeys.UnknownKeyException.class)
                .hasMessage("2 unknown keys: unknown key 'learner.batchsize': did you mean 'learner.batch.size'?; "
                        + "unknown key 'task.knd': did you mean 'task.kind'?")
                .hasMessageNotContaining("\n");
    }

    @Test
    void distanceCountsEditsAndSwaps() {
        assertThat(ConfigKeys.distance("kind", "kind")).isZero();
        assertThat(ConfigKeys.distance("knd", "kind")).isEqualTo(1);
        assertThat(ConfigKeys.distance("kidn", "kind")).isEqualTo(1);
        assertThat(ConfigKeys.distance("", "abc")).isEqualTo(3);
    }
}
