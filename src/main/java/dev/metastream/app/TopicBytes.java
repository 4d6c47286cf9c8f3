package dev.metastream.app;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * Bytes on the brokers' disks per topic, summed over partitions (one replica each), for topics whose names start with
 * a prefix: what {@code bench} reports per example for an application's changelogs, the volume its commits write.
 */
final class TopicBytes {
    private TopicBytes() {
    }

    /**
     * Reads the log directories of every broker.
     *
     * @param bootstrapServers the cluster
     * @param prefix topic name prefix (an application id, or the prefix of its topics)
     * @return bytes per topic (the prefix removed), topics with no bytes left out, in name order
     */
    static Map<String, Long> of(String bootstrapServers, String prefix) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            Map<String, Long> bytes = new TreeMap<>();
            admin.describeLogDirs(brokers).allDescriptions().get().values().forEach(dirs -> dirs.values()
                    .forEach(dir -> dir.replicaInfos().forEach((partition, replica) -> {
                        if (partition.topic().startsWith(prefix) && replica.size() > 0) {
                            bytes.merge(partition.topic().substring(prefix.length()), replica.size(), Long::sum);
                        }
                    })));
            return bytes;
        }
    }
}
