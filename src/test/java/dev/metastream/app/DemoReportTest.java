package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.app.DemoReport.Detection;
import dev.metastream.app.DemoReport.Expected;
import dev.metastream.app.DemoReport.InjectedChange;
import dev.metastream.app.DemoReport.Observed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's arithmetic and wording: counts that add up, shortfalls that say what is missing, labelled drifts. */
class DemoReportTest {
    private static final Map<String, Long> INJECTED = Map.of("not-json", 20L, "wrong-dimension", 20L);
    private static final Expected EXPECTED = new Expected(39_960, INJECTED, Map.of("task-0", 6_000L, "task-1",
            5_000L), false);

    @Test
    void deadLetterLineShowsEveryInjectedReasonAndTotalsThatAreTheSumOfTheirReasons() {
        String line = DemoReport.deadLetterLine(INJECTED, Map.of("not-json", 13L, "wrong-dimension", 14L));
        assertThat(line).isEqualTo("malformed records injected: 40 (not-json 20, wrong-dimension 20)"
                + " -> dead letters read: 27 (not-json 13, wrong-dimension 14)");
        // a reason read but not injected is shown and counted; an injected one not read yet shows 0
        assertThat(DemoReport.deadLetterLine(INJECTED, Map.of("bad-field", 2L)))
                .isEqualTo("malformed records injected: 40 (not-json 20, wrong-dimension 20)"
                        + " -> dead letters read: 2 (bad-field 2, not-json 0, wrong-dimension 0)");
    }

    @Test
    void completeOutputsHaveNoShortfall() {
        Observed all = new Observed(39_960, INJECTED, Map.of("task-0", 6_000L, "task-1", 5_000L));
        assertThat(DemoReport.shortfalls(EXPECTED, all)).isEmpty();
    }

    @Test
    void shortfallsSayWhatIsMissing() {
        Observed part = new Observed(24_929, Map.of("not-json", 13L, "wrong-dimension", 14L, "bad-field", 1L),
                Map.of("task-0", 4_000L));
        assertThat(DemoReport.shortfalls(EXPECTED, part)).containsExactly(
                "predictions: read 24,929 of 39,960 (15,031 missing)",
                "dead letters: bad-field 1 not injected, not-json 13 of 20, wrong-dimension 14 of 20",
                "final metrics (examples_seen): task-0 4,000 of 6,000, task-1 none of 5,000");
    }

    @Test
    void duplicatesAreAShortfallUnderExactlyOnceOnly() {
        Observed twice = new Observed(39_961, INJECTED, Map.of("task-0", 6_000L, "task-1", 5_000L));
        assertThat(DemoReport.shortfalls(EXPECTED, twice)).singleElement().asString()
                .contains("read 39,961 but only 39,960").contains("exactly-once");
        Expected atLeastOnce = new Expected(39_960, INJECTED, Map.of("task-0", 6_000L, "task-1", 5_000L), true);
        assertThat(DemoReport.shortfalls(atLeastOnce, twice)).isEmpty();
    }

    @Test
    void labelsTheInjectedChangeAndEveryOtherDetection() {
        InjectedChange change = new InjectedChange("task-0", 4_012, 24_000);
        List<Detection> ds = List.of(
                new Detection("task-4", 1_020, "adwin", "reset-head"),
                new Detection("task-0", 4_300, "adwin", "reset-head"),
                new Detection("task-0", 900, "adwin", "reset-head"),
                new Detection("task-0", 5_100, "adwin", "reset-head"));
        assertThat(DemoReport.driftLines(ds, change)).containsExactly(
                "task-0 at its example 900 (adwin, reaction reset-head): another detection: before the injected"
                        + " change at its example 4,012",
                "task-0 at its example 4,300 (adwin, reaction reset-head): THE INJECTED CHANGE (task-0 changed after"
                        + " its example 4,012, stream example 24,000), detected 288 of its examples later",
                "task-0 at its example 5,100 (adwin, reaction reset-head): another detection: after the injected"
                        + " change was already detected",
                "task-4 at its example 1,020 (adwin, reaction reset-head): another detection: no change was injected"
                        + " on task-4");
        assertThat(DemoReport.detectionDelay(ds, change)).isEqualTo(288);
    }

    @Test
    void saysSoWhenTheInjectedChangeWasNotDetected() {
        InjectedChange change = new InjectedChange("task-0", 4_012, 24_000);
        List<Detection> ds = List.of(new Detection("task-0", 4_012, "adwin", "none"));
        assertThat(DemoReport.driftLines(ds, change)).containsExactly(
                "task-0 at its example 4,012 (adwin, reaction none): another detection: before the injected change at"
                        + " its example 4,012",
                "the injected change (task-0 after its example 4,012, stream example 24,000) was not detected");
        assertThat(DemoReport.detectionDelay(ds, change)).isEqualTo(-1);
        assertThat(DemoReport.driftLines(List.of(), null)).isEmpty();
    }

    @Test
    void aDomainShiftIsListedApartAndNeverCountsAsCatchingTheConceptChange() {
        InjectedChange change = new InjectedChange("task-0", 4_012, 24_000);
        List<Detection> ds = List.of(new Detection("task-0", 4_100, "shift-monitor", "none", "label"),
                new Detection("task-0", 4_300, "page-hinkley", "boost-lr"));
        assertThat(DemoReport.driftLines(ds, change)).containsExactly(
                "task-0 at its example 4,300 (page-hinkley, reaction boost-lr): THE INJECTED CHANGE (task-0 changed"
                        + " after its example 4,012, stream example 24,000), detected 288 of its examples later",
                "task-0 at its example 4,100 (domain shift, signal label): the label-free monitor's finding, not a"
                        + " drift detection");
        assertThat(DemoReport.detectionDelay(ds, change)).isEqualTo(288);
        assertThat(DemoReport.detectionDelay(ds.subList(0, 1), change)).isEqualTo(-1);
    }
}
