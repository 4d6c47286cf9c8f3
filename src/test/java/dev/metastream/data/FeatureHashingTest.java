package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FeatureHashing#murmur3} is MurmurHash3 x86_32 with seed 0 over UTF-8 bytes. The hash decides every named
 * feature's slot and sign forever, so it is pinned to reference values here.
 *
 * <p>Sources of the expected values: the classic string vectors for seed 0 ("", "hello", "hello, world", "The quick
 * brown fox ...", "test", "Hello, world!"), and the byte vectors of SMHasher's reference implementation collected in
 * stackoverflow.com/questions/14747343 (also used by Boost.Hash2's tests) for the 1-, 2- and 3-byte tails and the
 * all-zero inputs. The non-ASCII values were computed with an independent implementation of the reference algorithm
 * that reproduces all of the published vectors above, including the ones with bytes at or above 0x80
 * ({@code 21 43 65 87 -> f55b516b}, {@code ff ff ff ff -> 76293b50}).
 */
class FeatureHashingTest {

    @ParameterizedTest(name = "murmur3(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "''                                          | 00000000",
            "hello                                       | 248bfa47",
            "hello, world                                | 149bbb7f",
            "The quick brown fox jumps over the lazy dog | 2e4ff723",
            "test                                        | ba6bd213",
            "Hello, world!                               | c0363e43",
    })
    void matchesPublishedStringVectors(String input, String hex) {
        assertThat(FeatureHashing.murmur3(input)).as(input).isEqualTo(Integer.parseUnsignedInt(hex, 16));
    }

    @Test
    void emptyStringHashesToZero() {
        assertThat(FeatureHashing.murmur3("")).isZero();
    }

    /** SMHasher vectors whose bytes are ASCII, so they are also the UTF-8 encoding of a Java string. */
    @Test
    void coversEveryTailLength() {
        // 1-, 2- and 3-byte tails with no full block: bytes 21, 21 43, 21 43 65 ("!", "!C", "!Ce").
        assertThat(FeatureHashing.murmur3("!")).isEqualTo(0x72661cf4);
        assertThat(FeatureHashing.murmur3("!C")).isEqualTo(0xa0f7b07a);
        assertThat(FeatureHashing.murmur3("!Ce")).isEqualTo(0x7e4a8634);
        // Zero bytes: U+0000 is the single byte 00 in (standard) UTF-8. Lengths 1..4 exercise tails 1, 2, 3 and a
        // full block with no tail; the zero tail still mixes in its length.
        assertThat(FeatureHashing.murmur3("\0")).isEqualTo(0x514e28b7);
        assertThat(FeatureHashing.murmur3("\0\0")).isEqualTo(0x30f4c306);
        assertThat(FeatureHashing.murmur3("\0\0\0")).isEqualTo(0x85f0b427);
        assertThat(FeatureHashing.murmur3("\0\0\0\0")).isEqualTo(0x2362f9de);
        // A full block followed by a 1-byte tail ("hello"), 0-byte tail ("hello, world": 12 bytes) and a 3-byte tail
        // (the 43-byte fox) are among the string vectors above; here a block plus 1, 2, 3 tail bytes again.
        assertThat(FeatureHashing.murmur3("abcd")).isEqualTo(0x43ed676a);
        assertThat(FeatureHashing.murmur3("abcde")).isEqualTo(0xe89b9af6);
        assertThat(FeatureHashing.murmur3("a")).isEqualTo(0x3c2569b2);
        assertThat(FeatureHashing.murmur3("ab")).isEqualTo(0x9bbfd75f);
        assertThat(FeatureHashing.murmur3("abc")).isEqualTo(0xb3dd93fa);
    }

    /** Bytes at or above 0x80 must be read unsigned in the tail and in full blocks. */
    @Test
    void hashesTheUtf8BytesOfNonAsciiNames() {
        assertThat(FeatureHashing.murmur3("é")).isEqualTo(0x10110787);          // c3 a9: 2-byte tail
        assertThat(FeatureHashing.murmur3("aé")).isEqualTo(0x031a0ccf);         // 61 c3 a9: 3-byte tail
        assertThat(FeatureHashing.murmur3("€")).isEqualTo(0x5b43fca5);          // e2 82 ac: 3-byte tail
        assertThat(FeatureHashing.murmur3("😀")).isEqualTo(0xbeb42efa);          // f0 9f 98 80: one full block
        assertThat(FeatureHashing.murmur3("日本")).isEqualTo(0xc4d9f942);         // block + 2-byte tail
        assertThat(FeatureHashing.murmur3("abcdé")).isEqualTo(0xe4012811);      // ASCII block + high tail
        assertThat(FeatureHashing.murmur3("Ünïcödé")).isEqualTo(0x0bdb4773);    // 11 bytes: 2 blocks + 3-byte tail
        assertThat(FeatureHashing.murmur3("ππππππππ")).isEqualTo(0xec72b6e8);   // 16 bytes, all high
        // Not Latin-1 (e9) nor UTF-16: the single byte e9 hashes differently.
        assertThat(FeatureHashing.murmur3("é")).isNotEqualTo(0x44c6d4b2);
        assertThat("é".getBytes(StandardCharsets.UTF_8)).hasSize(2);
    }

    /** The worked example of topology/records.md. */
    @Test
    void matchesTheDocumentedExample() {
        assertThat(FeatureHashing.murmur3("genre=Comedy")).isEqualTo(-146273859);
        assertThat(Math.floorMod(-146273859, 100)).isEqualTo(41);
        assertThat(FeatureHashing.murmur3("age")).isEqualTo(717653329);
        assertThat(Math.floorMod(717653329, 100)).isEqualTo(29);
    }
}
