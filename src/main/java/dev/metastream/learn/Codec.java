package dev.metastream.learn;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Small binary codec for learner state: versioned, big-endian, no reflection.
 *
 * <p>State is written to RocksDB stores (and their changelogs) on every micro-batch, so it must be compact and fast:
 * float arrays are copied in bulk through a {@link java.nio.FloatBuffer} view, not value by value. Java
 * serialisation and JSON are neither compact nor fast.
 */
final class Codec {
    private Codec() {}

    /** Largest write buffer kept for reuse (a bigger one, e.g. a large trunk's, is allocated per record). */
    static final int SPARE_BYTES = 1 << 20;
    /** Write buffers kept per thread: enough for a record written inside another (an instance in a pending one). */
    private static final int SPARES = 4;

    /**
     * A thread's write buffers between uses. States are written at every micro-batch, and allocating (and zeroing) a
     * buffer of a task state's size for each, only to copy it out, was a tenth of the cost of writing them.
     */
    private static final class Spares {
        final ByteBuffer[] free = new ByteBuffer[SPARES];
        int count;
    }

    private static final ThreadLocal<Spares> SPARE = ThreadLocal.withInitial(Spares::new);

    /** A buffer of at least {@code size} bytes, position 0: a spare of this thread's when one is free. */
    private static ByteBuffer borrow(int size) {
        if (size <= SPARE_BYTES) {
            Spares s = SPARE.get();
            if (s.count > 0) {
                ByteBuffer b = s.free[--s.count];
                s.free[s.count] = null;
                if (b.capacity() >= size) {
                    b.clear();
                    return b;
                }
            }
        }
        return ByteBuffer.allocate(size);
    }

    private static void giveBack(ByteBuffer b) {
        if (b.capacity() <= SPARE_BYTES) {
            Spares s = SPARE.get();
            if (s.count < SPARES) {
                s.free[s.count++] = b;
            }
        }
    }

    /** A writer over a growable buffer, borrowed from the thread's spares and given back by {@link #toBytes()}. */
    static final class Writer {
        private ByteBuffer buffer;

        Writer(int sizeHint) {
            buffer = borrow(Math.max(64, sizeHint));
        }

        private void ensure(int more) {
            if (buffer.remaining() < more) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
        }

        Writer i8(int v) {
            ensure(1);
            buffer.put((byte) v);
            return this;
        }

        Writer i32(int v) {
            ensure(4);
            buffer.putInt(v);
            return this;
        }

        Writer i64(long v) {
            ensure(8);
            buffer.putLong(v);
            return this;
        }

        Writer f32(float v) {
            ensure(4);
            buffer.putFloat(v);
            return this;
        }

        Writer f64(double v) {
            ensure(8);
            buffer.putDouble(v);
            return this;
        }

        Writer str(String s) {
            return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        Writer floats(float[] a) {
            if (a == null) {
                return i32(-1);
            }
            ensure(4 + 4 * a.length);
            buffer.putInt(a.length);
            buffer.asFloatBuffer().put(a);
            buffer.position(buffer.position() + 4 * a.length);
            return this;
        }

        Writer doubles(double[] a) {
            if (a == null) {
                return i32(-1);
            }
            ensure(4 + 8 * a.length);
            buffer.putInt(a.length);
            buffer.asDoubleBuffer().put(a);
            buffer.position(buffer.position() + 8 * a.length);
            return this;
        }

        Writer longs(long[] a) {
            if (a == null) {
                return i32(-1);
            }
            ensure(4 + 8 * a.length);
            buffer.putInt(a.length);
            buffer.asLongBuffer().put(a);
            buffer.position(buffer.position() + 8 * a.length);
            return this;
        }

        /**
         * Writes what {@link #bytes(byte[])} writes for the {@code body}'s output, without it as an array first:
         * {@code body} writes at most {@code maxBytes} into the buffer, and the length is filled in after.
         */
        Writer bytes(int maxBytes, java.util.function.Consumer<ByteBuffer> body) {
            ensure(4 + maxBytes);
            int lengthAt = buffer.position();
            buffer.putInt(0);
            body.accept(buffer);
            buffer.putInt(lengthAt, buffer.position() - lengthAt - 4);
            return this;
        }

        Writer bytes(byte[] a) {
            if (a == null) {
                return i32(-1);
            }
            ensure(4 + a.length);
            buffer.putInt(a.length);
            buffer.put(a);
            return this;
        }

        Writer floatMap(Map<String, float[]> m) {
            i32(m.size());
            for (Map.Entry<String, float[]> e : new TreeMap<>(m).entrySet()) {
                str(e.getKey());
                floats(e.getValue());
            }
            return this;
        }

        /** Bytes written so far. */
        int position() {
            return buffer.position();
        }

        /** Overwrites the byte at {@code at} (already written). */
        void patchI8(int at, int v) {
            buffer.put(at, (byte) v);
        }

        /** Overwrites the int at {@code at} (already written). */
        void patchI32(int at, int v) {
            buffer.putInt(at, v);
        }

        /** The bytes written; the writer is done then (its buffer goes back to the thread's spares). */
        byte[] toBytes() {
            byte[] out = Arrays.copyOf(buffer.array(), buffer.position());
            giveBack(buffer);
            buffer = null;
            return out;
        }
    }

