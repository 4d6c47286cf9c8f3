package dev.metastream.data;

import java.util.Map;

/** The built-in generator sources, by name, and small helpers they share. */
final class Generators {
    private Generators() {}

    /** Generator names {@code --source} accepts. */
    static final java.util.List<String> NAMES = java.util.List.of("hyperplane", "sea", "rbf", "stagger", "sinusoid",
            "recsys");

    /**
     * Builds a generator's scenario.
     *
     * @param source the whole {@code --source} value
     * @return the scenario, or null when {@code source} names no generator
     */
    static Scenario build(String source, ScenarioSpec spec) {
        int colon = source.indexOf(':');
        String name = colon < 0 ? source : source.substring(0, colon);
        SourceParams p = new SourceParams(source, colon < 0 ? null : source.substring(colon + 1));
        return switch (name) {
            case "sea" -> SeaGenerator.fromSpec(source, p, spec);
            case "hyperplane" -> HyperplaneGenerator.fromSpec(source, p, spec);
            case "rbf" -> RandomRbfGenerator.fromSpec(source, p, spec);
            case "stagger" -> StaggerGenerator.fromSpec(source, p, spec);
            case "sinusoid" -> SinusoidGenerator.fromSpec(source, p, spec);
            case "recsys" -> RecommendationGenerator.fromSpec(source, p, spec);
            default -> null;
        };
    }

    static float[] oneHot(int c, int classes) {
        float[] t = new float[classes];
        t[c] = 1f;
        return t;
    }

    static Map<String, String> classification(int inputDim, int classes) {
        return Map.of("input.dim", Integer.toString(inputDim), "task.kind", "classification", "task.classes",
                Integer.toString(classes));
    }
}
