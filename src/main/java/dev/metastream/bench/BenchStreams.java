package dev.metastream.bench;

import dev.metastream.data.ExampleRecord;
import dev.metastream.data.ExampleRecordWriter;
import dev.metastream.learn.Instance;
import dev.metastream.learn.Seeds;
import java.util.SplittableRandom;

/**
 * The benchmark's workload, fixed by the issue that set the floor: d=100 inputs, 10 classes, 100 tasks, labels from a
 * per-task linear map (so there is something to learn), Gaussian inputs, seeded.
 */
public final class BenchStreams {
    /** Input dimension. */
    public static final int DIM = 100;
    /** Classes per task. */
    public static final int CLASSES = 10;
    /** Tasks. */
    public static final int TASKS = 100;

    private final SplittableRandom random;
    private final float[][][] maps = new float[TASKS][][];
    private long index;
    private String lastTask;

    /** A workload for a seed. */
    public BenchStreams(long seed) {
        random = new SplittableRandom(seed);
        for (int t = 0; t < TASKS; t++) {
            SplittableRandom r = new SplittableRandom(Seeds.mix(seed, t));
            maps[t] = new float[CLASSES][DIM];
            for (float[] row : maps[t]) {
                for (int i = 0; i < DIM; i++) {
                    row[i] = (float) (r.nextDouble() * 2 - 1);
                }
            }
        }
    }

    /** The next labelled example. */
    public Instance next() {
        int t = random.nextInt(TASKS);
        float[] x = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < CLASSES; c++) {
            double s = 0;
            for (int i = 0; i < DIM; i++) {
                s += maps[t][c][i] * x[i];
            }
            if (s > bestScore) {
                bestScore = s;
                best = c;
            }
        }
        float[] target = new float[CLASSES];
        target[best] = 1f;
        index++;
        return new Instance("task-" + t, x, target, Long.toString(index), index);
    }

    /** The task of the last example {@link #nextJson()} returned. */
    public String lastTask() {
        return lastTask;
    }

    /** The next example as a record of the examples topic, for {@link ExampleRecordWriter}. */
    public ExampleRecord nextRecord() {
        Instance in = next();
        lastTask = in.task();
        return new ExampleRecord(in.task(), new ExampleRecord.Dense(in.x()),
                new ExampleRecord.Value(classOf(in.target())), in.id(), null);
    }

    /** The next example as an input JSON record, written by the examples topic's one writer. */
    public String nextJson() {
        return ExampleRecordWriter.json(nextRecord());
    }

    private static int classOf(float[] oneHot) {
        int y = 0;
        while (oneHot[y] == 0f) {
            y++;
        }
        return y;
    }
}
