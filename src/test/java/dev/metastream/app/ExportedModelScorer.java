package dev.metastream.app;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An independent implementation of the scoring formula of {@code docs/model-format.md}, written from the document
 * against the exported JSON alone (no metastream class), as another program would: scale, trunk, head, output
 * function (with the factorisation machine's term when there is one), then the mixture with the linear and prior
 * experts, then the partition's gate.
 */
final class ExportedModelScorer {
    private ExportedModelScorer() {}

    /** The model's output for raw features {@code x}: class probabilities, label probabilities or the value. */
    static double[] score(JsonNode m, float[] x) {
        int d = m.path("input").path("dim").asInt();
        float[] s = scale(m.path("input").path("scaler"), x);
        // Trunk: each layer h = act(h W + b), W row-major [in][out], then b.
        JsonNode trunk = m.path("trunk");
        float[] p = floats(trunk.path("parameters"));
        float[] h = s;
        int in = d;
        int off = 0;
        for (JsonNode layer : trunk.path("layers")) {
            int out = layer.asInt();
            float[] next = new float[out];
            for (int j = 0; j < out; j++) {
                float z = p[off + in * out + j];
                for (int i = 0; i < in; i++) {
                    z += h[i] * p[off + i * out + j];
                }
                next[j] = activation(trunk.path("activation").asText(), z);
            }
            off += in * out + out;
            h = next;
            in = out;
        }
        // Head inputs: trunk features, the first `wide` scaled inputs, the previous label.
        JsonNode head = m.path("head");
        int wide = head.path("wide").asInt();
        float[] lag = floats(head.path("lag"));
        float[] u = new float[h.length + wide + lag.length];
        System.arraycopy(h, 0, u, 0, h.length);
        System.arraycopy(s, 0, u, h.length, wide);
        System.arraycopy(lag, 0, u, h.length + wide, lag.length);
        int outputs = head.path("outputs").asInt();
        String function = m.path("output").path("function").asText();
        double centre = m.path("output").path("centre").asDouble();
        double scale = m.path("output").path("scale").asDouble();
        float[] z = affine(floats(head.path("parameters")), u, outputs);
        JsonNode fm = m.path("fm");
        if (!fm.isMissingNode() && !fm.isNull()) {
            // Factorisation machine: z_o += u_o . t + 1/2 sum_f (t_f^2 - sum_i s_i^2 v_if^2), t = sum_i s_i v_i.
            int k = fm.path("factors").asInt();
            float[] task = floats(fm.path("task"));
            float[] v = floats(fm.path("inputs"));
            double[] t = new double[k];
            double squares = 0;
            for (int i = 0; i < d; i++) {
                for (int f = 0; f < k; f++) {
                    t[f] += s[i] * v[i * k + f];
                    squares += (double) s[i] * v[i * k + f] * s[i] * v[i * k + f];
                }
            }
            double pairwise = -squares;
            for (int f = 0; f < k; f++) {
                pairwise += t[f] * t[f];
            }
            for (int o = 0; o < outputs; o++) {
                double term = 0.5 * pairwise;
                for (int f = 0; f < k; f++) {
                    term += task[o * k + f] * t[f];
                }
                z[o] += (float) term;
            }
        }
        double[] deep = output(function, z, centre, scale);
        JsonNode mixture = m.path("mixture");
        if (mixture.isMissingNode() || mixture.isNull()) {
            return deep;
        }
        float[] l = mixture.path("linear").path("scaler").isNull() ? x : scale(mixture.path("linear").path("scaler"), x);
        double[] linear = output(function, affine(floats(mixture.path("linear").path("parameters")), l, outputs),
                centre, scale);
        float[] prior = floats(mixture.path("prior"));
        JsonNode w = mixture.path("weights");
        double[] y = new double[outputs];
        for (int k = 0; k < outputs; k++) {
            y[k] = w.get(0).asDouble() * deep[k] + w.get(1).asDouble() * linear[k] + w.get(2).asDouble() * prior[k];
        }
        JsonNode gate = mixture.path("gate");
        if (!gate.isMissingNode() && !gate.isNull()) {
            float[] partition = floats(gate.path("partition_prior"));
            for (int k = 0; k < outputs; k++) {
                y[k] = gate.path("weights").get(0).asDouble() * y[k] + gate.path("weights").get(1).asDouble()
                        * partition[k];
            }
        }
        return y;
    }

    private static float[] scale(JsonNode scaler, float[] x) {
        if (scaler == null || scaler.isNull() || scaler.isMissingNode()) {
            return x.clone();
        }
        double clip = scaler.path("clip").asDouble();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (scaler.path("indicator").get(i).asBoolean() && (v == 0f || v == 1f || v == -1f)) {
                out[i] = v;
                continue;
            }
            double sd = scaler.path("std").get(i).asDouble();
            out[i] = sd == 0 ? 0f : (float) Math.max(-clip, Math.min(clip, (v - scaler.path("mean").get(i).asDouble())
                    / sd));
        }
        return out;
    }

    private static float[] affine(float[] params, float[] in, int outputs) {
        float[] z = new float[outputs];
        for (int j = 0; j < outputs; j++) {
            double s = params[in.length * outputs + j];
            for (int i = 0; i < in.length; i++) {
                s += (double) in[i] * params[i * outputs + j];
            }
            z[j] = (float) s;
        }
        return z;
    }

    private static double[] output(String function, float[] z, double centre, double scale) {
        double[] y = new double[z.length];
        switch (function) {
            case "softmax" -> {
                double max = Double.NEGATIVE_INFINITY;
                for (float v : z) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int k = 0; k < z.length; k++) {
                    y[k] = Math.exp(z[k] - max);
                    sum += y[k];
                }
                for (int k = 0; k < z.length; k++) {
                    y[k] /= sum;
                }
            }
            case "sigmoid" -> {
                for (int k = 0; k < z.length; k++) {
                    y[k] = 1 / (1 + Math.exp(-z[k]));
                }
            }
            default -> {
                for (int k = 0; k < z.length; k++) {
                    y[k] = centre + scale * z[k];
                }
            }
        }
        return y;
    }

    private static float activation(String name, float z) {
        return switch (name) {
            case "relu" -> Math.max(0f, z);
            case "tanh" -> (float) Math.tanh(z);
            case "sigmoid" -> (float) (1 / (1 + Math.exp(-z)));
            default -> z;
        };
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }
}
