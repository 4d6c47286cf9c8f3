package dev.metastream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link DriftDetector#create} and {@link DriftDetector#fromBytes} dispatch. */
class DriftDetectorFactoryTest {

    @Test
    void createsEachDetectorCaseInsensitively() {
        assertThat(DriftDetector.create("adwin", Map.of())).isInstanceOf(Adwin.class);
        assertThat(DriftDetector.create(" ADWIN ", null)).isInstanceOf(Adwin.class);
        assertThat(DriftDetector.create("Page-Hinkley", Map.of())).isInstanceOf(PageHinkley.class);
        assertThat(DriftDetector.create("none", Map.of())).isInstanceOf(NoDrift.class);
        assertThat(DriftDetector.create("DDM", Map.of())).isInstanceOf(Ddm.class);
        assertThat(DriftDetector.create("hddm-a", Map.of())).isInstanceOf(HddmA.class);
        assertThat(DriftDetector.create("hddm-w", null)).isInstanceOf(HddmW.class);
        assertThat(DriftDetector.create("kswin", null)).isInstanceOf(Kswin.class);
    }

    @Test
    void everyRegisteredDetectorIsBuiltWithItsDocumentedDefaults() {
        // The registry's defaults are what the detectors' own no-argument constructors use, and each entry's name
        // and type byte are the detector's.
        Map<String, DriftDetector> plain = Map.of("adwin", new Adwin(), "page-hinkley", new PageHinkley(),
                "ddm", new Ddm(), "hddm-a", new HddmA(), "hddm-w", new HddmW(), "kswin", new Kswin(),
                "none", new NoDrift());
        assertThat(DriftDetectors.names()).containsExactlyInAnyOrderElementsOf(plain.keySet());
        for (DriftDetectors.Entry e : DriftDetectors.ALL) {
            DriftDetector d = e.create(Map.of());
            assertThat(d.name()).isEqualTo(e.name());
            assertThat(d.toBytes()).as(e.name()).isEqualTo(plain.get(e.name()).toBytes());
            assertThat(d.toBytes()[0]).isEqualTo(e.type());
            // every declared default, given explicitly, is accepted and changes nothing
            Map<String, String> explicit = new java.util.HashMap<>();
            e.params().forEach(p -> explicit.put(p.name(), p.defaultValue()));
            assertThat(e.create(explicit).toBytes()).as(e.name()).isEqualTo(d.toBytes());
        }
        assertThat(DriftDetector.ALLOWED_NAMES).isEqualTo("adwin, page-hinkley, ddm, hddm-a, hddm-w, kswin, none");
    }

    @Test
    void documentationNamesEveryParameterWithItsDefault() {
        assertThat(DriftDetectors.documentation()).hasSize(DriftDetectors.ALL.size());
        assertThat(DriftDetectors.documentation().get(0)).startsWith("adwin: ").contains("delta (0.002)")
                .contains("clock (32)");
        assertThat(String.join("\n", DriftDetectors.documentation())).contains("ddm: ").contains("warm_start (30)")
                .contains("hddm-w: ").contains("lambda (0.05)").contains("kswin: ").contains("window_size (100)")
                .contains("page-hinkley: ").contains("warning (0.5)");
    }

