package dev.metastream.learn;

/**
 * A young SGD head kept as the steps it took: while a task has taken at most {@link #MAX_STEPS} head steps, its head
 * is the partition's current meta-learned initialisation plus those steps, rebuilt whenever the initialisation moves,
 * and the task's state stores the steps instead of the head.
 *
 * <p>Why: with many short tasks (the users of a recommender; the million-task benchmark's two examples each) almost
 * every stored task is young, its state is rewritten after every micro-batch it is in and read back whenever it
 * returns, and its head (174 inputs by 10 classes on the bench workload: 7,016 bytes, two thirds of a young task's
 * state) is what RocksDB writes, flushes and compacts per example. One step is its inputs, its output gradient, its
 * parts' squared norms and its rate (188 floats there), so two steps are a fifth of the head.
 *
 * <p>The head cannot be stored as "the initialisation it started from plus its steps" without keeping every
 * initialisation a young task may still refer to, so a young head follows the initialisation instead: it starts from
 * the current one each time it is rebuilt. This is a learning choice too (a new task keeps benefiting from what the
 * partition meta-learns while it has seen only a few examples, as in Reptile's and MAML's adaptation, which always
 * starts from the current initialisation); past {@link #MAX_STEPS} steps the head is stored whole and no longer moves
 * with it. A step's gradient {@code h ⊗ dz} does not depend on the head, so the steps replay by the same arithmetic
 * in the same order as the learner took them (gradient, clip, {@link HeadStepNormalization}, {@code p -= rate * g}):
 * with the initialisation unchanged, the rebuilt head equals the learned one bit for bit.
 *
 * <p>A step on several examples (the step a replayed task's head takes on its replayed memory samples, a sum over
 * them) is logged as one entry per sample, in the order their gradients were summed: every entry but the last carries
 * a rate of {@code NaN}, meaning "add this gradient and go on", and the last carries the step's part norms and rate.
 * The log holds at most {@link #MAX_STEPS} entries, whatever steps they make.
 *
 * <p>Only plain-SGD heads are kept this way (no momentum or Adam state, no learned rates, no proximal pull, which
 * depend on more than the step); a background head's swap or an import makes the head dense.
 *
 * <pre>{@code
 * HeadSteps steps = HeadSteps.start(inputs, outputs, hidden, wide, lag, clipNorm, normalization);
 * steps = steps.add(h, dz, partNorms, rate);     // after the learner's step; null once dense
 * steps = steps.add(rows, partNorms, rate);       // a step on several samples: rows of {h, dz}, summed in order
 * steps.rebuild(currentInit, head);               // head = current initialisation + the steps
 * }</pre>
 */
final class HeadSteps {
    /**
     * Entries a head is kept as steps for (a step on one example is one entry, a step on k replayed samples k); a
     * step that would log more stores it whole.
     */
    static final int MAX_STEPS = 4;

    private final int inputs;
    private final int outputs;
    private final int hidden;
    private final int wide;
    private final int lag;
    private final float clipNorm;
    private final HeadStepNormalization normalization;
    /** Per step: its inputs, its output gradient, its parts' squared norms (3) and its rate. */
    private float[] data;
    private int count;

