package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What a reused array holds when it is handed out again, and which arrays may be in use at once. */
class StepBuffersTest {

    @Test
    void aSlotsArrayComesBackZeroedAndAsLongAsAsked() {
        StepBuffers buffers = new StepBuffers();
        float[] g = buffers.zeroed(StepBuffers.Slot.HEAD, 5);
        Arrays.fill(g, 3f);
        float[] again = buffers.zeroed(StepBuffers.Slot.HEAD, 5);
        assertThat(again).isSameAs(g).containsOnly(0f);
        float[] longer = buffers.zeroed(StepBuffers.Slot.HEAD, 8);
        assertThat(longer).hasSize(8).containsOnly(0f);
    }

    @Test
    void slotsAreApartAndAnOverwrittenArrayKeepsWhatItHeld() {
        StepBuffers buffers = new StepBuffers();
        float[] head = buffers.zeroed(StepBuffers.Slot.HEAD, 4);
        float[] linear = buffers.zeroed(StepBuffers.Slot.LINEAR, 4);
        assertThat(linear).isNotSameAs(head);
        float[] inputs = buffers.overwritten(StepBuffers.Slot.HEAD_INPUTS, 3);
        inputs[1] = 7f;
        assertThat(buffers.overwritten(StepBuffers.Slot.HEAD_INPUTS, 3)).isSameAs(inputs).containsExactly(0f, 7f, 0f);
        assertThat(buffers.overwritten(StepBuffers.Slot.HEAD_INPUTS, 2)).hasSize(2);
    }

    @Test
    void pooledArraysAreDistinctUntilReleasedThenReusedZeroed() {
        StepBuffers buffers = new StepBuffers();
        float[] a = buffers.pooled(3);
        float[] b = buffers.pooled(3);
        float[] c = buffers.pooled(6);
        assertThat(a).isNotSameAs(b);
        a[0] = 1f;
        b[2] = 2f;
        c[5] = 3f;
        buffers.releasePooled();
        assertThat(buffers.pooled(3)).isSameAs(a).containsOnly(0f);
        assertThat(buffers.pooled(3)).isSameAs(b).containsOnly(0f);
        float[] other = buffers.pooled(2); // c's place, another length: a new array
        assertThat(other).isNotSameAs(c).hasSize(2).containsOnly(0f);
        assertThat(buffers.pooled(1)).hasSize(1).containsOnly(0f); // past the pool: a new array
    }
}
