package dev.metastream.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories of the demo and the benchmark (state directories, broker logs). */
final class TempDirs {
    private TempDirs() {}

    /** Deletes a directory tree; best effort, since it is a temporary directory the process made. */
    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp directory is not worth failing the run for.
        }
    }
}
