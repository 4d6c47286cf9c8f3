package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.data.Scenario;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    @Test
    void printsFigures() {
        Scenario sc = TestScenarios.linear(2, 400, 100, 8, 1, true);
        for (Strategy s : Strategy.values()) {
            EvaluationResult r = new Evaluator().run(sc, Evaluator.Options.of(s, 3), Evaluator.Progress.NONE);
            System.out.println(s + " acc=" + r.acc() + " bwt=" + r.bwt() + " forg=" + r.forgetting() + " m="
                    + java.util.Arrays.deepToString(r.matrix()) + " gain=" + (r.transfer() == null ? null : r.transfer().gain()));
        }
    }
}
