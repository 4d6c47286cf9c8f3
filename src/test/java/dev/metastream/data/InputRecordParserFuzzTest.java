package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.learn.LearnerConfig;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The parser alone against 100,000 seeded mutants of valid records ({@link RecordMutator}): it never throws, and
 * rejects every one of them with a reason its kind of mutation allows. Valid records drawn from the same generator
 * are all accepted. {@code FuzzedInputTest} sends the same kinds of records through the real topology.
 */
class InputRecordParserFuzzTest {
    private static final int DIM = 20;
    private static final int CLASSES = 3;
    private static final int MAX_BYTES = 65_536;

    @Test
    void rejectsEveryMutantWithAReasonItsMutationAllows() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", String.valueOf(CLASSES));
        InputRecordParser parser = new InputRecordParser(LearnerConfig.from(p), MAX_BYTES);
        RecordMutator mutator = new RecordMutator(1234, DIM, CLASSES, MAX_BYTES);
        Map<RecordMutator.Kind, Map<String, Integer>> seen = new EnumMap<>(RecordMutator.Kind.class);
        for (int i = 0; i < 100_000; i++) {
            RecordMutator.Mutant m = mutator.next();
            InputRecordParser.Result r = parser.parse(m.key(), m.value(), 0L);
            String shown = m.value() == null ? "null" : new String(m.value(), java.nio.charset.StandardCharsets.UTF_8);
            String brief = shown.length() > 300 ? shown.substring(0, 300) + "..." : shown;
            assertThat(r.ok()).as("%s accepted: %s", m.kind(), brief).isFalse();
            assertThat(m.kind().reasons()).as("reason of %s: %s (%s)", m.kind(), brief, r.message())
                    .contains(r.reason().code());
            assertThat(r.message()).isNotBlank();
            seen.computeIfAbsent(m.kind(), k -> new TreeMap<>()).merge(r.reason().code(), 1, Integer::sum);
            if (i % 4 == 0) {
                String task = "fuzz-" + (i % 5);
                InputRecordParser.Result good = parser.parse(null,
                        mutator.valid(task, "good-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), 0L);
                assertThat(good.ok()).as("valid record %d: %s", i, good.message()).isTrue();
            }
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder(RecordMutator.Kind.values());
        seen.forEach((k, v) -> System.out.println("parser fuzz: " + k + " -> " + v));
    }
}
