package dev.metastream.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code --source idx:DIR}: MNIST-format image and label files. The training pool comes from
 * {@code train-images-idx3-ubyte}/{@code train-labels-idx1-ubyte}, the held-out pool from the {@code t10k-*} pair
 * (each also found as {@code .gz} or with a {@code .idx3-ubyte} spelling). Pixels are scaled to [0, 1]; the label
 * is the class index. Without the t10k pair the held-out split is cut from the training files (a note says so).
 */
final class IdxSource {
    private IdxSource() {}

    /** Task id of the untransformed source. */
    static final String TASK = "mnist";

    static LabelledPool read(String source, Path dir, Consumer<String> notes) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--source " + source + ": " + dir + " is not a directory; give the"
                    + " directory holding train-images-idx3-ubyte (scripts/fetch-mnist.sh fetches MNIST into data/mnist)");
        }
        try {
            Pair train = pair(source, dir, "train", true);
            Pair test = pair(source, dir, "t10k", false);
            if (test == null) {
                notes.accept(source + ": no t10k-images-idx3-ubyte/t10k-labels-idx1-ubyte; the held-out split is cut"
                        + " from the training files");
            } else if (test.images.rows() != train.images.rows() || test.images.cols() != train.images.cols()) {
                throw new IllegalArgumentException("--source " + source + ": training images are "
                        + train.images.rows() + "x" + train.images.cols() + " but t10k images are "
                        + test.images.rows() + "x" + test.images.cols() + "; use files of one data set");
            }
            int classes = Math.max(2, Math.max(train.maxLabel(), test == null ? 0 : test.maxLabel()) + 1);
            int dim = train.images.rows() * train.images.cols();
            LabelledPool.Examples trainEx = new Pixels(train, classes, "train-");
            LabelledPool.Examples testEx = test == null ? null : new Pixels(test, classes, "t10k-");
            return new LabelledPool(source, Generators.classification(dim, classes),
                    List.of(new LabelledPool.Task(TASK, trainEx, testEx)), train.images.rows(), train.images.cols());
        } catch (IOException e) {
            throw new IllegalArgumentException("--source " + source + ": " + e.getMessage(), e);
        }
    }

    private record Pair(IdxReader.Images images, byte[] labels) {
        int maxLabel() {
            int max = 0;
            for (byte b : labels) {
                max = Math.max(max, b & 0xff);
            }
            return max;
        }
    }

    private static Pair pair(String source, Path dir, String prefix, boolean required) throws IOException {
        Path images = IdxReader.find(dir, prefix + "-images", "idx3-ubyte");
        Path labels = IdxReader.find(dir, prefix + "-labels", "idx1-ubyte");
        if (images == null || labels == null) {
            if (!required && images == null && labels == null) {
                return null;
            }
            String missing = images == null ? prefix + "-images-idx3-ubyte" : prefix + "-labels-idx1-ubyte";
            throw new IllegalArgumentException("--source " + source + ": " + dir + " has no " + missing
                    + " (nor .gz, nor the ." + (images == null ? "idx3" : "idx1") + "-ubyte spelling); found "
                    + listing(dir));
        }
        IdxReader.Images img = IdxReader.images(images);
        byte[] lab = IdxReader.labels(labels);
        if (lab.length != img.count()) {
            throw new IllegalArgumentException("--source " + source + ": " + images + " has " + img.count()
                    + " images but " + labels + " has " + lab.length + " labels; use the files of one set");
        }
        return new Pair(img, lab);
    }

    private static String listing(Path dir) {
        try (var s = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            s.limit(20).forEach(p -> names.add(p.getFileName().toString()));
            return names.isEmpty() ? "nothing" : String.join(", ", names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Images decoded on demand: a pool of 60,000 MNIST images stays 47 MB of bytes. */
    private static final class Pixels implements LabelledPool.Examples {
        private final byte[] pixels;
        private final byte[] labels;
        private final int dim;
        private final float[][] targets;
        private final String idPrefix;

        Pixels(Pair pair, int classes, String idPrefix) {
            this.pixels = pair.images.pixels();
            this.labels = pair.labels;
            this.dim = pair.images.rows() * pair.images.cols();
            this.idPrefix = idPrefix;
            this.targets = new float[classes][];
            for (int c = 0; c < classes; c++) {
                targets[c] = Generators.oneHot(c, classes);
            }
        }

        @Override
        public int size() {
            return labels.length;
        }

        @Override
        public float[] x(int i) {
            float[] x = new float[dim];
            int base = i * dim;
            for (int j = 0; j < dim; j++) {
                x[j] = (pixels[base + j] & 0xff) / 255f;
            }
            return x;
        }

        @Override
        public float[] target(int i) {
            return targets[labels[i] & 0xff];
        }

        @Override
        public String id(int i) {
            return idPrefix + i;
        }

        @Override
        public long timestamp(int i) {
            return 0L;
        }
    }
}
