package dev.metastream.learn;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic derivation of random bits from (task id, counter), so that replaying a stream
 * after a crash makes the same random decisions. SplitMix64 finaliser based.
 */
public final class Seeds {
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** SplitMix64 output function: a bijective 64-bit mixer. */
    static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Combines two values into well-mixed bits; order matters ({@code mix(a,b) != mix(b,a)}). */
    public static long mix(long a, long b) {
        return fmix(fmix(a + GOLDEN) + b * GOLDEN + 0x632BE59BD9B4E019L);
    }

    /** Bits for the {@code n}-th draw of stream {@code s}; uses FNV-1a over UTF-8, JVM-independent. */
    public static long of(String s, long n) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xFF);
            h *= 0x100000001B3L;
        }
        return mix(h, n);
    }
}
