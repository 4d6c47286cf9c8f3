package dev.metastream.learn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Arrays one learner reuses from step to step and from micro-batch to micro-batch: the steps' gradients and the
 * batch's rows (head inputs, scaled replayed inputs, the trunk features' gradients), so that learning an example
 * allocates none of them. A head's gradient alone is as long as its parameters (1,740 floats on the bench workload,
 * 7 KB); these arrays were about half of the learner's allocated bytes (docs/benchmarks-throughput.md, twenty-seventh
 * stop).
 *
 * <p>Each array is handed out zeroed and exactly as long as asked, as a new one would be, so the steps' arithmetic and
 * its floats are unchanged. A {@link Slot} holds one array for a step that ends before the slot is asked for again;
 * {@link #pooled} hands out arrays that stay in use together until {@link #releasePooled}. Owned by one learner, so
 * used by one thread.
 *
 * <pre>{@code
 * StepBuffers buffers = new StepBuffers();
 * float[] g = buffers.zeroed(StepBuffers.Slot.HEAD, head.length);   // zeros, like new float[head.length]
 * Head.backward(head, width, outputs, inputs, dz, g, null);
 * }</pre>
 */
final class StepBuffers {
    /** The steps that take one array each, one at a time. */
    enum Slot {
        /** A task's head, in its own step on a new example. */
        HEAD,
        /** A task's background head, in the same step. */
        BACKGROUND,
        /** A task's linear expert. */
        LINEAR,
        /** The shared trunk's gradient of a micro-batch. */
        TRUNK,
        /** A new example's head inputs ({@link Features#inputs()}), while it is learned. */
        HEAD_INPUTS,
        /** A new example's inputs for its task's linear expert ({@link Features#linearInputs()}), while it is learned. */
        LINEAR_INPUTS
    }

    private final float[][] slots = new float[Slot.values().length][];
    private final List<float[]> pool = new ArrayList<>();
    private int pooledInUse;

    /** The slot's array, {@code length} long and zeroed; the previous array handed out from the slot is reused. */
    float[] zeroed(Slot slot, int length) {
        float[] a = slots[slot.ordinal()];
        if (a != null && a.length == length) {
            Arrays.fill(a, 0f);
            return a;
        }
        return overwritten(slot, length); // a new array: zeros
    }

    /**
     * The slot's array, {@code length} long, holding whatever it held: for a caller that writes every element before
     * it reads one.
     */
    float[] overwritten(Slot slot, int length) {
        float[] a = slots[slot.ordinal()];
        if (a == null || a.length != length) {
            a = new float[length];
            slots[slot.ordinal()] = a;
        }
        return a;
    }

    /**
     * A zeroed array {@code length} long that stays the caller's until {@link #releasePooled}: the pool's next one,
     * replaced when its length differs.
     */
    float[] pooled(int length) {
        float[] a;
        if (pooledInUse < pool.size()) {
            a = pool.get(pooledInUse);
            if (a.length != length) {
                a = new float[length];
                pool.set(pooledInUse, a);
            } else {
                Arrays.fill(a, 0f);
            }
        } else {
            a = new float[length];
            pool.add(a);
        }
        pooledInUse++;
        return a;
    }

    /** Gives back every array {@link #pooled} handed out: the callers must no longer use them. */
    void releasePooled() {
        pooledInUse = 0;
    }
}
