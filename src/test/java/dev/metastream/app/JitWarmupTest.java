package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JitWarmupTest {

    /** A round that advances a clock by 10 s and the compiler's time by the next of {@code compileMillis}. */
    private static final class Scripted {
        final long[] compileMillis;
        long clockNanos;
        long compiled;
        int rounds;

        Scripted(long... compileMillis) {
            this.compileMillis = compileMillis;
        }

        List<JitWarmup.Measured> run(int maxRounds, double maxShare) throws Exception {
            return JitWarmup.run(() -> {
                clockNanos += 10_000_000_000L;
                compiled += compileMillis[rounds++];
            }, maxRounds, maxShare, () -> compiled, () -> clockNanos);
        }
    }

    @Test
    void roundsRepeatWhileTheJitIsBusyAndStopOnceItSettles() throws Exception {
        // 8.5 s, 3 s, then 0.5 s of compiling in 10 s rounds: 85%, 30%, 5%.
        Scripted s = new Scripted(8_500, 3_000, 500, 0);
        List<JitWarmup.Measured> rounds = s.run(6, 0.10);
        assertThat(rounds).extracting(JitWarmup.Measured::compileShare).containsExactly(0.85, 0.3, 0.05);
        assertThat(rounds).extracting(JitWarmup.Measured::index).containsExactly(1, 2, 3);
        assertThat(s.rounds).isEqualTo(3);
        assertThat(rounds.get(0).toString()).contains("round 1", "10.0 s", "8.5 s", "85%");
    }

    @Test
    void atLeastOneRoundAndAtMostTheLimit() throws Exception {
        assertThat(new Scripted(0, 0).run(6, 0.10)).hasSize(1);
        Scripted busy = new Scripted(9_000, 9_000, 9_000, 9_000);
        assertThat(busy.run(3, 0.10)).hasSize(3);
        assertThat(busy.rounds).isEqualTo(3);
    }

    @Test
    void settingsThatCannotWarmUpAreRefused() {
        assertThatThrownBy(() -> new Scripted(0).run(0, 0.1)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new Scripted(0).run(1, Double.NaN)).hasMessageContaining(">= 0");
    }

    @Test
    void thisJvmsCompilerTimeIsRead() throws Exception {
        int[] ran = {0};
        List<JitWarmup.Measured> rounds = JitWarmup.run(() -> ran[0]++, 2, 1e9);
        assertThat(rounds).hasSize(1);
        assertThat(ran[0]).isEqualTo(1);
        assertThat(rounds.get(0).compileSeconds()).isGreaterThanOrEqualTo(0);
    }
}
