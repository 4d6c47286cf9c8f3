package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentTasksTest {
    @Test
    void aTaskIsSeenAgainOnlyAfterItsFirstRead() {
        RecentTasks recent = new RecentTasks(1_000);
        assertThat(recent.seenAgain("a")).isFalse();
        assertThat(recent.seenAgain("a")).isTrue();
        assertThat(recent.seenAgain("b")).isFalse();
        assertThat(recent.seenAgain("a")).isTrue();
    }

    @Test
    void marksLastAboutTheWindowAndNotFarBeyond() {
        RecentTasks recent = new RecentTasks(1_024);
        for (int i = 0; i < 100; i++) {
            recent.seenAgain("kept-" + i);
        }
        for (int i = 0; i < 100; i++) {
            recent.seenAgain("other-" + i);
        }
        int kept = 0;
        for (int i = 0; i < 100; i++) {
            kept += recent.seenAgain("kept-" + i) ? 1 : 0;
        }
        // 200 reads into a table of 1,024: a mark survives with probability about exp(-200/1024) or better.
        assertThat(kept).isGreaterThanOrEqualTo(70);
        for (int i = 0; i < 50_000; i++) {
            recent.seenAgain("flood-" + i);
        }
        int survived = 0;
        for (int i = 0; i < 100; i++) {
            survived += recent.seenAgain("kept-" + i) ? 1 : 0;
        }
        assertThat(survived).isZero();
    }
}
