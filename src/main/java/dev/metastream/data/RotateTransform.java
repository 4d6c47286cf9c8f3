package dev.metastream.data;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --transform rotate:K}: rotated MNIST (the GEM protocol of Lopez-Paz and Ranzato 2017). Task {@code rot-i}
 * turns every image it draws counter-clockwise by the fixed angle {@code i * 180 / K} degrees (0, 9, 18, ... for
 * K = 20), about the image centre, with bilinear interpolation and zero fill outside the source image. GEM instead
 * draws each task's angle uniformly inside its slice {@code [i*180/K, (i+1)*180/K)}; fixed angles make the tasks
 * the same for every seed and easy to name.
 *
 * <pre>{@code
 * float[] turned = RotateTransform.rotate(image, 28, 28, 90.0);
 * }</pre>
 */
public final class RotateTransform {
    private RotateTransform() {}

    /** The angle of task {@code i} of {@code k}, in degrees. */
    public static double angle(int i, int k) {
        return i * 180.0 / k;
    }

    /**
     * Rotates a row-major {@code rows x cols} image counter-clockwise (as displayed, row 0 at the top) by
     * {@code degrees} about its centre; each output pixel is the bilinear interpolation of the source at the
     * inversely rotated position, 0 where that falls outside the image.
     */
    public static float[] rotate(float[] image, int rows, int cols, double degrees) {
        double rad = Math.toRadians(degrees);
        double cos = Math.cos(rad);
        double sin = Math.sin(rad);
        // Snap the exact multiples of 90 degrees so that they move pixels without blurring them.
        cos = Math.abs(cos) < 1e-12 ? 0 : cos;
        sin = Math.abs(sin) < 1e-12 ? 0 : sin;
        double cy = (rows - 1) / 2.0;
        double cx = (cols - 1) / 2.0;
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            double dy = r - cy;
            for (int c = 0; c < cols; c++) {
                double dx = c - cx;
                // Inverse of a counter-clockwise turn in screen coordinates (y grows downwards).
                double sx = cx + dx * cos - dy * sin;
                double sy = cy + dx * sin + dy * cos;
                out[r * cols + c] = bilinear(image, rows, cols, sy, sx);
            }
        }
        return out;
    }

    private static float bilinear(float[] img, int rows, int cols, double y, double x) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        double v = pixel(img, rows, cols, y0, x0) * (1 - fx) * (1 - fy)
                + pixel(img, rows, cols, y0, x0 + 1) * fx * (1 - fy)
                + pixel(img, rows, cols, y0 + 1, x0) * (1 - fx) * fy
                + pixel(img, rows, cols, y0 + 1, x0 + 1) * fx * fy;
        return (float) v;
    }

    private static float pixel(float[] img, int rows, int cols, int r, int c) {
        return r < 0 || c < 0 || r >= rows || c >= cols ? 0f : img[r * cols + c];
    }

    static List<Scenario.TaskData> tasks(int k, LabelledPool.Examples train, LabelledPool.Examples test, int rows,
            int cols, int trainN, int testN, long seed) {
        List<Scenario.TaskData> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            String id = TaskSampling.id("rot", i, k);
            double deg = angle(i, k);
            out.add(Scenarios.drawTask(id, i, train, test, trainN, testN, seed, x -> rotate(x, rows, cols, deg)));
        }
        return out;
    }
}
