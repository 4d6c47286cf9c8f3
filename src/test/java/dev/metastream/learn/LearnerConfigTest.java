package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading the learner configuration: defaults, per-task overrides, and messages that name the key to fix. */
class LearnerConfigTest {

    @Test
    void perTaskOverridesInheritWhatTheyDoNotSet() {
        Properties p = new Properties();
        p.setProperty("task.classes", "3");
        p.setProperty("task.class.names", "low,medium,high");
        p.setProperty("tasks.price.kind", "regression");
        p.setProperty("tasks.genre.classes", "5");
        p.setProperty("tasks.tags.kind", "multi-label");
        p.setProperty("tasks.tags.labels", "7");
        LearnerConfig c = LearnerConfig.from(p);
        assertThat(c.taskSpec("price").kind()).isEqualTo(TaskKind.REGRESSION);
        assertThat(c.taskSpec("genre").kind()).isEqualTo(TaskKind.CLASSIFICATION);
        assertThat(c.taskSpec("genre").outputs()).isEqualTo(5);
        assertThat(c.taskSpec("genre").classNames()).as("3 default names do not fit 5 classes").isEmpty();
        assertThat(c.taskSpec("tags").outputs()).isEqualTo(7);
        assertThat(c.taskSpec("anything-else").classNames()).containsExactly("low", "medium", "high");
        assertThat(c.headShapes()).extracting(TaskSpec::shapeKey)
                .containsExactlyInAnyOrder("classification:3", "regression:1", "classification:5", "multilabel:7");
    }

    @Test
    void badValuesNameTheKey() {
        Properties p = new Properties();
        p.setProperty("tasks.genre.classes", "five");
        assertThatThrownBy(() -> LearnerConfig.from(p)).hasMessageContaining("tasks.genre.classes");
        Properties q = new Properties();
        q.setProperty("input.dim", "-3");
        assertThatThrownBy(() -> LearnerConfig.from(q)).hasMessageContaining("input.dim");
        Properties r = new Properties();
        r.setProperty("memory.strategy", "ewc");
        assertThatThrownBy(() -> LearnerConfig.from(r)).hasMessageContaining("agem");
        // Memory slots live under six-digit keys that sort in slot order (KafkaLearnerStore), so more would reorder.
        Properties m = new Properties();
        m.setProperty("memory.per.task", "1000000");
        assertThatThrownBy(() -> LearnerConfig.from(m)).hasMessageContaining("memory.per.task=1000000");
        Properties share = new Properties();
        share.setProperty("model.mixture.share", "1");
        assertThatThrownBy(() -> LearnerConfig.from(share)).hasMessageContaining("model.mixture.share");
        Properties step = new Properties();
        step.setProperty("optimizer.head.normalized", "true");
        assertThatThrownBy(() -> LearnerConfig.from(step)).hasMessageContaining("per-part, joint, none");
    }

    @Test
    void theDigestChangesWithTheConfiguration() {
        Properties p = new Properties();
        p.setProperty("model.trunk.layers", "32");
        assertThat(LearnerConfig.from(p).digest()).isNotEqualTo(LearnerConfig.defaults().digest())
                .hasSize(16);
        assertThat(LearnerConfig.defaults().digest()).isEqualTo(LearnerConfig.defaults().digest());
    }

    /** Maps are digested in key order: the same settings give the same digest, however the maps iterate. */
    @Test
    void theDigestOfSeveralDetectorParametersAndTaskOverridesIsInKeyOrder() {
        Properties p = new Properties();
        p.setProperty("drift.detector", "page-hinkley");
        p.setProperty("drift.page-hinkley.threshold", "30");
        p.setProperty("drift.page-hinkley.delta", "0.01");
        p.setProperty("drift.page-hinkley.min.instances", "20");
        p.setProperty("tasks.b.classes", "3");
        p.setProperty("tasks.a.classes", "4");
        p.setProperty("tasks.c.kind", "regression");
        String text = LearnerConfig.from(p).digestText();
        assertThat(text).contains("driftParams={delta=0.01, min_instances=20, threshold=30}")
                .contains("taskOverrides={a=TaskSpec[");
        assertThat(text.indexOf(", b=TaskSpec[")).isGreaterThan(text.indexOf("{a=TaskSpec["))
                .isLessThan(text.indexOf(", c=TaskSpec["));
    }

