package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.InputRecordParser;
import dev.metastream.drift.DriftDetector;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.learn.Prediction;
import dev.metastream.learn.TaskSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code topology/topics.md} and {@code topology/records.md} naming everything the code produces: every topic,
 * internal topic and store, every output JSON field, every dead-letter header and reason code. It cannot check the
 * prose, but a new field, topic, store or reason that is not documented fails here.
 */
class TopologyDocumentationTest {
    static final Path TOPICS = Path.of("topology", "topics.md");
    static final Path RECORDS = Path.of("topology", "records.md");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void topicsMdNamesEveryTopicAndStore() throws IOException {
        String doc = Files.readString(TOPICS, StandardCharsets.UTF_8);
        TopologyConfig topics = TopologyConfig.defaults();
        String appId = "metastream"; // AppConfig.APP_KEYS default of application.id
        List<String> names = new ArrayList<>();
        for (NewTopic t : MetastreamTopology.topics(topics)) {
            names.add(t.name());
        }
        String description = MetastreamTopology.build(LearnerConfig.defaults(), topics, MetastreamMetrics.standalone())
                .describe().toString();
        Matcher repartition = Pattern.compile("topic: ([\\w.-]+-repartition)\\)").matcher(description);
        while (repartition.find()) {
            names.add(appId + "-" + repartition.group(1));
        }
        Set<String> stores = new TreeSet<>();
        Matcher st = Pattern.compile("stores: \\[([^]]*)]").matcher(description);
        while (st.find()) {
            for (String s : st.group(1).split(",\\s*")) {
                if (!s.isBlank()) {
                    stores.add(s.trim());
                }
            }
        }
        assertThat(stores).contains(MetastreamTopology.META_MODEL_STORE, MetastreamTopology.TASK_STATE_STORE);
        for (String s : stores) {
            names.add(s);
            if (!s.equals(MetastreamTopology.META_MODEL_STORE)) { // the global store has no changelog
                names.add(appId + "-" + s + "-changelog");
            }
        }
        for (String n : names) {
            assertThat(doc).as(TOPICS + " should name `" + n + "`").contains("`" + n + "`");
        }
    }

    @Test
    void recordsMdNamesEveryReasonCodeAndHeader() throws IOException {
        String doc = Files.readString(RECORDS, StandardCharsets.UTF_8);
        for (InputRecordParser.Reason r : InputRecordParser.Reason.values()) {
            assertThat(doc).as(RECORDS + " should document reason code " + r.code()).contains("`" + r.code() + "`");
        }
        for (String h : List.of(ParseProcessor.HEADER_REASON, ParseProcessor.HEADER_MESSAGE, ParseProcessor.HEADER_TOPIC,
                ParseProcessor.HEADER_PARTITION, ParseProcessor.HEADER_OFFSET)) {
            assertThat(doc).as(RECORDS + " should document header " + h).contains("`" + h + "`");
        }
    }

    @Test
    void recordsMdNamesEveryOutputField() throws IOException {
        String doc = Files.readString(RECORDS, StandardCharsets.UTF_8);
        Properties p = new Properties();
        p.setProperty("input.dim", "3");
        p.setProperty("model.trunk.layers", "2");
        p.setProperty("task.classes", "3");
        p.setProperty("task.class.names", "low,medium,high");
        p.setProperty("tasks.churn.kind", "binary");
        p.setProperty("tasks.price.kind", "regression");
        p.setProperty("tasks.tags.kind", "multi-label");
        p.setProperty("tasks.tags.labels", "3");
        LearnerConfig config = LearnerConfig.from(p);
        OutputRecords records = new OutputRecords(config);
        List<byte[]> out = new ArrayList<>();
        for (String task : List.of("sensor-7", "churn", "price", "tags")) {
            TaskSpec spec = config.taskSpec(task);
            float[] o = new float[spec.outputs()];
            out.add(records.prediction(new Prediction(new Instance(task, new float[3], null, "id", 1L), spec, o, 0, 0)));
            out.add(records.taskSnapshot(new LearnerEvents.TaskSnapshot(task, 1, 0, 1, config.digest(), 1L, spec, 2,
                    new float[2 * spec.outputs() + spec.outputs()])));
        }
        for (PrequentialMetrics.Kind kind : PrequentialMetrics.Kind.values()) {
            int outputs = kind == PrequentialMetrics.Kind.CLASSIFICATION || kind == PrequentialMetrics.Kind.MULTILABEL
                    ? 2 : 1;
            PrequentialMetrics m = PrequentialMetrics.detailed(kind, 10, outputs); // as the learner keeps them
            switch (kind) {
                case CLASSIFICATION -> m.observeClassification(0, new float[] {0.5f, 0.5f});
                case BINARY -> m.observeBinary(1, 0.5);
                case REGRESSION -> m.observeRegression(1.0, 0.5);
                case MULTILABEL -> m.observeMultiLabel(new int[] {1, 0}, new float[] {0.5f, 0.5f});
                default -> throw new IllegalStateException();
            }
            out.add(records.metrics(new LearnerEvents.TaskMetrics("t", kind.name().toLowerCase(), 1, 1, 0.05,
                    m.snapshot(), 0, 0, 1L)));
        }
        for (DriftDetector d : List.of(DriftDetector.create("adwin", Map.of()),
                DriftDetector.create("page-hinkley", Map.of("mode", "both")))) {
            out.add(records.drift(new LearnerEvents.DriftEvent("t", d.name(), "prequential-error", 1, d.statistics(),
                    "none", 1L)));
        }
        out.add(records.metaSnapshot(MetaSnapshot.initial(config)));

        Set<String> fields = new TreeSet<>();
        for (byte[] b : out) {
            collect(JSON.readTree(b), fields);
        }
        assertThat(fields).contains("prediction", "probabilities", "probability", "head_init", "ph_up", "mse_window");
        assertThat(doc).contains("`_window`");
        for (String field : fields) {
            // Windowed metrics are documented once, as the suffix `_window` of each metric name.
            String f = field.endsWith("_window") ? field.substring(0, field.length() - "_window".length()) : field;
            // `name`, or a dotted path through it such as `parameters.head`.
            Pattern named = Pattern.compile("`([\\w]+\\.)*" + Pattern.quote(f) + "(\\.[\\w]+)*`");
            assertThat(named.matcher(doc).find()).as(RECORDS + " should document the output field `" + f + "`")
                    .isTrue();
        }
    }

    /** Field names of a JSON tree, except the head-shape keys of head_init (data, not schema). */
    private static void collect(JsonNode n, Set<String> fields) {
        if (n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                fields.add(e.getKey());
                if (!e.getKey().equals("head_init")) {
                    collect(e.getValue(), fields);
                }
            }
        }
    }
}
