package dev.metastream.learn;

/**
 * Tiny SplitMix64 generator. Own implementation (not java.util) so initial parameters are
 * bit-identical across JDK versions.
 */
final class Rng {
    private long state;

    Rng(long seed) {
        this.state = seed;
    }

    long nextLong() {
        state += Seeds.GOLDEN;
        return Seeds.fmix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal via Box-Muller (one value per call; simplicity over speed). */
    double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1], avoids log(0)
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
