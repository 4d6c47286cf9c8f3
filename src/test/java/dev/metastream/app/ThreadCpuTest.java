package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void threadsAreGroupedByWhatTheirNamesSay() {
        assertThat(ThreadCpu.group("app-1a2b-StreamThread-1")).isEqualTo("stream threads");
        assertThat(ThreadCpu.group("kafka-producer-network-thread | app-1a2b-StreamThread-1-producer"))
                .isEqualTo("stream threads' producers");
        assertThat(ThreadCpu.group("kafka-producer-network-thread | producer-6")).isEqualTo("sender's producer");
        assertThat(ThreadCpu.group("data-plane-kafka-request-handler-0")).isEqualTo("broker");
        assertThat(ThreadCpu.group("main")).isEqualTo("sender (the bench's producer)");
        assertThat(ThreadCpu.group("bench-output-reader")).isEqualTo("reader");
        assertThat(ThreadCpu.group("pool-1-thread-1")).isEqualTo("other threads");
    }

    @Test
    void aBusyThreadsCpuCountsForItsGroup() throws Exception {
        ThreadCpu before = ThreadCpu.snapshot();
        CountDownLatch worked = new CountDownLatch(1);
        CountDownLatch measured = new CountDownLatch(1);
        double[] sink = new double[1];
        Thread busy = new Thread(() -> {
            double s = 0;
            for (int i = 0; i < 50_000_000; i++) {
                s += Math.sqrt(i);
            }
            sink[0] = s;
            worked.countDown();
            try {
                measured.await(); // alive until measured: a finished thread's CPU time can no longer be read
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-StreamThread-1");
        busy.start();
        worked.await();
        Map<String, Double> cores = ThreadCpu.snapshot().coresSince(before);
        measured.countDown();
        busy.join();
        assertThat(sink[0]).isPositive();
        assertThat(cores.get("stream threads")).isPositive();
        assertThat(ThreadCpu.describe(cores)).contains("stream threads");
    }
}
