package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.learn.Instance;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {

    /** Writes an unsigned-byte IDX image file of {@code n} images of rows x cols whose pixels are given. */
    static byte[] images(int n, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000803);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(pixels);
        return bytes.toByteArray();
    }

    static byte[] labels(byte[] labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000801);
        out.writeInt(labels.length);
        out.write(labels);
        return bytes.toByteArray();
    }

    /**
     * A tiny MNIST-like set: {@code n} train and {@code n/2} test images of size rows x cols; image i has every pixel
     * equal to i (train) or 100 + i (test) and label i mod classes.
     */
    static Path write(Path dir, int n, int rows, int cols, int classes, boolean gz) throws IOException {
        Files.createDirectories(dir);
        for (String prefix : new String[] {"train", "t10k"}) {
            int count = prefix.equals("train") ? n : n / 2;
            int base = prefix.equals("train") ? 0 : 100;
            byte[] px = new byte[count * rows * cols];
            byte[] lab = new byte[count];
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < rows * cols; j++) {
                    px[i * rows * cols + j] = (byte) (base + i);
                }
                lab[i] = (byte) (i % classes);
            }
            writeFile(dir.resolve(prefix + "-images-idx3-ubyte" + (gz ? ".gz" : "")), images(count, rows, cols, px), gz);
            writeFile(dir.resolve(prefix + "-labels-idx1-ubyte" + (gz ? ".gz" : "")), labels(lab), gz);
        }
        return dir;
    }

    static void writeFile(Path p, byte[] data, boolean gz) throws IOException {
        try (OutputStream out = gz ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(data);
        }
    }

    @Test
    void readsTrainAndTestFilesIntoOneTaskWithPixelsScaled(@TempDir Path tmp) throws IOException {
        Path dir = write(tmp.resolve("m"), 20, 3, 3, 10, false);
        Scenario s = Scenarios.build(ScenarioSpec.of("idx:" + dir, 0, 4, 1));
        assertThat(s.tasks()).hasSize(1);
        Scenario.TaskData t = s.tasks().get(0);
        assertThat(t.task()).isEqualTo("mnist");
        assertThat(t.train()).hasSize(20);
        assertThat(t.test()).hasSize(4);
        assertThat(s.learnerConfig()).containsEntry("input.dim", "9").containsEntry("task.kind", "classification")
                .containsEntry("task.classes", "10");
        Instance seven = t.train().get(7);
        assertThat(seven.x()).hasSize(9).containsOnly(7 / 255f);
        assertThat(seven.target()[7]).isEqualTo(1f);
        // test examples come from the t10k files (pixel values 100 + i)
        assertThat(t.test().get(3).x()[0]).isEqualTo(103 / 255f);
        assertThat(t.test().get(3).target()[3]).isEqualTo(1f);
    }

    @Test
    void readsGzipAndDottedSpellings(@TempDir Path tmp) throws IOException {
        Path gz = write(tmp.resolve("gz"), 10, 2, 2, 2, true);
        Scenario s = Scenarios.build(ScenarioSpec.of("idx:" + gz, 5, 2, 1));
        assertThat(s.tasks().get(0).train()).hasSize(5);
        assertThat(s.tasks().get(0).train().get(3).x()[0]).isEqualTo(3 / 255f);

        Path dotted = write(tmp.resolve("dot"), 10, 2, 2, 2, false);
        for (String f : new String[] {"train-images", "t10k-images"}) {
            Files.move(dotted.resolve(f + "-idx3-ubyte"), dotted.resolve(f + ".idx3-ubyte"));
        }
        assertThat(Scenarios.build(ScenarioSpec.of("idx:" + dotted, 0, 0, 1)).tasks().get(0).train()).hasSize(10);
    }

    @Test
    void badMagicCountMismatchAndMissingFilesAreNamed(@TempDir Path tmp) throws IOException {
        Path dir = write(tmp.resolve("m"), 10, 2, 2, 2, false);
        // a label file where the image file should be
        Files.write(dir.resolve("train-images-idx3-ubyte"), labels(new byte[10]));
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("idx:" + dir, 0, 0, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--source idx:")
                .hasMessageContaining("magic 0x00000801").hasMessageContaining("0x00000803");

        Files.write(dir.resolve("train-images-idx3-ubyte"), images(9, 2, 2, new byte[9 * 4]));
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("idx:" + dir, 0, 0, 1)))
                .hasMessageContaining("9 images").hasMessageContaining("10 labels");

        Files.write(dir.resolve("train-images-idx3-ubyte"), java.util.Arrays.copyOf(images(10, 2, 2, new byte[40]), 30));
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("idx:" + dir, 0, 0, 1)))
                .hasMessageContaining("truncated");

        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("idx:" + dir, 0, 0, 1)))
                .hasMessageContaining("no train-images-idx3-ubyte");
        assertThatThrownBy(() -> Scenarios.build(ScenarioSpec.of("idx:" + tmp.resolve("nope"), 0, 0, 1)))
                .hasMessageContaining("is not a directory");
    }

    @Test
    void rotateRefusesNonSquareImagesNamingTheFlag(@TempDir Path tmp) throws IOException {
        Path dir = write(tmp.resolve("m"), 10, 2, 3, 2, false);
        ScenarioSpec spec = new ScenarioSpec("idx:" + dir, "rotate:4", 2, 1, "natural", 1, 0, 0, null, null, null,
                null);
        assertThatThrownBy(() -> Scenarios.build(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--transform rotate:4 needs square images; idx:" + dir + " has 2x3");
    }
}
