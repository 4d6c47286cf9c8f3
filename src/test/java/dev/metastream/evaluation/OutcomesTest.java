package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.data.Scenario;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Test outputs reduced to figures as they complete, whichever way they arrive. */
class OutcomesTest {

    private static Outcomes outcomes(Scenario sc, Protocol p) {
        return new Outcomes(sc, p, Evaluator.config(Evaluator.settings(sc, Strategy.MULTIHEAD, 1, Map.of())),
                Strategy.MULTIHEAD);
    }

    /** Two-class outputs: class 0 on every third example, class 1 on the others. */
    private static float[][] outputs(int n) {
        float[][] o = new float[n][];
        for (int i = 0; i < n; i++) {
            o[i] = i % 3 == 0 ? new float[] {0.9f, 0.1f} : new float[] {0.1f, 0.9f};
        }
        return o;
    }

    @Test
    void oneAtATimeInAnyOrderGivesTheFigureOfTheWholeSet() {
        Scenario sc = TestScenarios.linear(2, 4, 7, 3, 2, false);
        Protocol p = Protocol.of(sc, 0, 0);
        Outcomes whole = outcomes(sc, p);
        Outcomes pieces = outcomes(sc, p);
        float[][] o = outputs(7);
        whole.testSet(0, 1, o);
        assertThat(pieces.figure(0, 1)).as("not complete yet").isNull();
        for (int i : new int[] {6, 2, 0, 5, 1, 3}) {
            pieces.testOutput(0, 1, i, o[i]);
        }
        assertThat(pieces.figure(0, 1)).isNull();
        assertThat(pieces.missing()).isEqualTo(8 + 3 * 2 * 7 - 6);
        pieces.testOutput(0, 1, 4, o[4]);
        assertThat(pieces.figure(0, 1)).isEqualTo(whole.figure(0, 1)).isNotNull();
        int right = 0;
        for (int i = 0; i < 7; i++) {
            int predicted = i % 3 == 0 ? 0 : 1;
            right += sc.tasks().get(1).test().get(i).target()[predicted] == 1f ? 1 : 0;
        }
        assertThat(whole.figure(0, 1)).isEqualTo(right / 7.0);
    }

    @Test
    void onlyTheFinalTaskEndKeepsItsOutputs() {
        Scenario sc = TestScenarios.linear(2, 4, 5, 3, 2, false);
        Protocol p = Protocol.of(sc, 0, 0);
        Outcomes out = outcomes(sc, p);
        int last = p.finalCheckpoint();
        float[][] o = outputs(5);
        out.testSet(1, 0, o);
        out.testSet(last, 0, o);
        assertThat(out.finalOutputs(0)).isSameAs(o);
        assertThat(out.finalOutputs(1)).isNull();
        assertThat(out.figure(1, 0)).isEqualTo(out.figure(last, 0));
        assertThatThrownBy(() -> out.testSet(1, 0, outputs(4))).hasMessageContaining("4 outputs for the 5 test");
    }
}
