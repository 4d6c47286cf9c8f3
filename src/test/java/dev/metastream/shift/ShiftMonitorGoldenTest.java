package dev.metastream.shift;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pins the monitor's outputs to those of the eager-allocating implementation (commit 22045af): SHA-256 digests of
 * every report and latest check and of {@link ShiftMonitor#toBytes()} at many positions (densely through calibration
 * and the reference's first blocks, where blocks are allocated as they are first used), over long deterministic
 * streams with shifts. A digest that moves means an output that moved.
 *
 * <p>Re-taken once on purpose, when the random Fourier features came to be taken by {@code FourierMmd.cosines}
 * instead of {@code Math.cos}: on these four streams every one of the 607 checks of the build before and after gave
 * the same decisions, and every statistic agreed to 12 significant digits. Re-taken again when the state's block
 * counts came to be written in as few bytes as their block needs (format 2): the digest of every report and of the
 * latest report of every state written and read back was the same on all four streams before and after (issue 11,
 * twenty-third stop).
 */
class ShiftMonitorGoldenTest {

    private static final ShiftMonitor.Settings DEFAULTS = ShiftMonitor.Settings.defaults();

    /** Blocks shorter than the calibration (which is then one block), a sliding reference, 8 bins. */
    private static final ShiftMonitor.Settings SMALL_BLOCKS = new ShiftMonitor.Settings(120, 40, 3, 8, 0.5, 0.05,
            100_000, 100, 16, ShiftMonitor.Reference.SLIDING);

    private static ShiftStreams.Inputs shifting(int d) {
        return (r, i) -> {
            float[] x = ShiftStreams.uniform(d).next(r, i);
            if ((i / 3000) % 2 == 1) {
                x[0] += 0.5f;
                x[d - 1] *= 2;
            }
            if (i % 101 == 7) {
                x[1] = Float.NaN; // missing values take their own paths
            }
            return x;
        };
    }

    private static ShiftStreams.Inputs wideShifting() {
        return (r, i) -> {
            float[] x = ShiftStreams.wideSparse().next(r, i);
            if ((i / 3000) % 2 == 1) {
                Arrays.fill(x, 0, 200, 0f);
            }
            return x;
        };
    }

    private static String digest(ShiftMonitor.Settings s, int dim, int categories, ShiftStreams.Inputs inputs, long n) {
        MessageDigest sha = sha256();
        ShiftMonitor m = new ShiftMonitor(s, dim, categories, 17);
        Random r = new Random(11);
        int reports = 0;
        for (long i = 0; i < n; i++) {
            if (i < 700 ? i % 7 == 0 || i % s.blockSize() < 2 : i % 97 == 0) {
                sha.update(m.toBytes());
            }
            float[] x = inputs.next(r, i);
            double y = r.nextDouble() < (i % 6000 < 3000 ? 0.3 : 0.6) ? 1 : 0;
            double prediction = categories == 0 ? y + 0.1 * r.nextGaussian() : y;
            double label = r.nextDouble() < 0.5 ? y : Double.NaN;
            ShiftReport rep = m.observe(x, prediction, label);
            if (rep != null) {
                reports++;
                sha.update(ShiftMonitor.ReportCodec.encode(rep));
            }
            ShiftReport latest = m.latest();
            if (latest != null && latest.position() == m.position()) {
                sha.update(ShiftMonitor.ReportCodec.encode(latest));
            }
        }
        sha.update(m.toBytes());
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(reports).array());
        assertThat(reports).as("the stream has shifts").isPositive();
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void firstReferenceIsUnchanged() {
        assertThat(digest(DEFAULTS, 10, 2, shifting(10), 20_000))
                .isEqualTo("0e98182a1e66ecfc21712cfdd12ba27bf13890c4901073f6cfe6f6fd40dabf9a");
    }

    @Test
    void slidingReferenceIsUnchanged() {
        assertThat(digest(DEFAULTS.withReference(ShiftMonitor.Reference.SLIDING), 10, 2, shifting(10), 20_000))
                .isEqualTo("45bbe0c3200b35c9dd11e61dcb813a6f218ba915785a628d4b10b1ecbfb2de8e");
    }

    @Test
    void smallBlocksAndRealValuedOutputsAreUnchanged() {
        assertThat(digest(SMALL_BLOCKS, 4, 0, shifting(4), 12_000))
                .isEqualTo("d86ff8880d6c46a845d6d435a3d4cdf76e6c52a25909a21cffbc7d57719071c1");
    }

    @Test
    void wideInputsAreUnchanged() {
        assertThat(digest(DEFAULTS, 784, 10, wideShifting(), 8_000))
                .isEqualTo("e81ce6582254bb9d68d823673f53784c6fcd57bf28c83d1169f2e6c91cb238e3");
    }
}
