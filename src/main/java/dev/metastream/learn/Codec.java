package dev.metastream.learn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Small binary codec for learner state: versioned, big-endian, no reflection.
 *
 * <p>State is written to RocksDB stores (and their changelogs) on every micro-batch, so it must be compact and fast;
 * Java serialisation and JSON are neither.
 */
final class Codec {
    private Codec() {}

    /** A writer over a growable buffer. */
    static final class Writer {
        private final ByteArrayOutputStream buffer;
        private final DataOutputStream out;

        Writer(int sizeHint) {
            buffer = new ByteArrayOutputStream(sizeHint);
            out = new DataOutputStream(buffer);
        }

        Writer i8(int v) {
            try {
                out.writeByte(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer i32(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer i64(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer f32(float v) {
            try {
                out.writeFloat(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer f64(double v) {
            try {
                out.writeDouble(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer str(String s) {
            try {
                out.writeBoolean(s != null);
                if (s != null) {
                    out.writeUTF(s);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer floats(float[] a) {
            try {
                if (a == null) {
                    out.writeInt(-1);
                    return this;
                }
                out.writeInt(a.length);
                for (float v : a) {
                    out.writeFloat(v);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer bytes(byte[] a) {
            try {
                if (a == null) {
                    out.writeInt(-1);
                    return this;
                }
                out.writeInt(a.length);
                out.write(a);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
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

        byte[] toBytes() {
            return buffer.toByteArray();
        }
    }

    /** A reader over a byte array written by {@link Writer}. */
    static final class Reader {
        private final DataInputStream in;

        Reader(byte[] bytes) {
            in = new DataInputStream(new ByteArrayInputStream(bytes));
        }

        int i8() {
            try {
                return in.readByte();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int i32() {
            try {
                return in.readInt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long i64() {
            try {
                return in.readLong();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        float f32() {
            try {
                return in.readFloat();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        double f64() {
            try {
                return in.readDouble();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String str() {
            try {
                return in.readBoolean() ? in.readUTF() : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        float[] floats() {
            try {
                int n = in.readInt();
                if (n < 0) {
                    return null;
                }
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.readFloat();
                }
                return a;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] bytes() {
            try {
                int n = in.readInt();
                if (n < 0) {
                    return null;
                }
                return in.readNBytes(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
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
    }

    static Map<String, float[]> deepCopy(Map<String, float[]> m) {
        Map<String, float[]> c = new TreeMap<>();
        m.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }
}
