package dev.metastream.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One command on the control topic ({@code topic.control}), processed by the learner partition that owns its task
 * inside the same exactly-once transaction as learning. The record key is the task id (or {@code meta} for the
 * shared model), so the command reaches that task's partition; the value is UTF-8 JSON, documented in
 * {@code topology/records.md#control-commands}:
 *
 * <pre>{@code
 * {"command": "delete-task", "task": "sensor-7", "request_id": "5b0c...", "requested_at": 1767225600000}
 * {"command": "import-task", "task": "sensor-7", "request_id": "...", "requested_at": ..., "model": {...}}
 * {"command": "import-meta", "task": "meta", "request_id": "...", "requested_at": ..., "model": {...}}
 * }</pre>
 *
 * @param command     {@value #DELETE_TASK}, {@value #IMPORT_TASK} or {@value #IMPORT_META}
 * @param task        the task the command is about ({@code meta} for {@value #IMPORT_META})
 * @param requestId   the id the HTTP API answered with, echoed in the log when the command is applied
 * @param requestedAt epoch ms the command was written
 * @param model       the model to import, in the export format ({@code docs/model-format.md}), or null
 * @param error       why the record is not a valid command, or null when it is
 */
public record ControlCommand(String command, String task, String requestId, long requestedAt, JsonNode model,
                             String error) {
    /** Forget a task: state, memory, reference gradient and latest snapshot. */
    public static final String DELETE_TASK = "delete-task";
    /** Seed a task from an exported model. */
    public static final String IMPORT_TASK = "import-task";
    /** Seed the shared model from an exported model. */
    public static final String IMPORT_META = "import-meta";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A command to write. */
    public static ControlCommand of(String command, String task, String requestId, long requestedAt, JsonNode model) {
        return new ControlCommand(command, task, requestId, requestedAt, model, null);
    }

    /** Whether the record was a valid command. */
    public boolean valid() {
        return error == null;
    }

    /** The record value. */
    public byte[] toBytes() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("command", command);
        n.put("task", task);
        n.put("request_id", requestId);
        n.put("requested_at", requestedAt);
        if (model != null) {
            n.set("model", model);
        }
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a record value; never throws: a record that is not a command comes back with {@link #error()} set (the
     * processor logs and skips it: one bad record must not stop a partition).
     *
     * @param key   the record key (the task id), used when the value names no task
     * @param value the record value
     */
    public static ControlCommand parse(String key, byte[] value) {
        if (value == null) {
            return new ControlCommand(null, key, null, 0, null, "a control record needs a JSON value (got none)");
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(value);
        } catch (IOException e) {
            return new ControlCommand(null, key, null, 0, null, "not JSON: "
                    + new String(value, 0, Math.min(value.length, 80), StandardCharsets.UTF_8));
        }
        if (n == null || !n.isObject()) {
            return new ControlCommand(null, key, null, 0, null, "a control record's value must be a JSON object");
        }
        String command = n.path("command").asText(null);
        String task = n.hasNonNull("task") ? n.get("task").asText() : key;
        String id = n.path("request_id").asText(null);
        long at = n.path("requested_at").asLong(0);
        JsonNode model = n.get("model");
        String error = null;
        if (command == null || !(command.equals(DELETE_TASK) || command.equals(IMPORT_TASK)
                || command.equals(IMPORT_META))) {
            error = "\"command\" must be " + DELETE_TASK + ", " + IMPORT_TASK + " or " + IMPORT_META + ", not "
                    + command;
        } else if (task == null || task.isBlank()) {
            error = "the command names no task (neither \"task\" nor the record key)";
        } else if (!command.equals(DELETE_TASK) && (model == null || !model.isObject())) {
            error = command + " needs \"model\": an exported model (docs/model-format.md)";
        }
        return new ControlCommand(command, task, id, at, model, error);
    }
}