    /** A reader over a byte array written by {@link Writer}; a truncated input fails with a clear message. */
    static final class Reader {
        private final ByteBuffer in;

        Reader(byte[] bytes) {
            in = ByteBuffer.wrap(bytes);
        }

        /** A reader over {@code length} bytes of {@code bytes} from {@code offset}, without copying them. */
        Reader(byte[] bytes, int offset, int length) {
            in = ByteBuffer.wrap(bytes, offset, length).slice();
        }

        /** The array this reader reads. */
        byte[] array() {
            return in.array();
        }

        /**
         * Skips a byte string, writing where it starts in {@link #array()} into {@code span[at]} (-1 when it is null)
         * and its length into {@code span[at + 1]}.
         */
        void skipBytes(int[] span, int at) {
            int n = length(1);
            span[at] = n < 0 ? -1 : in.arrayOffset() + in.position();
            span[at + 1] = n;
            if (n > 0) {
                in.position(in.position() + n);
            }
        }

        int i8() {
            return guard(() -> (int) in.get());
        }

        int i32() {
            return guard(in::getInt);
        }

        long i64() {
            return guard(in::getLong);
        }

        float f32() {
            return guard(in::getFloat);
        }

        double f64() {
            return guard(in::getDouble);
        }

        String str() {
            byte[] b = bytes();
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }

        float[] floats() {
            int n = length(4);
            if (n < 0) {
                return null;
            }
            float[] a = new float[n];
            in.asFloatBuffer().get(a);
            in.position(in.position() + 4 * n);
            return a;
        }

        double[] doubles() {
            int n = length(8);
            if (n < 0) {
                return null;
            }
            double[] a = new double[n];
            in.asDoubleBuffer().get(a);
            in.position(in.position() + 8 * n);
            return a;
        }

        long[] longs() {
            int n = length(8);
            if (n < 0) {
                return null;
            }
            long[] a = new long[n];
            in.asLongBuffer().get(a);
            in.position(in.position() + 8 * n);
            return a;
        }

        /** Whether anything is left to read (a newer writer may have appended fields an older one did not). */
        boolean hasMore() {
            return in.hasRemaining();
        }

        byte[] bytes() {
            int n = length(1);
            if (n < 0) {
                return null;
            }
            byte[] a = new byte[n];
            in.get(a);
            return a;
        }

        Map<String, float[]> floatMap() {
            int n = i32();
            Map<String, float[]> m = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                m.put(str(), floats());
            }
            return m;
        }

        void expectVersion(int expected, String what) {
            int v = i8();
            if (v != expected) {
                throw new IllegalStateException(what + " has format version " + v + ", this build reads " + expected);
            }
        }

        private int length(int elementBytes) {
            int n = i32();
            if (n >= 0 && (long) n * elementBytes > in.remaining()) {
                throw new IllegalStateException("truncated state: " + n + " elements announced, "
                        + in.remaining() + " bytes left");
            }
            return n;
        }

        private static <T> T guard(java.util.function.Supplier<T> read) {
            try {
                return read.get();
            } catch (BufferUnderflowException e) {
                throw new IllegalStateException("truncated state", e);
            }
        }
    }

