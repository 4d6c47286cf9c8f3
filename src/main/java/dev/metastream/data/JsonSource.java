package dev.metastream.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code --source json:FILE}: a JSON array of flat objects, one per example, in stream order, e.g. the vega
 * {@code flights-20k.json}: {@code [{"date": "2001/01/01 00:47", "delay": 66, "distance": 1750, "origin": "DTW",
 * "destination": "LAS"}, ...]}. The array is read element by element (Jackson's streaming parser), so only the compact
 * rows stay in memory.
 *
 * <p>The columns are the keys of the first object; the column flags work as for CSV ({@link TableSource}). A value
 * reads as its text (a number as written, {@code true}/{@code false}, {@code null} as missing); an array of strings
 * in a hashed column is multi-valued (each string hashed as {@code column=value}). A key an object lacks reads as
 * missing (an empty cell); an object with a nested value is skipped and counted (by record number, 1-based); keys
 * the first object did not have are ignored. Anything but an array of objects at the top level is an error.
 */
final class JsonSource {
    private JsonSource() {}

    static LabelledPool read(String source, Path file, ScenarioSpec spec, String kindHint, Consumer<String> notes) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--source " + source + ": no such file " + file);
        }
        ObjectMapper mapper = new ObjectMapper();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonParser p = new JsonFactory(mapper).createParser(r)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("--source " + source + ": expected a JSON array of objects"
                        + " ([{...}, {...}]); for one JSON record per line use jsonl:" + file);
            }
            TableSource table = null;
            List<String> header = null;
            long record = 0;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new IllegalArgumentException("--source " + source + ": the JSON array is never closed");
                }
                record++;
                JsonNode node = mapper.readTree(p);
                if (node == null || !node.isObject()) {
                    if (table == null) {
                        throw new IllegalArgumentException("--source " + source + ": element " + record
                                + " is not an object; json:FILE takes an array of flat objects");
                    }
                    table.skips().add("not an object", record);
                    continue;
                }
                if (table == null) {
                    header = new ArrayList<>();
                    node.fieldNames().forEachRemaining(header::add);
                    table = new TableSource(source, CsvSource.stem(file), header, spec);
                }
                List<Object> cells = new ArrayList<>(header.size());
                String bad = null;
                for (String column : header) {
                    JsonNode v = node.get(column);
                    if (v == null || v.isNull()) {
                        cells.add("");
                    } else if (v.isValueNode()) {
                        cells.add(v.asText());
                    } else if (v.isArray()) {
                        List<String> values = new ArrayList<>();
                        for (Iterator<JsonNode> it = v.elements(); it.hasNext() && bad == null; ) {
                            JsonNode e = it.next();
                            if (e.isValueNode() && !e.isNull()) {
                                values.add(e.asText());
                            } else if (!e.isNull()) {
                                bad = "nested value in " + column;
                            }
                        }
                        cells.add(values);
                    } else {
                        bad = "nested value in " + column;
                    }
                }
                if (bad != null) {
                    table.skips().add(bad, record);
                    continue;
                }
                table.add(cells, record, "record-" + record);
            }
            if (table == null) {
                throw new IllegalArgumentException("--source " + source + ": the array is empty");
            }
            return table.pool(kindHint, notes);
        } catch (IOException e) {
            throw new IllegalArgumentException("--source " + source + ": not valid JSON: " + e.getMessage(), e);
        }
    }
}
