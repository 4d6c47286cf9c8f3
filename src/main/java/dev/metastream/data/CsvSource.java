package dev.metastream.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code --source csv:FILE}: a CSV file with a header row (RFC 4180, read by {@link CsvReader}); the columns are
 * chosen and encoded by {@link TableSource} (numeric, time, hashed and multi-valued columns, task, label, label
 * threshold). A row with a wrong number of fields is skipped and counted (a note reports it), not fatal; so are the
 * rows {@link TableSource} skips. Rows keep their file order: see {@link Scenarios} for how a file with several
 * tasks is trained.
 */
final class CsvSource {
    private CsvSource() {}

    /** Hashed slots when there are hash columns and no {@code --input-dim}. */
    static final int DEFAULT_HASH_SLOTS = TableSource.DEFAULT_HASH_SLOTS;

    static LabelledPool read(String source, Path file, ScenarioSpec spec, String kindHint, Consumer<String> notes) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--source " + source + ": no such file " + file);
        }
        try (CsvReader csv = new CsvReader(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            List<String> header = csv.next();
            if (header == null) {
                throw new IllegalArgumentException("--source " + source + ": the file is empty; it needs a header row");
            }
            TableSource table = new TableSource(source, stem(file), header, spec);
            List<String> fields;
            while ((fields = csv.next()) != null) {
                long line = csv.recordLine();
                if (fields.size() == 1 && fields.get(0).isEmpty()) {
                    continue; // blank line
                }
                if (fields.size() != header.size()) {
                    table.skips().add("has " + fields.size() + " fields, the header " + header.size(), line);
                    continue;
                }
                table.add(fields, line, "line-" + line);
            }
            return table.pool(kindHint, notes);
        } catch (IOException e) {
            throw new IllegalArgumentException("--source " + source + ": " + e.getMessage(), e);
        }
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.indexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** Counts skipped lines by reason and keeps the first few line numbers. */
    static final class Skips {
        private final String source;
        private final Map<String, Long> counts = new LinkedHashMap<>();
        private final Map<String, List<Long>> lines = new LinkedHashMap<>();
        private long total;

        Skips(String source) {
            this.source = source;
        }

        void add(String reason, long line) {
            total++;
            counts.merge(reason, 1L, Long::sum);
            List<Long> l = lines.computeIfAbsent(reason, r -> new ArrayList<>());
            if (l.size() < 3) {
                l.add(line);
            }
        }

        long total() {
            return total;
        }

        String summary() {
            if (total == 0) {
                return "";
            }
            StringBuilder sb = new StringBuilder(" (" + total + " skipped: ");
            boolean first = true;
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                sb.append(first ? "" : "; ").append(e.getValue()).append(" ").append(e.getKey()).append(" e.g. line ")
                        .append(lines.get(e.getKey()).get(0));
                first = false;
            }
            return sb.append(")").toString();
        }

        void report(Consumer<String> notes) {
            if (total > 0) {
                notes.accept(source + ": skipped " + total + " bad line" + (total == 1 ? "" : "s") + summary());
            }
        }
    }
}
