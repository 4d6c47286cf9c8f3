package dev.metastream.shift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** {@link ShiftMonitor#toBytes()} / {@link ShiftMonitor#fromBytes(byte[])}: exact resume, bounded size, rejection. */
class ShiftMonitorSerialisationTest {

    private static final ShiftMonitor.Settings DEFAULTS = ShiftMonitor.Settings.defaults();

    /** Every report (drifted or not) of a monitor that is serialised and restored at the given positions. */
    private static List<ShiftReport> checks(ShiftMonitor.Settings s, int dim, int categories, ShiftStreams.Inputs inputs,
            long n, long[] resumeAt, byte[][] finalState) {
        ShiftMonitor m = new ShiftMonitor(s, dim, categories, 99);
        Random r = new Random(5);
        List<ShiftReport> seen = new ArrayList<>();
        ShiftReport last = null;
        int next = 0;
        for (long i = 0; i < n; i++) {
            if (next < resumeAt.length && resumeAt[next] == i) {
                m = ShiftMonitor.fromBytes(m.toBytes());
                assertThat(m.position()).isEqualTo(i);
                assertThat(m.latest()).isEqualTo(last);
                next++;
            }
            float[] x = inputs.next(r, i);
            double y = r.nextDouble() < (i < n / 2 ? 0.3 : 0.6) ? 1 : 0;
            double prediction = categories == 0 ? y + 0.1 * r.nextGaussian() : y;
            double label = r.nextDouble() < 0.5 ? y : Double.NaN;
            ShiftReport rep = m.observe(x, prediction, label);
            if (m.latest() != null && (last == null || m.latest().position() != last.position())) {
                last = m.latest();
                seen.add(last);
                assertThat(rep).isEqualTo(last.drift() ? last : null);
            }
        }
        finalState[0] = m.toBytes();
        return seen;
    }

    private static void assertResumesExactly(ShiftMonitor.Settings s, int dim, int categories, ShiftStreams.Inputs inputs, long n) {
        byte[][] straight = new byte[1][];
        byte[][] resumed = new byte[1][];
        List<ShiftReport> a = checks(s, dim, categories, inputs, n, new long[0], straight);
        // Inside calibration, at its end, at block ends, mid-block, at and after checks, then often.
        long[] at = new long[60];
        long[] fixed = {1, 10, 63, 64, 65, 99, 100, 101, 499, 500, 501, 999, 1000, 1001, 1234};
        System.arraycopy(fixed, 0, at, 0, fixed.length);
        for (int k = fixed.length; k < at.length; k++) {
            at[k] = at[k - 1] + 997 * (k % 3 + 1) / 2;
        }
        List<ShiftReport> b = checks(s, dim, categories, inputs, n, Arrays.stream(at).filter(p -> p < n).toArray(), resumed);
        assertThat(a).hasSizeGreaterThan(10);
        assertThat(a).anyMatch(ShiftReport::drift); // the stream has shifts, so epochs restart
        assertThat(b).isEqualTo(a);
        assertThat(resumed[0]).isEqualTo(straight[0]);
    }

    private static ShiftStreams.Inputs shifting(int d) {
        return (r, i) -> {
            float[] x = ShiftStreams.uniform(d).next(r, i);
            if ((i / 4000) % 2 == 1) {
                x[0] += 0.5f;
                x[d - 1] *= 2;
            }
            return x;
        };
    }

    @Test
    void resumesExactlyWithFirstReference() {
        assertResumesExactly(DEFAULTS, 10, 2, shifting(10), 20_000);
    }

    @Test
    void resumesExactlyWithSlidingReference() {
        assertResumesExactly(DEFAULTS.withReference(ShiftMonitor.Reference.SLIDING), 10, 2, shifting(10), 20_000);
    }

    @Test
    void resumesExactlyWithRealValuedOutputsAndWideInputs() {
        assertResumesExactly(DEFAULTS, 4, 0, shifting(4), 20_000);
        ShiftStreams.Inputs wide = (r, i) -> {
            float[] x = ShiftStreams.wideSparse().next(r, i);
            if ((i / 4000) % 2 == 1) {
                Arrays.fill(x, 0, 200, 0f);
            }
            return x;
        };
        assertResumesExactly(DEFAULTS, 784, 10, wide, 12_000);
    }

    @Test
    void resumesExactlyAtEveryPositionWhileItsBlocksAreMade() {
        // A monitor makes its blocks as it first uses them (the reference sum and the ring slots), and a restored one
        // leaves the slots it reads empty unmade: restored at every example through calibration, the reference and the
        // rings' first rounds, it continues as the monitor never restored, through shifts that restart the epoch.
        ShiftMonitor.Settings smallBlocks = new ShiftMonitor.Settings(120, 40, 3, 8, 0.5, 0.05, 100_000, 100, 16,
                ShiftMonitor.Reference.SLIDING);
        long[] every = LongStream.range(0, 1_300).toArray();
        record Case(ShiftMonitor.Settings s, int dim, int categories) {}
        List<Case> cases = List.of(new Case(DEFAULTS, 10, 2),
                new Case(DEFAULTS.withReference(ShiftMonitor.Reference.SLIDING), 10, 2), new Case(smallBlocks, 4, 0));
        for (Case c : cases) {
            byte[][] straight = new byte[1][];
            byte[][] resumed = new byte[1][];
            List<ShiftReport> a = checks(c.s(), c.dim(), c.categories(), shifting(c.dim()), 9_000, new long[0],
                    straight);
            List<ShiftReport> b = checks(c.s(), c.dim(), c.categories(), shifting(c.dim()), 9_000, every, resumed);
            assertThat(a).as("%s", c).anyMatch(ShiftReport::drift);
            assertThat(b).as("%s", c).isEqualTo(a);
            assertThat(resumed[0]).as("%s", c).isEqualTo(straight[0]);
        }
    }

    private static byte[] stateAfter(int dim, long n, ShiftMonitor.Settings s) {
        ShiftMonitor m = new ShiftMonitor(s, dim, 2, 1);
        ShiftStreams.run(m, 1, n, dim > 100 ? ShiftStreams.wideSparse() : ShiftStreams.uniform(dim), i -> 0.3);
        return m.toBytes();
    }

    @Test
    void sizeIsBoundedAndDoesNotGrowWithTheStream() {
        for (int dim : new int[] {10, 784}) {
            int at100 = stateAfter(dim, 100, DEFAULTS).length;
            int at50k = stateAfter(dim, 50_000, DEFAULTS).length;
            int at100k = stateAfter(dim, 100_000, DEFAULTS).length;
            // After 100 examples the reference is still filling (the projections' sums of products
            // are held until it completes) and there is no report; later the covariance is reduced
            // to variances and the latest report (at most four signals of at most ten features) is
            // part of the state. Nothing grows with the stream.
            assertThat(at100k).as("d=%d", dim).isEqualTo(at50k);
            assertThat(Math.abs(at100k - at100)).as("d=%d", dim).isLessThan(4_500);
            assertThat(Math.max(at100, at100k)).as("d=%d", dim).isLessThan(dim == 10 ? 12_000 : 20_000);
            System.out.printf("shift monitor state, d=%d: %d bytes after 100 examples, %d after 100,000%n", dim, at100, at100k);
        }
    }

    @Test
    void rejectsMalformedState() {
        ShiftMonitor m = new ShiftMonitor(DEFAULTS, 5, 3, 1);
        Random r = new Random(2);
        for (int i = 0; i < 1500; i++) {
            m.observe(ShiftStreams.uniform(5).next(r, i), r.nextInt(3), r.nextInt(3));
        }
        byte[] good = m.toBytes();
        assertThat(ShiftMonitor.fromBytes(good).toBytes()).isEqualTo(good);
        assertThatThrownBy(() -> ShiftMonitor.fromBytes(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShiftMonitor.fromBytes(new byte[1])).isInstanceOf(IllegalArgumentException.class);
        byte[] wrongType = good.clone();
        wrongType[0] = 1;
        assertThatThrownBy(() -> ShiftMonitor.fromBytes(wrongType)).isInstanceOf(IllegalArgumentException.class);
        byte[] wrongVersion = good.clone();
        wrongVersion[1] = 9;
        assertThatThrownBy(() -> ShiftMonitor.fromBytes(wrongVersion)).hasMessageContaining("version");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> ShiftMonitor.fromBytes(trailing)).hasMessageContaining("trailing");
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThatThrownBy(() -> ShiftMonitor.fromBytes(cut)).as("truncated to %d", len)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        // Random corruption: either rejected with IllegalArgumentException or a usable monitor.
        Random flips = new Random(3);
        for (int k = 0; k < 3000; k++) {
            byte[] bad = good.clone();
            bad[flips.nextInt(bad.length)] ^= (byte) (1 << flips.nextInt(8));
            Throwable t = catchThrowable(() -> {
                ShiftMonitor x = ShiftMonitor.fromBytes(bad);
                for (int i = 0; i < 600; i++) {
                    x.observe(new float[] {0.5f, 0.1f, 0.9f, 0.3f, 0.7f}, i % 3, Double.NaN);
                }
            });
            if (t != null) {
                assertThat(t).as("flip %d", k).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void rejectsInconsistentCounts() {
        ShiftMonitor m = new ShiftMonitor(DEFAULTS, 2, 2, 1);
        for (int i = 0; i < 250; i++) {
            m.observe(new float[] {i % 7, i % 3}, i % 2, Double.NaN);
        }
        byte[] good = m.toBytes();
        // The first count of the reference sum: after the current block (n, nMmd, counts, sums). Every block here
        // counts at most 255 examples, so every count is one byte, as in the empty probe.
        ShiftMonitor.Block probe = new ShiftMonitor.Block(2 * 10 + 2 + 2, 32);
        int refStart = good.length - 3 * Integer.BYTES - 1 - probe.byteSize() * 7 + probe.byteSize();
        byte[] bad = good.clone();
        bad[refStart + 8] = (byte) 0xFF; // a count of 255 in a block of 200 examples
        assertThatThrownBy(() -> ShiftMonitor.fromBytes(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
    }

    /** The stream the version-1 fixture was written from (by the build before version 2, 5f68693). */
    private static ShiftMonitor versionOneStream(int n) {
        ShiftMonitor m = new ShiftMonitor(DEFAULTS, 5, 3, 7);
        Random r = new Random(5);
        for (int i = 0; i < n; i++) {
            float[] x = new float[5];
            for (int j = 0; j < 5; j++) {
                x[j] = (float) (r.nextGaussian() + (i >= 900 ? 1 : 0));
            }
            m.observe(x, r.nextInt(3), i % 2 == 0 ? r.nextInt(3) : Double.NaN);
        }
        return m;
    }

    @Test
    void versionOneStatesAreStillReadAndResumeExactly() throws Exception {
        byte[] v1;
        try (var in = ShiftMonitorSerialisationTest.class.getResourceAsStream("shift-monitor-v1.bin")) {
            v1 = in.readAllBytes();
        }
        assertThat(v1[1]).as("the fixture's version").isEqualTo((byte) 1);
        ShiftMonitor same = versionOneStream(1234);
        ShiftMonitor read = ShiftMonitor.fromBytes(v1);
        // Read back, it is the monitor that wrote it: the same state in today's encoding, and the same checks after.
        assertThat(read.toBytes()).isEqualTo(same.toBytes());
        assertThat(read.toBytes()[1]).isEqualTo(ShiftMonitor.VERSION);
        assertThat(read.toBytes().length).as("version 2's counts take a byte each at the default block size")
                .isLessThan(v1.length);
        Random r = new Random(6);
        for (int i = 0; i < 3000; i++) {
            float[] x = new float[5];
            for (int j = 0; j < 5; j++) {
                x[j] = (float) (r.nextGaussian() * (i >= 1500 ? 2 : 1));
            }
            int p = r.nextInt(3);
            assertThat(read.observe(x, p, Double.NaN)).isEqualTo(same.observe(x, p, Double.NaN));
        }
    }

    @Test
    void countsTakeTheBytesTheirBlockNeeds() {
        assertThat(ShiftMonitor.Block.width(0)).isEqualTo(1);
        assertThat(ShiftMonitor.Block.width(255)).isEqualTo(1);
        assertThat(ShiftMonitor.Block.width(256)).isEqualTo(2);
        assertThat(ShiftMonitor.Block.width(65_535)).isEqualTo(2);
        assertThat(ShiftMonitor.Block.width(65_536)).isEqualTo(4);
        // Blocks of 300 and a reference of 70,000: two- and four-byte counts, read back exactly.
        ShiftMonitor.Settings wide = new ShiftMonitor.Settings(70_200, 300, 2, 10, 0.5, 0.05, 1_000_000, 100, 8,
                ShiftMonitor.Reference.FIRST);
        ShiftMonitor m = new ShiftMonitor(wide, 3, 2, 1);
        Random r = new Random(3);
        for (int i = 0; i < 71_000; i++) {
            m.observe(new float[] {(float) r.nextGaussian(), r.nextFloat(), r.nextInt(4)}, r.nextInt(2), r.nextInt(2));
            if (i % 9_973 == 0 || i == 70_999) {
                byte[] b = m.toBytes();
                assertThat(ShiftMonitor.fromBytes(b).toBytes()).isEqualTo(b);
            }
        }
    }
}