    @Test
    void unknownNameListsAllowedNames() {
        assertThatThrownBy(() -> DriftDetector.create("eddm", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'eddm'")
                .hasMessageContaining("hddm-w")
                .hasMessageContaining("kswin")
                .hasMessageContaining("adwin")
                .hasMessageContaining("page-hinkley")
                .hasMessageContaining("none");
        assertThatThrownBy(() -> DriftDetector.create(null, Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parametersAreApplied() {
        DriftDetector adwin = DriftDetector.create("adwin", Map.of("delta", "0.01", "clock", "1",
                "max_buckets", "3", "grace_period", "4", "min_window_length", "2"));
        assertThat(adwin.statistics()).containsEntry("delta", 0.01);
        assertThat(adwin.toBytes()).isEqualTo(new Adwin(0.01, 1, 3, 4, 2).toBytes());

        DriftDetector ph = DriftDetector.create("page-hinkley", Map.of("min_instances", "10",
                "delta", "0.01", "threshold", "20", "alpha", "1", "mode", "both"));
        assertThat(ph.toBytes()).isEqualTo(new PageHinkley(10, 0.01, 20, 1.0, PageHinkley.Mode.BOTH).toBytes());
        assertThat(((PageHinkley) ph).mode()).isEqualTo(PageHinkley.Mode.BOTH);
    }

    @Test
    void badParametersAreRejectedClearly() {
        assertThatThrownBy(() -> DriftDetector.create("adwin", Map.of("threshold", "3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold")
                .hasMessageContaining("delta");
        assertThatThrownBy(() -> DriftDetector.create("adwin", Map.of("delta", "abc")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delta");
        assertThatThrownBy(() -> DriftDetector.create("adwin", Map.of("delta", "2")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriftDetector.create("page-hinkley", Map.of("mode", "sideways")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("up, down, both");
        assertThatThrownBy(() -> DriftDetector.create("page-hinkley", Map.of("alpha", "1.5")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriftDetector.create("none", Map.of("delta", "0.1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromBytesRejectsUnknownTypeAndShortInput() {
        assertThatThrownBy(() -> DriftDetector.fromBytes(new byte[] {42, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type");
        assertThatThrownBy(() -> DriftDetector.fromBytes(new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriftDetector.fromBytes(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void typeBytesAreStable() {
        // Persisted state depends on these; never renumber.
        assertThat(new NoDrift().toBytes()[0]).isEqualTo((byte) 0);
        assertThat(new Adwin().toBytes()[0]).isEqualTo((byte) 1);
        assertThat(new PageHinkley().toBytes()[0]).isEqualTo((byte) 2);
        assertThat(new Ddm().toBytes()[0]).isEqualTo((byte) 3);
        assertThat(new HddmA().toBytes()[0]).isEqualTo((byte) 4);
        assertThat(new HddmW().toBytes()[0]).isEqualTo((byte) 5);
        assertThat(new Kswin().toBytes()[0]).isEqualTo((byte) 6);
    }

    @Test
    void readsVersionOneStatesOfAdwinAndPageHinkley() {
        // States persisted before the warning flag (version 1) still load, with no warning.
        Adwin adwin = new Adwin();
        PageHinkley ph = new PageHinkley();
        for (double x : DriftDetectorContract.switchingBernoulli(2, 700)) {
            adwin.update(x);
            ph.update(x);
        }
        byte[] a2 = adwin.toBytes();
        // version 1 = version 2 without the warning byte, which follows the detection flag
        int warningAt = 2 + 8 + 4 * 4 + 8 + 2 * 8 + 8 + 1;
        byte[] a1 = new byte[a2.length - 1];
        System.arraycopy(a2, 0, a1, 0, warningAt);
        System.arraycopy(a2, warningAt + 1, a1, warningAt, a2.length - warningAt - 1);
        a1[1] = 1;
        DriftDetector oldAdwin = DriftDetector.fromBytes(a1);
        assertThat(oldAdwin.statistics()).isEqualTo(adwin.statistics());
        assertThat(oldAdwin.warningDetected()).isFalse();

        byte[] p2 = ph.toBytes();
        // version 1 lacks the warning fraction (after the mode byte) and the warning flag (after the detection flag)
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(p2.length - 9);
        b.put(p2, 0, 2 + 4 + 3 * 8 + 1);
        b.put(p2, 2 + 4 + 4 * 8 + 1, 8 + 3 * 8 + 1);
        b.put(p2, p2.length - 8, 8);
        byte[] p1 = b.array();
        p1[1] = 1;
        DriftDetector oldPh = DriftDetector.fromBytes(p1);
        assertThat(oldPh.statistics()).isEqualTo(ph.statistics());
        assertThat(oldPh.warningDetected()).isFalse();
        // both continue as the version 2 originals would
        double[] more = DriftDetectorContract.switchingBernoulli(4, 3000);
        assertThat(DriftDetectorContract.detections(oldAdwin, more, 0, more.length))
                .isEqualTo(DriftDetectorContract.detections(adwin, more, 0, more.length));
        assertThat(DriftDetectorContract.detections(oldPh, more, 0, more.length))
                .isEqualTo(DriftDetectorContract.detections(ph, more, 0, more.length));
    }

    @Test
    void aFactoryMakesWhatCreateMakesAndChecksItsParametersOnce() {
        for (DriftDetectors.Entry e : DriftDetectors.ALL) {
            java.util.function.Supplier<DriftDetector> factory = DriftDetectors.factory(e.name(), null);
            DriftDetector a = factory.get();
            DriftDetector b = factory.get();
            assertThat(a).isNotSameAs(b);
            assertThat(a.toBytes()).as(e.name()).isEqualTo(DriftDetector.create(e.name(), Map.of()).toBytes());
        }
        assertThat(DriftDetectors.factory("adwin", Map.of("delta", "0.1")).get().toBytes())
                .isEqualTo(DriftDetector.create("adwin", Map.of("delta", "0.1")).toBytes());
        assertThatThrownBy(() -> DriftDetectors.factory("adwin", Map.of("delt", "0.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delt");
        assertThatThrownBy(() -> DriftDetectors.factory("adwin", Map.of("delta", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