    /**
     * A versioned record of named fields: {@code version, count, (name, bytes)*}. A reader takes the fields it knows
     * and gives defaults for the ones an older writer did not write, so adding a field does not make stored states
     * unreadable (and an older reader skips fields it does not know).
     */
    static final class Fields {
        /** The record read (reading), or null (writing). */
        private final byte[] data;
        /**
         * Per field read, four ints: where its name starts in {@link #data} and its length, where its value starts
         * and its length (-1 for a null name or value); the bytes are not copied and the names not decoded, since
         * a task state is read back whenever its task returns to the cache.
         */
        private final int[] spans;
        /** The field after the last one found: readers ask for the fields in about the order they were written. */
        private int next;
        /** The record being written, fields in place (writing), or null (reading). */
        private final Writer out;
        private int count;

        /** Field names as written (the same few literals for every record), so they are not encoded each time. */
        private static final Map<String, byte[]> NAMES = new java.util.concurrent.ConcurrentHashMap<>();
        private static final int MAX_NAMES = 256;

        /** Starts a record to write, with room for about 256 bytes (it grows as needed). */
        Fields() {
            this(256);
        }

        /**
         * Starts a record to write with room for about {@code sizeHint} bytes. Each field is written in place into
         * one buffer and its length patched afterwards: states are written at every micro-batch, and a buffer per
         * field (then copied) was a tenth of the learner's time.
         */
        Fields(int sizeHint) {
            data = null;
            spans = null;
            out = new Writer(sizeHint + 5);
            out.i8(0).i32(0); // version and field count, patched by toBytes
        }

        private Fields(byte[] data, int[] spans, int count) {
            this.data = data;
            this.spans = spans;
            this.count = count;
            out = null;
        }

        /** A field name's UTF-8 bytes, cached for the few literals records use. */
        private static byte[] encoded(String name) {
            byte[] encoded = NAMES.get(name);
            if (encoded == null) {
                encoded = name.getBytes(StandardCharsets.UTF_8);
                if (NAMES.size() < MAX_NAMES) {
                    NAMES.put(name, encoded);
                }
            }
            return encoded;
        }

        /** Adds a field written by {@code body}; a name is written once per record. */
        Fields put(String name, java.util.function.Consumer<Writer> body) {
            out.bytes(encoded(name));
            int lengthAt = out.position();
            out.i32(0);
            body.accept(out);
            out.patchI32(lengthAt, out.position() - lengthAt - 4);
            count++;
            return this;
        }

        byte[] toBytes(int version) {
            out.patchI8(0, version);
            out.patchI32(1, count);
            return out.toBytes();
        }

        /** Reads the fields after the version byte the caller has already read. */
        static Fields read(Reader r) {
            int n = r.i32();
            if (n < 0) {
                n = 0; // as the loop over a negative count read nothing
            }
            // A field takes at least its two lengths: a count beyond that is a truncated record, not an allocation.
            int[] spans = new int[4 * Math.min(n, Math.max(0, r.in.remaining() / 8))];
            for (int i = 0; i < n; i++) {
                if (4 * i >= spans.length) {
                    // Fewer than 8 bytes are left, and a field takes at least 8.
                    throw new IllegalStateException("truncated state: " + n + " fields announced, " + i + " read");
                }
                r.skipBytes(spans, 4 * i);
                r.skipBytes(spans, 4 * i + 2);
            }
            return new Fields(r.array(), spans, n);
        }

        /** The index of the field named {@code name}, or -1 when the writer did not write it. */
        private int find(String name) {
            byte[] want = encoded(name);
            for (int k = 0; k < count; k++) {
                int i = (next + k) % count;
                int from = spans[4 * i];
                if (from >= 0 && spans[4 * i + 1] == want.length
                        && Arrays.equals(data, from, from + want.length, want, 0, want.length)) {
                    next = i + 1;
                    return i;
                }
            }
            return -1;
        }

        /** Whether a field was written. */
        boolean has(String name) {
            return find(name) >= 0;
        }

        /** A field read by {@code read}, or {@code fallback} when the writer did not write it (or wrote null). */
        <T> T get(String name, java.util.function.Function<Reader, T> read, T fallback) {
            int i = find(name);
            if (i < 0 || spans[4 * i + 2] < 0) {
                return fallback;
            }
            return read.apply(new Reader(data, spans[4 * i + 2], spans[4 * i + 3]));
        }
    }

    static Map<String, float[]> deepCopy(Map<String, float[]> m) {
        Map<String, float[]> c = new TreeMap<>();
        m.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }
}
