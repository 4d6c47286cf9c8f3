package dev.metastream.data;

import java.nio.charset.StandardCharsets;

/**
 * MurmurHash3 (x86, 32-bit, seed 0) of a feature name's UTF-8 bytes: the hash Vowpal Wabbit and scikit-learn's
 * FeatureHasher use for the hashing trick. Written out here because it is twenty lines and the project must hash the
 * same way forever (a library upgrade that changed it would silently scramble every model's inputs).
 */
public final class FeatureHashing {
    private FeatureHashing() {}

    /** The 32-bit MurmurHash3 of {@code name}'s UTF-8 bytes. */
    public static int murmur3(String name) {
        byte[] data = name.getBytes(StandardCharsets.UTF_8);
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h1 = 0;
        int len = data.length;
        int roundedEnd = len & ~3;
        for (int i = 0; i < roundedEnd; i += 4) {
            int k1 = (data[i] & 0xff) | ((data[i + 1] & 0xff) << 8) | ((data[i + 2] & 0xff) << 16) | (data[i + 3] << 24);
            k1 *= c1;
            k1 = Integer.rotateLeft(k1, 15);
            k1 *= c2;
            h1 ^= k1;
            h1 = Integer.rotateLeft(h1, 13);
            h1 = h1 * 5 + 0xe6546b64;
        }
        int k1 = 0;
        switch (len & 3) {
            case 3:
                k1 = (data[roundedEnd + 2] & 0xff) << 16;
                // fall through
            case 2:
                k1 |= (data[roundedEnd + 1] & 0xff) << 8;
                // fall through
            case 1:
                k1 |= data[roundedEnd] & 0xff;
                k1 *= c1;
                k1 = Integer.rotateLeft(k1, 15);
                k1 *= c2;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= len;
        h1 ^= h1 >>> 16;
        h1 *= 0x85ebca6b;
        h1 ^= h1 >>> 13;
        h1 *= 0xc2b2ae35;
        h1 ^= h1 >>> 16;
        return h1;
    }
}
