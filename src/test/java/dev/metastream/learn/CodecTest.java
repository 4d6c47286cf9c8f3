package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The codec's writers reuse the thread's buffers: records written inside others, or after them, stay intact. */
class CodecTest {

    @Test
    void nestedAndSuccessiveWritersKeepTheirBytes() {
        byte[] inner = new Codec.Writer(8).i32(7).floats(new float[] {1f, 2f}).toBytes();
        byte[] outer = new Codec.Writer(16).i8(1).bytes(new Codec.Writer(4).i64(99L).toBytes()).i32(5).toBytes();
        Codec.Reader r = new Codec.Reader(outer);
        assertThat(r.i8()).isEqualTo(1);
        assertThat(new Codec.Reader(r.bytes()).i64()).isEqualTo(99L);
        assertThat(r.i32()).isEqualTo(5);
        assertThat(r.hasMore()).isFalse();
        Codec.Reader again = new Codec.Reader(inner);
        assertThat(again.i32()).isEqualTo(7);
        assertThat(again.floats()).containsExactly(1f, 2f);
        // A writer that outgrows its borrowed buffer, then a small one that may get the grown buffer back.
        float[] big = new float[100_000];
        big[99_999] = 3f;
        byte[] grown = new Codec.Writer(8).floats(big).toBytes();
        assertThat(new Codec.Reader(grown).floats()).containsExactly(big);
        assertThat(new Codec.Writer(8).i32(1).toBytes()).hasSize(4);
    }

    @Test
    void bytesWrittenInPlaceEqualBytesOfAnArray() {
        byte[] payload = {3, 1, 4, 1, 5};
        byte[] viaArray = new Codec.Writer(8).i8(2).bytes(payload).i8(9).toBytes();
        byte[] inPlace = new Codec.Writer(8).i8(2).bytes(64, (ByteBuffer b) -> b.put(payload)).i8(9).toBytes();
        assertThat(inPlace).isEqualTo(viaArray);
    }

    @Test
    void fieldRecordsReadBackEachField() {
        byte[] a = new Codec.Fields(4).put("one", w -> w.i32(1)).put("two", w -> w.str("x")).toBytes(2);
        byte[] b = new Codec.Fields(4).put("one", w -> w.i32(1)).put("two", w -> w.str("x")).toBytes(2);
        assertThat(a).isEqualTo(b);
        Codec.Reader r = new Codec.Reader(a);
        assertThat(r.i8()).isEqualTo(2);
        Codec.Fields f = Codec.Fields.read(r);
        assertThat(f.get("one", Codec.Reader::i32, 0)).isEqualTo(1);
        assertThat(f.get("two", Codec.Reader::str, null)).isEqualTo("x");
        assertThat(f.get("three", Codec.Reader::i32, -1)).isEqualTo(-1);
    }
}