    private HeadSteps(int inputs, int outputs, int hidden, int wide, int lag, float clipNorm,
                      HeadStepNormalization normalization, float[] data, int count) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.hidden = hidden;
        this.wide = wide;
        this.lag = lag;
        this.clipNorm = clipNorm;
        this.normalization = normalization;
        this.data = data;
        this.count = count;
    }

    /**
     * An empty log for an {@code inputs -> outputs} head whose inputs are {@code hidden} trunk features, {@code wide}
     * scaled inputs and {@code lag} previous-label values (the head's bias row besides), or null when no step is
     * smaller than the head.
     */
    static HeadSteps start(int inputs, int outputs, int hidden, int wide, int lag, float clipNorm,
                           HeadStepNormalization normalization) {
        if (hidden + wide + lag != inputs || capacity(inputs, outputs) == 0) {
            return null;
        }
        return new HeadSteps(inputs, outputs, hidden, wide, lag, clipNorm, normalization, new float[0], 0);
    }

    private static int stride(int inputs, int outputs) {
        return inputs + outputs + 4;
    }

    /** Steps a log may hold: {@link #MAX_STEPS}, fewer when that many would be larger than the head. */
    static int capacity(int inputs, int outputs) {
        return Math.min(MAX_STEPS, Head.parameterCount(inputs, outputs) / stride(inputs, outputs));
    }

    /** Steps logged. */
    int count() {
        return count;
    }

    /**
     * Logs a step the learner took ({@link #step} with these arguments, this log's clip norm and normalisation).
     *
     * @return this log, or null once the head is to be stored whole (full, or a step of another shape)
     */
    HeadSteps add(float[] h, float[] dz, float[] partNorms, float rate) {
        return add(java.util.Collections.singletonList(new float[][] {h, dz}), partNorms, rate);
    }

    /**
     * Logs a step the learner took on several samples: the gradient is the sum, in this order, of each row's
     * {@code h ⊗ dz} (a row is {@code {h, dz}}, its {@code dz} already scaled as it was added), then clipped,
     * normalised by {@code partNorms} and applied at {@code rate}.
     *
     * @return this log, or null once the head is to be stored whole (full, or a row of another shape)
     */
    HeadSteps add(java.util.List<float[][]> rows, float[] partNorms, float rate) {
        if (rows.isEmpty() || count + rows.size() > capacity(inputs, outputs) || partNorms.length != 3
                || !(rate == rate)) {
            return null;
        }
        for (float[][] row : rows) {
            if (row[0].length < inputs || row[1].length != outputs) {
                return null;
            }
        }
        int stride = stride(inputs, outputs);
        data = java.util.Arrays.copyOf(data, (count + rows.size()) * stride);
        for (int k = 0; k < rows.size(); k++) {
            int at = count * stride;
            System.arraycopy(rows.get(k)[0], 0, data, at, inputs);
            System.arraycopy(rows.get(k)[1], 0, data, at + inputs, outputs);
            boolean last = k == rows.size() - 1;
            if (last) {
                System.arraycopy(partNorms, 0, data, at + inputs + outputs, 3);
            }
            data[at + inputs + outputs + 3] = last ? rate : Float.NaN;
            count++;
        }
        return this;
    }

    /** Whether {@code other} logs steps of the same shape under the same clip norm and normalisation. */
    boolean sameRule(HeadSteps other) {
        return inputs == other.inputs && outputs == other.outputs && hidden == other.hidden && wide == other.wide
                && lag == other.lag && Float.compare(clipNorm, other.clipNorm) == 0
                && normalization == other.normalization;
    }

    /** Whether this log makes heads of {@code parameters} parameters. */
    boolean fits(int parameters) {
        return parameters == Head.parameterCount(inputs, outputs);
    }

    /** Writes {@code init} plus the logged steps into {@code head} ({@code init} is not changed; they may be one). */
    void rebuild(float[] init, float[] head) {
        if (init.length != head.length || !fits(head.length)) {
            throw new IllegalArgumentException("a head of " + head.length + " parameters from an initialisation of "
                    + init.length + " and steps of " + inputs + " inputs by " + outputs + " outputs");
        }
        if (init != head) {
            System.arraycopy(init, 0, head, 0, init.length);
        }
        int stride = stride(inputs, outputs);
        float[] h = new float[inputs];
        float[] dz = new float[outputs];
        float[] norms = new float[3];
        float[] g = new float[head.length];
        boolean fresh = true;
        for (int s = 0; s < count; s++) {
            int at = s * stride;
            System.arraycopy(data, at, h, 0, inputs);
            System.arraycopy(data, at + inputs, dz, 0, outputs);
            if (fresh) {
                java.util.Arrays.fill(g, 0f); // a fresh gradient, as the learner's
            }
            float rate = data[at + inputs + outputs + 3];
            if (rate != rate) {
                // A row of a step on several samples: its gradient is added, and the step comes with the last row.
                Head.backward(head, inputs, outputs, h, dz, g, null);
                fresh = false;
                continue;
            }
            System.arraycopy(data, at + inputs + outputs, norms, 0, 3);
            step(head, g, inputs, outputs, h, dz, norms, hidden, wide, lag, clipNorm, normalization, rate);
            fresh = true;
        }
    }

    /**
     * One plain-SGD head step, as the learner takes it: the gradient {@code h ⊗ dz} (and {@code dz} for the bias)
     * added into {@code g} (zero on entry, or holding the earlier rows of a step on several samples), clipped to {@code clipNorm}, normalised by the parts' squared norms, then
     * {@code head -= rate * g}; skipped when the gradient is not finite.
     *
     * @return whether the step was taken
     */
    static boolean step(float[] head, float[] g, int inputs, int outputs, float[] h, float[] dz, float[] partNorms,
                        int hidden, int wide, int lag, float clipNorm, HeadStepNormalization normalization,
                        float rate) {
        Head.backward(head, inputs, outputs, h, dz, g, null);
        if (!StreamingLearner.clip(g, clipNorm)) {
            return false;
        }
        normalization.apply(g, partNorms, hidden, wide, lag, outputs);
        for (int i = 0; i < head.length; i++) {
            head[i] -= rate * g[i];
        }
        return true;
    }

    void write(Codec.Writer w) {
        w.i32(inputs).i32(outputs).i32(hidden).i32(wide).i32(lag).f32(clipNorm).i8(normalization.ordinal())
                .floats(data);
    }

    /** Reads {@link #write}; throws on a log that is not whole steps of its shape. */
    static HeadSteps read(Codec.Reader r) {
        int inputs = r.i32();
        int outputs = r.i32();
        int hidden = r.i32();
        int wide = r.i32();
        int lag = r.i32();
        float clipNorm = r.f32();
        int norm = r.i8();
        float[] data = r.floats();
        HeadStepNormalization[] norms = HeadStepNormalization.values();
        int stride = stride(Math.max(inputs, 0), Math.max(outputs, 0));
        if (inputs < 0 || outputs <= 0 || hidden < 0 || wide < 0 || lag < 0 || hidden + wide + lag != inputs
                || norm < 0 || norm >= norms.length || data == null || data.length % stride != 0
                || data.length / stride > capacity(inputs, outputs)
                || data.length > 0 && Float.isNaN(data[data.length - 1])) { // a step's rows without the step
            throw new IllegalStateException("head steps of " + (data == null ? "null" : data.length) + " floats for "
                    + inputs + " inputs and " + outputs + " outputs");
        }
        return new HeadSteps(inputs, outputs, hidden, wide, lag, clipNorm, norms[norm], data, data.length / stride);
    }
}
