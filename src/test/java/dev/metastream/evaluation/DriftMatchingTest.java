package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.data.Scenario;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftMatchingTest {
    @Test
    void firstDetectionInsideTheWindowFindsAChangeTheRestAreFalseAlarms() {
        List<Scenario.ChangePoint> cps = List.of(new Scenario.ChangePoint("a", 1000, 1),
                new Scenario.ChangePoint("a", 3000, 200), new Scenario.ChangePoint("b", 500, 1));
        List<Outcomes.Detection> dets = List.of(
                new Outcomes.Detection("a", 400),    // before any change: false alarm
                new Outcomes.Detection("a", 1121),   // example 1120: finds the change at 1000, delay 120
                new Outcomes.Detection("a", 1300),   // second detection of the same change: false alarm
                new Outcomes.Detection("a", 3400),   // example 3399: inside [3000, 3000+200-1+300]: delay 399
                new Outcomes.Detection("b", 900),    // example 899: delay 399 > 300 on task b: missed + false alarm
                new Outcomes.Detection("c", 10));    // a task with no change: false alarm
        DriftMatching.Result r = DriftMatching.match(cps, dets, 300);
        assertThat(r.found()).containsExactly(new DriftMatching.Found("a", 1000, 1121, 120),
                new DriftMatching.Found("a", 3000, 3400, 399));
        assertThat(r.missed()).containsExactly(new Scenario.ChangePoint("b", 500, 1));
        assertThat(r.falseAlarms()).containsExactly(dets.get(0), dets.get(2), dets.get(4), dets.get(5));
        assertThat(r.meanDelay()).isEqualTo(259.5);
    }

    @Test
    void aWindowEndsAtTheTasksNextChange() {
        List<Scenario.ChangePoint> cps = List.of(new Scenario.ChangePoint("a", 100, 1),
                new Scenario.ChangePoint("a", 150, 1));
        // Example 160 is after the second change: it finds that one, not the first.
        DriftMatching.Result r = DriftMatching.match(cps, List.of(new Outcomes.Detection("a", 161)), 1000);
        assertThat(r.found()).containsExactly(new DriftMatching.Found("a", 150, 161, 10));
        assertThat(r.missed()).containsExactly(cps.get(0));
        assertThat(r.falseAlarms()).isEmpty();
    }
}
