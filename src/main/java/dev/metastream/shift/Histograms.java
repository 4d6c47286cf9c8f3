package dev.metastream.shift;

/** Small helpers shared by the histogram tests. */
final class Histograms {

    private Histograms() {}

    static double total(double[] counts) {
        double s = 0;
        for (double c : counts) {
            s += c;
        }
        return s;
    }

    static void checkSameLength(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("histograms differ in length: " + a.length + " vs " + b.length);
        }
    }
}