    /**
     * The digest of the defaults before the factorisation machine was on by default, as it was before the settings
     * were grouped into parts: stored states and snapshots carry it, so the same settings must keep it. A setting
     * added later appears in the digest only when it is not at the value that behaves as before.
     */
    @Test
    void theDigestOfTheDefaultsIsPinned() {
        Properties p = new Properties();
        p.setProperty("model.fm.factors", "0");
        // drift.adwin.clock (River's 32 before the key existed, 1 since) is a detector parameter, and those are all in
        // the digest: this configuration's digest changed with it (was 3a4b5c7a924985e4 with clock 32 implied).
        p.setProperty("drift.detector", "adwin");
        p.setProperty("drift.adwin.clock", "32");
        // The heads' step rule before they became plain SGD (issue 11).
        p.setProperty("optimizer.head.momentum", "0.5");
        p.setProperty("optimizer.head.learning.rate", "0.2");
        // The replayed samples per task before the default went from 16 to 8 (issue 11).
        p.setProperty("memory.samples.per.task", "16");
        assertThat(LearnerConfig.from(p).digest()).isEqualTo("303aa7a17306c080");
        // Today's defaults: a new default is a new configuration, and its digest says so.
        // (8d299f64f8c82efe before the heads became plain SGD, issue 11; d5b5c2e22c8450b4 before 8 replayed samples.)
        assertThat(LearnerConfig.defaults().digest()).isEqualTo("98f5f5d7059e7ee9");
        assertThat(LearnerConfig.defaults().digestText())
                .endsWith(", fmFactors=8, fmLearningRate=0.1], headMomentum=0.0]");
    }

    /** Non-default settings of every part, digested as before the grouping. */
    @Test
    void theDigestOfNonDefaultSettingsIsPinned() {
        Properties p = new Properties();
        p.setProperty("input.dim", "20");
        p.setProperty("tasks.a.classes", "3");
        p.setProperty("model.trunk.layers", "32,16");
        p.setProperty("model.seed", "7");
        p.setProperty("optimizer", "adam");
        p.setProperty("optimizer.head.learning.rate", "0.05");
        p.setProperty("optimizer.trunk.learning.rate", "0.02");
        p.setProperty("optimizer.momentum", "0.9");
        p.setProperty("optimizer.head.momentum", "0.9"); // the heads' as the trunk's: the rule before the key existed
        p.setProperty("optimizer.adam.beta1", "0.8");
        p.setProperty("optimizer.adam.beta2", "0.99");
        p.setProperty("optimizer.adam.epsilon", "1e-6");
        p.setProperty("optimizer.clip.norm", "5");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("meta.enabled", "false");
        p.setProperty("meta.step.size", "0.3");
        p.setProperty("meta.aggregation", "sum");
        p.setProperty("meta.proximal", "0.01");
        p.setProperty("memory.strategy", "gem");
        p.setProperty("memory.per.task", "32");
        p.setProperty("memory.tasks.per.step", "2");
        p.setProperty("memory.samples.per.task", "8");
        p.setProperty("memory.refresh.batches", "3");
        p.setProperty("drift.detector", "adwin");
        p.setProperty("drift.adwin.delta", "0.01");
        p.setProperty("drift.adwin.clock", "32");
        p.setProperty("drift.reaction", "reset-head");
        p.setProperty("drift.min.rise", "0.5");
        p.setProperty("drift.cooldown.examples", "100");
        p.setProperty("drift.boost.factor", "2");
        p.setProperty("drift.boost.examples", "50");
        p.setProperty("metrics.window", "100");
        p.setProperty("model.wide", "false");
        p.setProperty("model.mixture.share", "0.01");
        p.setProperty("model.fm.factors", "0");
        LearnerConfig c = LearnerConfig.from(p);
        assertThat(c.digest()).isEqualTo("7f3c9ba1700bab27");
        assertThat(c.digestText()).isEqualTo("LearnerConfig[inputDim=20, defaultTask=TaskSpec[kind=CLASSIFICATION, "
                + "classes=10, classNames=[], labels=5], taskOverrides={a=TaskSpec[kind=CLASSIFICATION, classes=3, "
                + "classNames=[], labels=5]}, trunk=TrunkSpec[inputDim=20, hidden=[32, 16], activation=RELU], seed=7, "
                + "optimizer=adam, headLearningRate=0.05, trunkLearningRate=0.02, momentum=0.9, adamBeta1=0.8, "
                + "adamBeta2=0.99, adamEpsilon=1.0E-6, batchSize=16, batchMaxWaitMs=200, metaEnabled=false, "
                + "metaStepSize=0.3, proximal=0.01, memoryStrategy=GEM, memoryPerTask=32, memoryTasksPerStep=2, "
                + "memorySamplesPerTask=8, memoryRefreshBatches=3, driftDetector=adwin, driftParams={clock=32, delta=0.01}, "
                + "driftReaction=RESET_HEAD, driftBoostFactor=2.0, driftBoostExamples=50, metricsWindow=100, "
                + "metricsEveryExamples=1000, snapshotEveryExamples=1000, taskCacheSize=10000, "
                + "maxAbsFeature=1000000.0, clipNorm=5.0, metaAverage=false, driftMinRise=0.5, "
                + "driftCooldownExamples=100, model=ModelConfig[scaleInputs=true, perTaskScaler=false, "
                + "scalerPriorWeight=20.0, wide=false, labelLag=true, targetPriorWeight=5.0, headStep=JOINT, "
                + "mixture=true, linearLearningRate=0.01, mixtureShare=0.01, partitionGate=true]]");

        Properties q = new Properties();
        q.setProperty("drift.detector", "none");
        q.setProperty("drift.reaction", "restart-task");
        q.setProperty("memory.strategy", "none");
        q.setProperty("learner.batch.max.wait.ms", "50");
        q.setProperty("metrics.every.examples", "10");
        q.setProperty("snapshot.every.examples", "20");
        q.setProperty("learner.task.cache.size", "5");
        q.setProperty("input.max.abs.value", "100");
        q.setProperty("task.kind", "regression");
        q.setProperty("model.trunk.layers", "");
        q.setProperty("input.scaling", "none");
        q.setProperty("optimizer.head.normalized", "per-part");
        q.setProperty("model.fm.factors", "0");
        q.setProperty("meta.head.regression", "sgd");
        q.setProperty("optimizer.head.momentum", "0.5");
        q.setProperty("optimizer.head.learning.rate", "0.2");
        q.setProperty("memory.samples.per.task", "16"); // the default when this digest was pinned
        assertThat(LearnerConfig.from(q).digest()).isEqualTo("0a62535a2c86d617");
        // The heads' plain SGD, the default since issue 11, is another model, and the digest says so.
        q.remove("optimizer.head.momentum");
        assertThat(LearnerConfig.from(q).digestText()).contains(", headMomentum=0.0");
        q.setProperty("optimizer.head.momentum", "0.5");
        // Bayesian regression heads (the default since they exist) are another model, and the digest says so; for
        // classification tasks the setting changes nothing and is not in the digest.
        q.remove("meta.head.regression");
        assertThat(LearnerConfig.from(q).digestText()).endsWith(", regressionHead=bayes]");
        assertThat(LearnerConfig.from(q).digest()).isNotEqualTo("0a62535a2c86d617");
        p.setProperty("meta.head.regression", "sgd");
        assertThat(LearnerConfig.from(p).digest()).isEqualTo("7f3c9ba1700bab27");
    }

