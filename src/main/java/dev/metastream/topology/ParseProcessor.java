package dev.metastream.topology;

import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.Instance;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Parses input records. A valid one continues keyed by its task id; a bad one continues, untouched, with headers that
 * say why it was rejected and where it came from, toward the dead-letter topic. Nothing a user sends can make this
 * processor throw.
 */
public final class ParseProcessor implements Processor<byte[], byte[], String, ParseProcessor.Parsed> {

    /** Header with the rejection reason code (e.g. {@code wrong-dimension}). */
    public static final String HEADER_REASON = "metastream.error.reason";
    /** Header with a message saying what to change. */
    public static final String HEADER_MESSAGE = "metastream.error.message";
    /** Header with the source topic. */
    public static final String HEADER_TOPIC = "metastream.source.topic";
    /** Header with the source partition. */
    public static final String HEADER_PARTITION = "metastream.source.partition";
    /** Header with the source offset. */
    public static final String HEADER_OFFSET = "metastream.source.offset";

    /**
     * Either a parsed instance, or the original bytes of a rejected record.
     *
     * @param instance the parsed example, or null when rejected
     * @param key      original key bytes (rejected records only)
     * @param value    original value bytes (rejected records only)
     */
    public record Parsed(Instance instance, byte[] key, byte[] value) {
        /** Whether the record parsed. */
        public boolean valid() {
            return instance != null;
        }
    }

    private final InputRecordParser parser;
    private final MetastreamMetrics metrics;
    private final boolean requireKeyedByTask;
    private ProcessorContext<String, Parsed> context;

    /**
     * @param parser             the record parser
     * @param metrics            meters to count rejections in
     * @param requireKeyedByTask reject records whose key is not their task id (the input is not repartitioned)
     */
    public ParseProcessor(InputRecordParser parser, MetastreamMetrics metrics, boolean requireKeyedByTask) {
        this.parser = parser;
        this.metrics = metrics;
        this.requireKeyedByTask = requireKeyedByTask;
    }

    private static boolean keyIsTask(byte[] key, String task) {
        return key != null && java.util.Arrays.equals(key, task.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void init(ProcessorContext<String, Parsed> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        InputRecordParser.Result r;
        try {
            r = parser.parse(record.key(), record.value(), record.timestamp());
        } catch (RuntimeException e) {
            // A parser bug must not kill the thread on one record; the record still goes somewhere visible.
            r = new InputRecordParser.Result(null, InputRecordParser.Reason.BAD_FIELD,
                    "unexpected parse failure: " + e);
        }
        if (r.ok() && requireKeyedByTask && !keyIsTask(record.key(), r.instance().task())) {
            r = new InputRecordParser.Result(null, InputRecordParser.Reason.KEY_MISMATCH,
                    "input.partitioned.by.task=true but the record key is not its task id \"" + r.instance().task()
                            + "\": key records by task id, or set input.partitioned.by.task=false");
        }
        if (r.ok()) {
            context.forward(new Record<>(r.instance().task(), new Parsed(r.instance(), null, null), record.timestamp(),
                    record.headers()));
            return;
        }
        metrics.deadLetter(r.reason());
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(HEADER_REASON, r.reason().code().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_MESSAGE, r.message().getBytes(StandardCharsets.UTF_8));
        context.recordMetadata().ifPresent((RecordMetadata m) -> {
            headers.add(HEADER_TOPIC, m.topic().getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_PARTITION, Integer.toString(m.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_OFFSET, Long.toString(m.offset()).getBytes(StandardCharsets.UTF_8));
        });
        context.forward(new Record<>((String) null, new Parsed(null, record.key(), record.value()), record.timestamp(),
                headers));
    }
}
