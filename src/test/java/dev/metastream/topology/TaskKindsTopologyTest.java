package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.eval.RocAuc;
import dev.metastream.learn.LearnerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task kinds other than plain (index-labelled) classification, end to end in a {@link TopologyTestDriver}: the
 * prediction record of each kind has the documented shape, and each kind learns a simple synthetic stream, judged by
 * its prequential metrics on the metrics topic against what a constant or chance predictor would score.
 *
 * <p>All four tasks share one configuration (as in topology/records.md): the default kind is classification with
 * class names {@code low,medium,high}; {@code churn} is binary, {@code price} regression, {@code tags} multi-label
 * with 3 labels. Inputs are {@code x ~ U[-1, 1]^4}, seeded.
 */
class TaskKindsTopologyTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INPUT_DIM = 4;
    private static final int BATCH = 8;
    private static final int REPORT_EVERY = 100;
    private static final int WINDOW = 200;
    private static final int EXAMPLES = 800;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> examples;
    private TestOutputTopic<String, String> predictions;
    private TestOutputTopic<String, String> metricsTopic;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- binary

    /** y = 1[x0 + x1 > 0]: chance accuracy 0.5 (classes balanced by symmetry). */
    @Test
    void binaryPredictsZeroOrOneWithAProbabilityAndLearns() {
        open();
        Random rnd = new Random(1);
        List<JsonNode> preds = stream("churn", EXAMPLES, rnd, x -> x[0] + x[1] > 0 ? "true" : "false");

        assertThat(preds).hasSize(EXAMPLES).allSatisfy(p -> {
            assertThat(p.get("task").asText()).isEqualTo("churn");
            assertThat(p.get("prediction").isInt()).isTrue();
            int c = p.get("prediction").asInt();
            double prob = p.get("probability").asDouble();
            assertThat(c).isIn(0, 1);
            assertThat(prob).isBetween(0.0, 1.0);
            assertThat(c).isEqualTo(prob >= 0.5 ? 1 : 0);
            assertThat(p.has("probabilities")).isFalse();
        });

        List<JsonNode> ms = metrics("churn");
        assertThat(ms).hasSize(EXAMPLES / REPORT_EVERY);
        assertThat(ms).allSatisfy(m -> {
            assertThat(m.get("kind").asText()).isEqualTo("binary");
            assertThat(m.get("metrics").fieldNames()).toIterable()
                    .containsExactlyInAnyOrderElementsOf(withWindows("accuracy", "log_loss", "precision_macro",
                            "recall_macro", "f1_macro", "f1_micro", "kappa", "precision", "recall", "f1", "auc"));
        });
        JsonNode last = ms.get(ms.size() - 1).get("metrics");
        // Well above chance (0.5) over the last 200 examples, and better than over the whole stream.
        assertThat(last.get("accuracy_window").asDouble()).isGreaterThan(0.85);
        assertThat(last.get("accuracy_window").asDouble()).isGreaterThan(last.get("accuracy").asDouble());
        // Log loss below that of a constant 0.5 (ln 2 = 0.693).
        assertThat(last.get("log_loss_window").asDouble()).isLessThan(0.5);
        // Late predictions agree with the rule: the last 200 (test-then-train) predictions.
        long right = 0;
        for (int i = EXAMPLES - WINDOW; i < EXAMPLES; i++) {
            right += preds.get(i).get("prediction").asInt() == expectedBinary.get(i) ? 1 : 0;
        }
        assertThat(right).isGreaterThan((long) (0.85 * WINDOW));
        // The windowed AUC is the exact AUC of the last 200 (label, probability) pairs on the prediction records.
        int[] y = new int[WINDOW];
        double[] score = new double[WINDOW];
        for (int i = 0; i < WINDOW; i++) {
            y[i] = expectedBinary.get(EXAMPLES - WINDOW + i);
            score[i] = preds.get(EXAMPLES - WINDOW + i).get("probability").asDouble();
        }
        assertThat(last.get("auc_window").asDouble()).isCloseTo(RocAuc.exact(y, score, WINDOW), offset(1e-9));
        assertThat(last.get("auc_window").asDouble()).isGreaterThan(last.get("accuracy_window").asDouble() - 0.1);
    }

    // ------------------------------------------------------------------------------------------------ regression

    /** y = 2 x0 - x1: Var(y) = 4/3 + 1/3 = 5/3, the MSE of the best constant predictor. */
    @Test
    void regressionPredictsANumberAndItsMseFallsBelowTheVarianceOfY() {
        open();
        Random rnd = new Random(2);
        List<JsonNode> preds = stream("price", EXAMPLES, rnd, x -> String.valueOf(2 * x[0] - x[1]));

        assertThat(preds).hasSize(EXAMPLES).allSatisfy(p -> {
            assertThat(p.get("prediction").isNumber()).isTrue();
            assertThat(p.get("prediction").asDouble()).isFinite();
            assertThat(p.has("probabilities")).isFalse();
            assertThat(p.has("probability")).isFalse();
            // A Bayesian head (the default for regression) publishes its predictive variance.
            assertThat(p.get("variance").asDouble()).isPositive().isFinite();
        });

        List<JsonNode> ms = metrics("price");
        assertThat(ms).hasSize(EXAMPLES / REPORT_EVERY).allSatisfy(m -> {
            assertThat(m.get("kind").asText()).isEqualTo("regression");
            assertThat(m.get("metrics").fieldNames()).toIterable()
                    .containsExactlyInAnyOrderElementsOf(withWindows("mse", "mae", "rmse", "r2"));
        });
        double varY = 5.0 / 3.0;
        double firstMse = ms.get(0).get("metrics").get("mse").asDouble();
        JsonNode last = ms.get(ms.size() - 1).get("metrics");
        double lastMse = last.get("mse_window").asDouble();
        // The first 100 examples are predicted by a barely trained head (MSE about Var(y)); the last 200 much better.
        assertThat(lastMse).as("windowed MSE (first 100: %s, Var(y) = %s)", firstMse, varY).isLessThan(0.25 * varY);
        assertThat(lastMse).isLessThan(firstMse);
        assertThat(last.get("mse").asDouble()).isLessThan(varY);
        // MAE of the constant 0 predictor is E|2 x0 - x1| > 0.8; the learned one is well below.
        assertThat(last.get("mae_window").asDouble()).isLessThan(0.5);
        // The mean squared error of the last 200 predictions, recomputed from the prediction records, agrees.
        double sse = 0;
        for (int i = EXAMPLES - WINDOW; i < EXAMPLES; i++) {
            double e = preds.get(i).get("prediction").asDouble() - expectedRegression.get(i);
            sse += e * e;
        }
        assertThat(sse / WINDOW).isCloseTo(lastMse, offset(1e-3));
        // ... and so does the windowed R², 1 − SSE/SST over the same 200 targets.
        double mean = 0;
        for (int i = EXAMPLES - WINDOW; i < EXAMPLES; i++) {
            mean += expectedRegression.get(i) / WINDOW;
        }
        double sst = 0;
        for (int i = EXAMPLES - WINDOW; i < EXAMPLES; i++) {
            sst += (expectedRegression.get(i) - mean) * (expectedRegression.get(i) - mean);
        }
        assertThat(last.get("r2_window").asDouble()).isCloseTo(1 - sse / sst, offset(1e-3));
        assertThat(last.get("rmse_window").asDouble()).isCloseTo(Math.sqrt(lastMse), offset(1e-12));
        // The variance says how far off a prediction may be: about Var(y) before the head knows the task, far less
        // once it does. (This task is noiseless, so the variance stays above the error: its floor is the noise the
        // head assumes until examples say otherwise. Calibration on a noisy family is BayesianHeadTest's.)
        double firstVariance = preds.get(0).get("variance").asDouble();
        double lastVariance = preds.get(EXAMPLES - 1).get("variance").asDouble();
        assertThat(firstVariance).isBetween(0.2 * varY, 5 * varY);
        assertThat(lastVariance).isLessThan(firstVariance / 10).isGreaterThanOrEqualTo(lastMse);
    }

    // ----------------------------------------------------------------------------------------------- multi-label

    /** Label j = 1[x_j > 0] for j = 0, 1, 2: chance subset accuracy 1/8, chance Hamming loss 1/2. */
    @Test
    void multiLabelPredictsOneZeroOrOnePerLabelAndLearns() {
        open();
        Random rnd = new Random(3);
        List<JsonNode> preds = stream("tags", EXAMPLES, rnd,
                x -> "[" + (x[0] > 0 ? 1 : 0) + "," + (x[1] > 0 ? 1 : 0) + "," + (x[2] > 0 ? 1 : 0) + "]");

        assertThat(preds).hasSize(EXAMPLES).allSatisfy(p -> {
            JsonNode pred = p.get("prediction");
            JsonNode probs = p.get("probabilities");
            assertThat(pred.isArray()).isTrue();
            assertThat(pred.size()).isEqualTo(3);
            assertThat(probs.size()).isEqualTo(3);
            for (int j = 0; j < 3; j++) {
                assertThat(pred.get(j).asInt()).isIn(0, 1);
                assertThat(probs.get(j).asDouble()).isBetween(0.0, 1.0);
                assertThat(pred.get(j).asInt()).isEqualTo(probs.get(j).asDouble() >= 0.5 ? 1 : 0);
            }
        });

        List<JsonNode> ms = metrics("tags");
        assertThat(ms).hasSize(EXAMPLES / REPORT_EVERY).allSatisfy(m -> {
            assertThat(m.get("kind").asText()).isEqualTo("multilabel");
            assertThat(m.get("metrics").fieldNames()).toIterable().containsExactlyInAnyOrderElementsOf(withWindows(
                    "hamming_loss", "subset_accuracy", "log_loss", "jaccard", "f1_micro", "f1_macro"));
        });
        JsonNode first = ms.get(0).get("metrics");
        JsonNode last = ms.get(ms.size() - 1).get("metrics");
        assertThat(last.get("subset_accuracy_window").asDouble()).as("chance is 1/8").isGreaterThan(0.6);
        assertThat(last.get("hamming_loss_window").asDouble()).as("chance is 1/2").isLessThan(0.15);
        assertThat(last.get("hamming_loss_window").asDouble()).isLessThan(first.get("hamming_loss").asDouble());
        assertThat(last.get("log_loss_window").asDouble()).isLessThan(Math.log(2));
    }

    // ------------------------------------------------------------------------------- classification, class names

    /** Class by x0 in thirds of [-1, 1], sent as the class name: chance accuracy 1/3. */
    @Test
    void classificationWithClassNamesPredictsAClassName() {
        open();
        Random rnd = new Random(4);
        String[] names = {"low", "medium", "high"};
        List<JsonNode> preds = stream("sensor-7", EXAMPLES, rnd,
                x -> "\"" + names[x[0] < -1.0 / 3 ? 0 : x[0] < 1.0 / 3 ? 1 : 2] + "\"");

        assertThat(preds).hasSize(EXAMPLES).allSatisfy(p -> {
            assertThat(p.get("prediction").isTextual()).isTrue();
            assertThat(p.get("prediction").asText()).isIn((Object[]) names);
            JsonNode probs = p.get("probabilities");
            assertThat(probs.size()).isEqualTo(3);
            double sum = 0;
            int argmax = 0;
            for (int j = 0; j < 3; j++) {
                sum += probs.get(j).asDouble();
                argmax = probs.get(j).asDouble() > probs.get(argmax).asDouble() ? j : argmax;
            }
            assertThat(sum).isCloseTo(1.0, offset(1e-5));
            assertThat(p.get("prediction").asText()).isEqualTo(names[argmax]);
        });

        List<JsonNode> ms = metrics("sensor-7");
        assertThat(ms).hasSize(EXAMPLES / REPORT_EVERY)
                .allSatisfy(m -> assertThat(m.get("kind").asText()).isEqualTo("classification"));
        JsonNode last = ms.get(ms.size() - 1).get("metrics");
        assertThat(last.get("accuracy_window").asDouble()).as("chance is 1/3").isGreaterThan(0.75);
        assertThat(last.get("f1_micro_window").asDouble()).isEqualTo(last.get("accuracy_window").asDouble());
        assertThat(last.get("log_loss_window").asDouble()).as("uniform guess: ln 3").isLessThan(Math.log(3) * 0.75);
        // The names on the predictions match the rule late in the stream.
        long right = 0;
        for (int i = EXAMPLES - WINDOW; i < EXAMPLES; i++) {
            right += preds.get(i).get("prediction").asText().equals(expectedName.get(i)) ? 1 : 0;
        }
        assertThat(right).isGreaterThan((long) (0.75 * WINDOW));

        // An unlabelled example is scored with a class name too, and marked unlabelled.
        examples.pipeInput(null, utf8("{\"task\":\"sensor-7\",\"x\":[0.9,0,0,0],\"id\":\"probe\"}"));
        JsonNode probe = parse(predictions.readValue());
        assertThat(probe.get("labelled").asBoolean()).isFalse();
        assertThat(probe.get("prediction").asText()).isEqualTo("high");
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private final List<Integer> expectedBinary = new ArrayList<>();
    private final List<Double> expectedRegression = new ArrayList<>();
    private final List<String> expectedName = new ArrayList<>();

    /**
     * Sends {@code n} labelled examples of {@code task} with {@code x ~ U[-1,1]^4} and {@code y = label(x)} (JSON text)
     * and returns their predictions, in order.
     */
    private List<JsonNode> stream(String task, int n, Random rnd, Function<double[], String> label) {
        for (int i = 0; i < n; i++) {
            double[] x = new double[INPUT_DIM];
            StringBuilder xs = new StringBuilder("[");
            for (int j = 0; j < INPUT_DIM; j++) {
                // Exactly representable in float, so the expected labels match what the model sees.
                x[j] = (float) (2 * rnd.nextDouble() - 1);
                xs.append(j > 0 ? "," : "").append(x[j]);
            }
            String y = label.apply(x);
            expectedBinary.add(y.equals("true") ? 1 : 0);
            expectedRegression.add(y.startsWith("\"") || y.startsWith("[") || y.startsWith("t") || y.startsWith("f")
                    ? Double.NaN : (double) (float) Double.parseDouble(y));
            expectedName.add(y.startsWith("\"") ? y.substring(1, y.length() - 1) : null);
            examples.pipeInput(null, utf8("{\"task\":\"" + task + "\",\"x\":" + xs.append(']') + ",\"y\":" + y
                    + ",\"id\":\"" + task + "-" + i + "\"}"));
        }
        List<JsonNode> out = new ArrayList<>();
        for (KeyValue<String, String> kv : predictions.readKeyValuesToList()) {
            JsonNode p = parse(kv.value);
            assertThat(kv.key).isEqualTo(task);
            assertThat(p.get("labelled").asBoolean()).isTrue();
            out.add(p);
        }
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).get("id").asText()).isEqualTo(task + "-" + i);
        }
        return out;
    }

    private List<JsonNode> metrics(String task) {
        List<JsonNode> out = new ArrayList<>();
        for (KeyValue<String, String> kv : metricsTopic.readKeyValuesToList()) {
            assertThat(kv.key).isEqualTo(task);
            out.add(parse(kv.value));
        }
        return out;
    }

    /** Each metric name and its {@code _window} version. */
    private static List<String> withWindows(String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(n);
            out.add(n + "_window");
        }
        return out;
    }

    private static Properties learnerProps() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(INPUT_DIM));
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("task.classes", "3");
        p.setProperty("task.class.names", "low,medium,high");
        p.setProperty("tasks.churn.kind", "binary");
        p.setProperty("tasks.price.kind", "regression");
        p.setProperty("tasks.tags.kind", "multi-label");
        p.setProperty("tasks.tags.labels", "3");
        p.setProperty("learner.batch.size", String.valueOf(BATCH));
        p.setProperty("metrics.every.examples", String.valueOf(REPORT_EVERY));
        p.setProperty("metrics.window", String.valueOf(WINDOW));
        p.setProperty("snapshot.every.examples", "100000");
        p.setProperty("memory.per.task", "16");
        p.setProperty("memory.samples.per.task", "4");
        return p;
    }

    private void open() {
        Properties tp = new Properties();
        // Timers far away: every report comes from metrics.every.examples, so their count is exact.
        tp.setProperty("meta.sync.interval.ms", "3600000");
        tp.setProperty("metrics.interval.ms", "3600000");
        TopologyConfig topics = TopologyConfig.from(tp);
        LearnerConfig config = LearnerConfig.from(learnerProps());
        Properties props = new Properties();
        props.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "metastream-kinds");
        props.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(MetastreamTopology.build(config, topics, MetastreamMetrics.standalone()), props,
                START);
        examples = driver.createInputTopic(topics.examplesTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                START, Duration.ZERO);
        StringDeserializer s = new StringDeserializer();
        predictions = driver.createOutputTopic(topics.predictionsTopic(), s, s);
        metricsTopic = driver.createOutputTopic(topics.metricsTopic(), s, s);
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
