package dev.metastream.bench;

import dev.metastream.data.ExampleRecord;
import dev.metastream.data.ExampleRecordWriter;
import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.LearnerConfig;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of one input record of the bench workload (100 dense features, a task, a class): parsed as a stream
 * thread parses it, and written as {@code bench}'s sender and {@code produce} write it. Run with
 * {@code bin/metastream bench --jmh RecordBenchmarks}; the figures are in {@code docs/benchmarks-throughput.md}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class RecordBenchmarks {
    private static final int RECORDS = 1024;
    private InputRecordParser parser;
    private ExampleRecord[] records;
    private byte[][] values;
    private int next;

    /** A thousand records of the workload, as records and as the bytes of their JSON. */
    @Setup
    public void setup() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(BenchStreams.DIM));
        p.setProperty("task.classes", String.valueOf(BenchStreams.CLASSES));
        parser = new InputRecordParser(LearnerConfig.from(p), 1 << 20);
        BenchStreams stream = new BenchStreams(7);
        records = new ExampleRecord[RECORDS];
        values = new byte[RECORDS][];
        for (int i = 0; i < RECORDS; i++) {
            records[i] = stream.nextRecord();
            values[i] = ExampleRecordWriter.json(records[i]).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** One record's JSON to an instance: what a stream thread's parse step does per record. */
    @Benchmark
    public InputRecordParser.Result parse() {
        next = (next + 1) & (RECORDS - 1);
        return parser.parse(null, values[next], 0L);
    }

    /** One record to its JSON bytes: what the bench's sender does per record. */
    @Benchmark
    public ExampleRecordWriter.Written write() {
        next = (next + 1) & (RECORDS - 1);
        return ExampleRecordWriter.write(records[next], ExampleRecordWriter.TaskPlacement.VALUE_ONLY);
    }
}
