package dev.metastream.topology;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A record on its way to one of the output topics: the learner emits predictions, snapshots, metrics, drift events
 * and meta-updates through one sink that routes each by {@link #topic()}.
 *
 * @param topic the destination topic
 * @param value the serialised value
 */
public record Output(String topic, byte[] value) {

    /** Serde that writes {@link #value()} as is; outputs are never read back through it. */
    public static Serde<Output> serde() {
        return Serdes.serdeFrom((topic, o) -> o == null ? null : o.value(),
                (topic, bytes) -> {
                    throw new UnsupportedOperationException("outputs are written, never read, through this serde");
                });
    }
}