    /** Each part reads its own keys into its own components. */
    @Test
    void eachPartReadsItsKeys() {
        Properties p = new Properties();
        p.setProperty("optimizer", "ADAM");
        p.setProperty("optimizer.clip.norm", "5");
        p.setProperty("meta.aggregation", "sum");
        p.setProperty("meta.proximal", "0.5");
        p.setProperty("memory.strategy", "a-gem");
        p.setProperty("memory.per.task", "8");
        p.setProperty("drift.detector", "page-hinkley");
        p.setProperty("drift.page-hinkley.min.instances", "7");
        p.setProperty("drift.reaction", "background");
        p.setProperty("drift.cooldown.examples", "9");
        LearnerConfig c = LearnerConfig.from(p);
        assertThat(c.optimizer().name()).isEqualTo("adam");
        assertThat(c.optimizer().clipNorm()).isEqualTo(5f);
        assertThat(c.optimizer().headLearningRate()).isEqualTo(0.4f);
        assertThat(c.optimizer().headMomentum()).isEqualTo(0.0);
        assertThat(c.optimizer().createHead()).isInstanceOf(Adam.class);
        assertThat(c.optimizer().create()).isInstanceOf(Adam.class);
        assertThat(c.meta().average()).isFalse();
        assertThat(c.meta().proximal()).isEqualTo(0.5f);
        assertThat(c.meta().enabled()).isTrue();
        assertThat(c.memory().strategy()).isEqualTo(MemoryConfig.Strategy.AGEM);
        assertThat(c.memory().perTask()).isEqualTo(8);
        assertThat(c.memory().tasksPerStep()).isEqualTo(4);
        assertThat(c.drift().detector()).isEqualTo("page-hinkley");
        assertThat(c.drift().params()).isEqualTo(Map.of("threshold", "20", "delta", "0.005", "min_instances", "7"));
        assertThat(c.drift().reaction()).isEqualTo(DriftConfig.Reaction.BACKGROUND_HEAD);
        assertThat(c.drift().cooldownExamples()).isEqualTo(9L);
        assertThat(c.drift().newDetector()).isNotNull();
        assertThat(LearnerConfig.defaults().memory().strategy()).isEqualTo(MemoryConfig.Strategy.REPLAY);
        assertThat(LearnerConfig.defaults().drift().reaction()).isEqualTo(DriftConfig.Reaction.BOOST_LR);
    }

