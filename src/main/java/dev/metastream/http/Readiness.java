package dev.metastream.http;

import dev.metastream.topology.StateRestoreMonitor;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * Liveness and readiness of one instance.
 *
 * <ul>
 *   <li><b>Live</b> unless the streams client is in ERROR or PENDING_ERROR (every stream thread died and could not be
 *       replaced): restarting the process is then the fix.</li>
 *   <li><b>Ready</b> only when the client is RUNNING, every local stream thread is RUNNING, and no store is being
 *       restored ({@link StateRestoreMonitor#active()} is 0). During a rebalance or a restore an instance is live but
 *       not ready.</li>
 * </ul>
 *
 * @param live      whether the instance is alive
 * @param ready     whether it serves its tasks
 * @param state     the streams client's state ({@code NOT_STARTED} before start)
 * @param threads   each stream thread's state by thread name
 * @param restoring store restores in flight
 */
public record Readiness(boolean live, boolean ready, String state, Map<String, String> threads, long restoring) {

    /** The status of a streams client (null = not started yet: live, not ready). */
    public static Readiness of(KafkaStreams streams, StateRestoreMonitor restores) {
        long restoring = restores.active();
        if (streams == null) {
            return new Readiness(true, false, "NOT_STARTED", Map.of(), restoring);
        }
        KafkaStreams.State state = streams.state();
        Map<String, String> threads = new TreeMap<>();
        boolean threadsRunning = true;
        if (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING) {
            for (ThreadMetadata t : streams.metadataForLocalThreads()) {
                threads.put(t.threadName(), t.threadState());
                threadsRunning &= "RUNNING".equals(t.threadState());
            }
        }
        boolean live = state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR;
        boolean ready = state == KafkaStreams.State.RUNNING && !threads.isEmpty() && threadsRunning && restoring == 0;
        return new Readiness(live, ready, state.name(), threads, restoring);
    }
}
