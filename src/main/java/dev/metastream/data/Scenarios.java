package dev.metastream.data;

/** Builds {@link Scenario}s from {@link ScenarioSpec}s: reads or generates the source, then applies the transform. */
public final class Scenarios {
    private Scenarios() {}

    /**
     * Builds the scenario a spec describes.
     *
     * @throws IllegalArgumentException naming the flag to change when the spec cannot be built
     */
    public static Scenario build(ScenarioSpec spec) {
        // Sources and transforms are being written (issue 3); until then every source is refused clearly.
        throw new IllegalArgumentException("--source " + spec.source() + " is not supported yet");
    }
}