    /** The parts' validation and messages are those the single parse had. */
    @Test
    void eachPartFailsWithTheKeysMessage() {
        Map<String, String> bad = Map.of(
                "optimizer=rmsprop", "optimizer=rmsprop is not known: use sgd or adam",
                "optimizer.clip.norm=0", "optimizer.clip.norm=0.0 must be greater than 0",
                "meta.aggregation=median", "meta.aggregation=median is not known: use mean or sum",
                "memory.per.task=1000000", "memory.per.task=1000000 is above 999999, the most samples a task's "
                        + "episodic memory holds; lower it",
                "memory.tasks.per.step=-1", "memory.tasks.per.step=-1 must be zero or a positive whole number",
                "drift.detector=eddm", "drift.eddm.*: unknown drift detector 'eddm'; allowed: adwin, page-hinkley, ddm, "
                        + "hddm-a, hddm-w, kswin, none",
                "drift.reaction=panic", "drift.reaction=panic is not known: use one of none, reset-head, boost-lr, "
                        + "background-head, restart-task",
                "drift.cooldown.examples=-5", "drift.cooldown.examples=-5 must be zero or a positive whole number",
                "input.scaling.scope=global", "input.scaling.scope=global is not known: use shared or task",
                "model.mixture.share=1", "model.mixture.share=1.0 must be at least 0 and below 1");
        bad.forEach((setting, message) -> {
            Properties p = new Properties();
            String[] kv = setting.split("=", 2);
            p.setProperty(kv[0], kv[1]);
            assertThatThrownBy(() -> LearnerConfig.from(p)).as(setting)
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        });
    }

    /** meta.enabled is a boolean like the others: a value that is neither true nor false is an error, not false. */
    @Test
    void metaEnabledRefusesAValueThatIsNotABoolean() {
        Properties p = new Properties();
        p.setProperty("meta.enabled", "maybe");
        assertThatThrownBy(() -> LearnerConfig.from(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("meta.enabled=maybe must be true or false");
        p.setProperty("meta.enabled", "FALSE");
        assertThat(LearnerConfig.from(p).meta().enabled()).isFalse();
    }

    /** Every part's keys are in {@link LearnerConfig#KEYS}, once, and nothing else is. */
    @Test
    void theKeysAreTheParts() {
        List<List<LearnerConfig.Key>> parts = List.of(OptimizerConfig.KEYS, MetaConfig.KEYS, MemoryConfig.KEYS,
                DriftConfig.KEYS, ModelConfig.KEYS, ShiftConfig.KEYS);
        Set<String> names = new HashSet<>();
        LearnerConfig.KEYS.forEach(k -> assertThat(names.add(k.name())).as(k.name()).isTrue());
        int partKeys = 0;
        for (List<LearnerConfig.Key> part : parts) {
            assertThat(LearnerConfig.KEYS).containsAll(part);
            partKeys += part.size();
        }
        assertThat(LearnerConfig.KEYS).hasSize(partKeys + 15);
        assertThat(OptimizerConfig.KEYS).last().isEqualTo(OptimizerConfig.CLIP_NORM_KEY);
        assertThat(MetaConfig.KEYS).allMatch(k -> k.name().startsWith("meta."));
        assertThat(MemoryConfig.KEYS).allMatch(k -> k.name().startsWith("memory."));
        assertThat(DriftConfig.KEYS).allMatch(k -> k.name().startsWith("drift."));
        assertThat(ShiftConfig.KEYS).allMatch(k -> k.name().startsWith("shift."));
        assertThat(OptimizerConfig.KEYS).allMatch(k -> k.name().startsWith("optimizer"));
    }
}
