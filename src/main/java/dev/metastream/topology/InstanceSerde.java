package dev.metastream.topology;

import dev.metastream.learn.Instance;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Binary serde of parsed examples on the repartition topic (compact floats, no JSON re-parsing downstream). */
public final class InstanceSerde {
    private InstanceSerde() {}

    /** The serde. */
    public static Serde<Instance> serde() {
        return Serdes.serdeFrom((topic, i) -> i == null ? null : i.toBytes(),
                (topic, b) -> b == null ? null : Instance.fromBytes(b));
    }
}
