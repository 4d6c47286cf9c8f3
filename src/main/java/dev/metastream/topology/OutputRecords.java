package dev.metastream.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.learn.Prediction;
import dev.metastream.learn.TaskSpec;
import dev.metastream.shift.FeatureShift;
import dev.metastream.shift.ShiftReport;
import dev.metastream.shift.Signal;
import dev.metastream.shift.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON of every output record, documented field by field in {@code topology/records.md}. One place, so the
 * topic contract and the code cannot drift apart unnoticed.
 */
public final class OutputRecords {
    /** The {@code detector} of a domain-shift record on the drift-events topic. */
    public static final String SHIFT_DETECTOR = "shift-monitor";

    // Schubfach for the floats (probabilities, values): the shortest text that reads back as the same number, as
    // Float.toString gives from JDK 19 on, in a fraction of JDK 17's time.
    private final ObjectMapper mapper = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private final LearnerConfig config;

    /** @param config gives the trunk shape and class names the records describe */
    public OutputRecords(LearnerConfig config) {
        this.config = config;
    }

    /** A prediction record. */
    public byte[] prediction(Prediction p) {
        ObjectNode n = mapper.createObjectNode();
        n.put("task", p.instance().task());
        n.put("id", p.instance().id());
        TaskSpec spec = p.spec();
        float[] out = p.output();
        spec.kind().writePrediction(n, spec, out);
        if (Double.isFinite(p.variance())) {
            n.put("variance", (float) p.variance());
        }
        n.put("labelled", p.instance().labelled());
        n.put("model_version", p.metaVersion());
        n.put("task_version", p.taskVersion());
        n.put("ts", p.instance().timestamp());
        return bytes(n);
    }

    /** A task's snapshot record (key = task id on the snapshots topic). */
    public byte[] taskSnapshot(LearnerEvents.TaskSnapshot s) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", "task");
        n.put("task", s.task());
        n.put("version", s.version());
        n.put("meta_version", s.metaVersion());
        n.put("examples_seen", s.examplesSeen());
        n.put("config_digest", s.configDigest());
        n.put("created_at", s.createdAt());
        n.put("task_kind", s.spec().kind().name().toLowerCase());
        ObjectNode shape = n.putObject("shape");
        shape.put("inputs", s.inputs());
        shape.put("outputs", s.spec().outputs());
        floats(n.putObject("parameters").putArray("head"), s.head());
        return bytes(n);
    }

    /** The shared model's snapshot record (key {@code meta} on the snapshots topic). */
    public byte[] metaSnapshot(MetaSnapshot s) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", "meta");
        n.put("version", s.version());
        n.put("examples_seen", s.examplesSeen());
        n.put("updates_applied", s.updatesApplied());
        n.put("staleness", s.lastStaleness());
        n.put("config_digest", s.configDigest());
        n.put("created_at", s.createdAt());
        ObjectNode trunk = n.putObject("trunk");
        trunk.put("inputs", config.trunk().inputDim());
        ArrayNode layers = trunk.putArray("layers");
        for (int h : config.trunk().hidden()) {
            layers.add(h);
        }
        trunk.put("activation", config.trunk().activation().name().toLowerCase());
        ObjectNode params = n.putObject("parameters");
        floats(params.putArray("trunk"), s.trunk());
        ObjectNode inits = params.putObject("head_init");
        s.headInit().forEach((shape, p) -> floats(inits.putArray(shape), p));
        return bytes(n);
    }

    /** A metrics record. */
    public byte[] metrics(LearnerEvents.TaskMetrics m) {
        ObjectNode n = mapper.createObjectNode();
        n.put("task", m.task());
        n.put("kind", m.kind());
        n.put("examples_seen", m.observed());
        n.put("examples_learned", m.learned());
        n.put("learning_rate", m.learningRate());
        ObjectNode values = n.putObject("metrics");
        for (Map.Entry<String, Double> e : m.values().entrySet()) {
            finite(values, e.getKey(), e.getValue());
        }
        n.put("meta_version", m.metaVersion());
        n.put("drifts", m.drifts());
        n.put("negative_transfer", m.negativeTransfer());
        finite(n, "transfer_ratio", m.transferRatio());
        n.put("trunk_weight", m.trunkWeight());
        n.put("ts", m.timestamp());
        return bytes(n);
    }

    /** A drift event record. */
    public byte[] drift(LearnerEvents.DriftEvent e) {
        ObjectNode n = mapper.createObjectNode();
        n.put("task", e.task());
        n.put("detector", e.detector());
        n.put("signal", e.signal());
        n.put("position", e.position());
        ObjectNode stats = n.putObject("statistics");
        e.statistics().forEach((k, v) -> finite(stats, k, v));
        n.put("reaction", e.reaction());
        n.put("ts", e.timestamp());
        return bytes(n);
    }

    /**
     * The drift-events records of a domain shift: one per signal that moved ({@code signal} = {@code inputs},
     * {@code inputs-mmd}, {@code prediction} or {@code label}), each with the check's windows and every signal's
     * figures, so a consumer filtering on {@code signal} sees the whole check.
     */
    public List<byte[]> domainShift(LearnerEvents.ShiftEvent e) {
        List<byte[]> out = new ArrayList<>();
        for (Signal s : e.report().signals()) {
            if (!s.drift()) {
                continue;
            }
            ObjectNode n = mapper.createObjectNode();
            n.put("task", e.task());
            n.put("detector", SHIFT_DETECTOR);
            n.put("signal", s.name());
            n.put("position", e.report().position());
            n.put("test", s.test());
            finite(n, "score", s.score());
            finite(n, "threshold", s.threshold());
            features(n.putArray("features"), s.features());
            n.set("report", shiftReport(e.report()));
            n.put("reaction", "none");
            n.put("ts", e.timestamp());
            out.add(bytes(n));
        }
        return out;
    }

    /** A monitor's check as JSON (the {@code report} of a domain-shift record, and {@code GET /drift/{task}}). */
    public ObjectNode shiftReport(ShiftReport r) {
        ObjectNode n = mapper.createObjectNode();
        n.put("position", r.position());
        n.put("drift", r.drift());
        window(n.putObject("reference"), r.reference());
        window(n.putObject("recent"), r.recent());
        ArrayNode signals = n.putArray("signals");
        for (Signal s : r.signals()) {
            ObjectNode sn = signals.addObject();
            sn.put("signal", s.name());
            sn.put("test", s.test());
            finite(sn, "score", s.score());
            finite(sn, "threshold", s.threshold());
            sn.put("drift", s.drift());
            features(sn.putArray("features"), s.features());
        }
        return n;
    }

    private static void window(ObjectNode n, Window w) {
        n.put("from", w.from());
        n.put("to", w.to());
    }

    private static void features(ArrayNode a, List<FeatureShift> features) {
        for (FeatureShift f : features) {
            ObjectNode fn = a.addObject();
            fn.put("feature", f.feature());
            fn.put("test", f.test());
            finite(fn, "statistic", f.statistic());
            finite(fn, "p_value", f.pValue());
            finite(fn, "wasserstein", f.wasserstein());
            finite(fn, "psi", f.psi());
            finite(fn, "jensen_shannon", f.jensenShannon());
            fn.put("drift", f.drift());
        }
    }

    private static void finite(ObjectNode n, String key, Double v) {
        if (v == null || !Double.isFinite(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    private static void floats(ArrayNode a, float[] values) {
        for (float v : values) {
            a.add(v);
        }
    }

    private byte[] bytes(ObjectNode n) {
        try {
            return mapper.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
