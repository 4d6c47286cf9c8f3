package dev.metastream.meta;

import java.util.List;
import java.util.Random;

/**
 * Gradient surgery (PCGrad; Yu, Kumar, Gupta, Levine, Hausman and Finn, "Gradient Surgery for Multi-Task Learning",
 * NeurIPS 2020): each task's gradient of the shared parameters, where it conflicts with another task's (negative dot
 * product), loses its component along that task's gradient; the projected gradients are summed. Each task's
 * projections run over the other tasks in a random order (the paper's), drawn from a seed so that a replay computes
 * the same floats.
 *
 * <pre>{@code
 * float[] g = PcGrad.combine(List.of(gTaskA, gTaskB), seed);   // the shared parameters' step direction
 * }</pre>
 */
public final class PcGrad {
    private PcGrad() {
    }

    /**
     * The sum of the projected task gradients (the inputs are left as they are).
     *
     * @param grads one gradient per task, all of the same length
     * @param seed  seed of the projection orders
     * @return a new array; the plain sum when no pair conflicts
     */
    public static float[] combine(List<float[]> grads, long seed) {
        int k = grads.size();
        int d = k == 0 ? 0 : grads.get(0).length;
        double[] norms = new double[k];
        for (int t = 0; t < k; t++) {
            norms[t] = dot(grads.get(t), grads.get(t));
        }
        Random rnd = new Random(seed);
        float[] sum = new float[d];
        double[] g = new double[d];
        int[] order = new int[k];
        for (int t = 0; t < k; t++) {
            float[] own = grads.get(t);
            for (int i = 0; i < d; i++) {
                g[i] = own[i];
            }
            for (int j = 0; j < k; j++) {
                order[j] = j;
            }
            for (int j = k - 1; j > 0; j--) {
                int r = rnd.nextInt(j + 1);
                int tmp = order[j];
                order[j] = order[r];
                order[r] = tmp;
            }
            for (int j : order) {
                if (j == t || !(norms[j] > 0)) {
                    continue;
                }
                float[] other = grads.get(j);
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += g[i] * other[i];
                }
                if (dot < 0) {
                    double c = dot / norms[j];
                    for (int i = 0; i < d; i++) {
                        g[i] -= c * other[i];
                    }
                }
            }
            for (int i = 0; i < d; i++) {
                sum[i] += (float) g[i];
            }
        }
        return sum;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
