package dev.metastream.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads unsigned-byte IDX files, the format of the MNIST database (LeCun, Bottou, Bengio and Haffner 1998; format at
 * yann.lecun.com/exdb/mnist): a big-endian header of magic {@code 0x0000 08 NN} (type 0x08 = unsigned byte, NN = number
 * of dimensions), NN 32-bit dimension sizes, then the bytes in row-major order. Gzipped files ({@code .gz}) are
 * unpacked on the fly.
 *
 * <pre>{@code
 * IdxReader.Images images = IdxReader.images(Path.of("data/mnist/train-images-idx3-ubyte"));
 * byte[] labels = IdxReader.labels(Path.of("data/mnist/train-labels-idx1-ubyte"));
 * }</pre>
 */
public final class IdxReader {
    private IdxReader() {}

    private static final int UNSIGNED_BYTE = 0x08;

    /**
     * Images of an {@code idx3-ubyte} file.
     *
     * @param count  number of images
     * @param rows   image height
     * @param cols   image width
     * @param pixels {@code count * rows * cols} unsigned bytes, image after image, row-major
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    /**
     * Reads an image file (3 dimensions: count, rows, columns).
     *
     * @throws IOException naming the file and what is wrong when it is not an unsigned-byte 3-D IDX file
     */
    public static Images images(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int[] dims = header(in, file, 3, "images (idx3-ubyte)");
            byte[] pixels = body(in, file, (long) dims[0] * dims[1] * dims[2]);
            return new Images(dims[0], dims[1], dims[2], pixels);
        }
    }

    /**
     * Reads a label file (1 dimension: count).
     *
     * @throws IOException naming the file and what is wrong when it is not an unsigned-byte 1-D IDX file
     */
    public static byte[] labels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int[] dims = header(in, file, 1, "labels (idx1-ubyte)");
            return body(in, file, dims[0]);
        }
    }

    /** The first of the spellings MNIST files go by that exists in {@code dir}, or null. */
    static Path find(Path dir, String prefix, String kind) {
        for (String name : List.of(prefix + "-" + kind, prefix + "." + kind)) {
            for (String suffix : List.of("", ".gz")) {
                Path p = dir.resolve(name + suffix);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            raw = new GZIPInputStream(raw, 1 << 16);
        }
        return new DataInputStream(new BufferedInputStream(raw, 1 << 16));
    }

    private static int[] header(DataInputStream in, Path file, int wantDims, String what) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IOException(file + " is empty or shorter than an IDX header");
        }
        int expected = (UNSIGNED_BYTE << 8) | wantDims;
        if (magic != expected) {
            throw new IOException(file + " starts with magic 0x" + String.format("%08x", magic) + ", not 0x"
                    + String.format("%08x", expected) + " of unsigned-byte " + what + ": is it the right IDX file"
                    + " (or a gzip file without a .gz name)?");
        }
        int[] dims = new int[wantDims];
        for (int i = 0; i < wantDims; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new IOException(file + " ends inside its IDX header");
            }
            if (dims[i] <= 0) {
                throw new IOException(file + ": dimension " + i + " of the IDX header is " + dims[i]
                        + "; sizes must be positive");
            }
        }
        return dims;
    }

    private static byte[] body(DataInputStream in, Path file, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException(file + ": " + size + " bytes of data is more than one array holds");
        }
        byte[] data = new byte[(int) size];
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated: its header promises " + size + " bytes of data");
        }
        return data;
    }
}
