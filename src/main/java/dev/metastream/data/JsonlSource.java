package dev.metastream.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.TaskKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code --source jsonl:FILE}: one record per line in the input format ({@code topology/records.md}), parsed by
 * {@link InputRecordParser} exactly as the topology parses it.
 *
 * <p>The parser needs {@code input.dim} and the task kind, which a file does not state, so a first pass looks at the
 * records: {@code input.dim} is {@code --input-dim}, else the length of the first dense {@code x} (a file with only
 * sparse or named features needs {@code --input-dim}). The kind is the {@code task.kind} hint, else: {@code y} arrays → multi-label;
 * all booleans → binary; any string → classification with the strings as class names in order of first appearance;
 * whole numbers in [0, 1000) → classification with {@code task.classes} = largest + 1; other numbers → regression.
 * Lines the parser rejects, and unlabelled records (nothing to evaluate against), are skipped and counted by reason
 * (a note reports them), not fatal. Tasks come in order of first appearance; every record remembers its place in the
 * file, so the scenario trains in file order across tasks (see {@link Scenarios}).
 */
final class JsonlSource {
    private JsonlSource() {}

    /** Largest accepted line, as the topology's default {@code input.max.record.bytes}. */
    static final int MAX_LINE_BYTES = 1 << 20;

    static LabelledPool read(String source, Path file, ScenarioSpec spec, String kindHint, Consumer<String> notes) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--source " + source + ": no such file " + file);
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--source " + source + ": cannot read " + file + ": " + e.getMessage()
                    + " (records must be UTF-8 JSON, one per line)", e);
        }
        Properties props = infer(source, lines, spec.inputDim(), kindHint);
        LearnerConfig config = LearnerConfig.from(props);
        InputRecordParser parser = new InputRecordParser(config, MAX_LINE_BYTES);
        CsvSource.Skips skips = new CsvSource.Skips(source);
        Map<String, List<Instance>> byTask = new LinkedHashMap<>();
        Map<String, List<Long>> positions = new LinkedHashMap<>();
        long position = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            InputRecordParser.Result res = parser.parse(null, line.getBytes(StandardCharsets.UTF_8), 0L);
            if (!res.ok()) {
                skips.add(res.reason().code(), i + 1);
            } else if (!res.instance().labelled()) {
                skips.add("unlabelled", i + 1);
            } else {
                Instance in = res.instance();
                Instance withId = in.id() != null ? in : new Instance(in.task(), in.x(), in.target(), "line-" + (i + 1),
                        in.timestamp());
                byTask.computeIfAbsent(in.task(), t -> new ArrayList<>()).add(withId);
                positions.computeIfAbsent(in.task(), t -> new ArrayList<>()).add(position++);
            }
        }
        skips.report(notes);
        if (byTask.isEmpty()) {
            throw new IllegalArgumentException("--source " + source + ": no usable labelled records" + skips.summary());
        }
        List<LabelledPool.Task> tasks = new ArrayList<>();
        byTask.forEach((task, list) -> tasks.add(new LabelledPool.Task(task, LabelledPool.of(list), null,
                positions.get(task).stream().mapToLong(Long::longValue).toArray())));
        Map<String, String> learner = new LinkedHashMap<>();
        for (String k : props.stringPropertyNames()) {
            learner.put(k, props.getProperty(k));
        }
        return new LabelledPool(source, learner, tasks, 0, 0);
    }

    /** The learner keys the records need: input.dim and the task kind with its classes or labels. */
    private static Properties infer(String source, List<String> lines, int inputDim, String kindHint) {
        ObjectMapper mapper = new ObjectMapper();
        int denseDim = -1;
        boolean needsDim = false;
        boolean anyArray = false;
        int arraySize = 0;
        boolean allBoolean = true;
        boolean anyText = false;
        boolean indices = true;
        int maxIndex = 0;
        int labelled = 0;
        Set<String> names = new LinkedHashSet<>();
        for (String line : lines) {
            JsonNode root;
            try {
                root = mapper.readTree(line);
            } catch (IOException e) {
                continue; // the parser counts it
            }
            if (root == null || !root.isObject()) {
                continue;
            }
            JsonNode x = root.get("x");
            if (x != null && x.isArray()) {
                if (denseDim < 0) {
                    denseDim = x.size();
                }
            } else if (root.has("sparse") || root.has("features")) {
                needsDim = true;
            }
            JsonNode y = root.get("y");
            if (y == null || y.isNull()) {
                continue;
            }
            labelled++;
            if (y.isArray()) {
                anyArray = true;
                arraySize = Math.max(arraySize, y.size());
            }
            if (!y.isBoolean()) {
                allBoolean = false;
            }
            if (y.isTextual()) {
                anyText = true;
                names.add(y.asText());
            } else if (y.isNumber() && y.asDouble() == Math.rint(y.asDouble()) && y.asDouble() >= 0
                    && y.asDouble() < LabelColumn.MAX_INDEX_CLASSES) {
                maxIndex = Math.max(maxIndex, y.asInt());
            } else {
                indices = false;
            }
        }
        int dim = inputDim;
        if (dim <= 0) {
            if (denseDim <= 0) {
                throw new IllegalArgumentException("--input-dim is needed for " + source + ": its records have "
                        + (needsDim ? "only sparse or named features" : "no dense \"x\"")
                        + ", so the width cannot be read from them");
            }
            dim = denseDim;
        }
        String kind;
        if (kindHint != null) {
            kind = TaskKind.parse(kindHint).name().toLowerCase(Locale.ROOT);
        } else if (labelled == 0) {
            kind = "classification";
        } else if (anyArray) {
            kind = "multilabel";
        } else if (allBoolean) {
            kind = "binary";
        } else if (anyText || indices) {
            kind = "classification";
        } else {
            kind = "regression";
        }
        Properties p = new Properties();
        p.setProperty("input.dim", Integer.toString(dim));
        p.setProperty("task.kind", kind);
        if (kind.equals("classification")) {
            if (names.isEmpty()) {
                p.setProperty("task.classes", Integer.toString(Math.max(2, maxIndex + 1)));
            } else {
                // With class names, numeric labels are indices into them; a lone name gets a second class so the
                // task is a classification at all.
                List<String> list = new ArrayList<>(names);
                if (list.size() == 1) {
                    list.add("class-1");
                }
                p.setProperty("task.classes", Integer.toString(list.size()));
                p.setProperty("task.class.names", String.join(",", list));
            }
        } else if (kind.equals("multilabel")) {
            p.setProperty("task.labels", Integer.toString(Math.max(1, arraySize)));
        }
        return p;
    }
}
