package dev.metastream.learn;

import dev.metastream.learn.LearnerConfig.Key;
import java.util.List;

/**
 * Settings of meta-learning, the part of {@link LearnerConfig} that owns the {@code meta.*} keys: whether the head
 * initialisation new tasks start from is meta-learned (Reptile), how fast, how the aggregator folds the partitions'
 * deltas into the shared model, how strongly each task's head is pulled toward that initialisation, how each task
 * kind's heads learn, and how the trunk's step reacts to negative transfer.
 *
 * @param enabled  whether the head initialisation is meta-learned (Reptile) ({@code meta.enabled})
 * @param stepSize Reptile step size epsilon ({@code meta.step.size})
 * @param average  whether the aggregator averages partition deltas (mean) rather than summing them (sum)
 *                 ({@code meta.aggregation})
 * @param proximal strength of the pull of a task's head toward the meta initialisation (0 = hard sharing only)
 *                 ({@code meta.proximal})
 * @param bayesianRegression whether regression heads are Bayesian linear regressions with a meta-learned prior
 *                 ({@code meta.head.regression=bayes}) rather than SGD heads ({@code sgd})
 * @param prototypeClassification whether classification heads are class means in the trunk's feature space
 *                 ({@code meta.head.classification=prototype}) rather than SGD heads ({@code sgd})
 * @param learnedRates whether SGD heads step with per-parameter learning rates meta-learned across tasks
 *                 ({@code meta.learning.rates=meta-sgd}, {@link LearnedRates}) rather than the one fixed rate
 *                 ({@code fixed})
 * @param learnedRatesStep the meta step on the learned log-rates per head step ({@code meta.learning.rates.step})
 * @param transfer how the trunk's step reacts to negative transfer ({@code meta.transfer})
 */
public record MetaConfig(boolean enabled, float stepSize, boolean average, float proximal, boolean bayesianRegression,
                         boolean prototypeClassification, boolean learnedRates, float learnedRatesStep,
                         Transfer transfer) {

    /** The meta step on the learned log-rates when none is configured. */
    static final float DEFAULT_RATES_STEP = 0.001f;

    /** The settings of releases before {@code meta.head.regression}: SGD heads. */
    public MetaConfig(boolean enabled, float stepSize, boolean average, float proximal) {
        this(enabled, stepSize, average, proximal, false);
    }

    /**
     * The settings of releases before {@code meta.head.classification}, {@code meta.learning.rates} and
     * {@code meta.transfer}: SGD classification heads, one fixed head learning rate, no reaction to negative transfer.
     */
    public MetaConfig(boolean enabled, float stepSize, boolean average, float proximal, boolean bayesianRegression) {
        this(enabled, stepSize, average, proximal, bayesianRegression, false, false, DEFAULT_RATES_STEP, Transfer.OFF);
    }

    /** The reactions to negative transfer ({@code meta.transfer}); see {@link TransferReaction}. */
    public enum Transfer {
        /** Every task pulls on the trunk with its whole gradient (negative transfer is only detected and reported). */
        OFF,
        /** Each task's rows pull on the trunk with its trunk weight ({@link dev.metastream.meta.NegativeTransfer}). */
        WEIGHT,
        /** The batch's per-task trunk gradients are combined by gradient surgery ({@link dev.metastream.meta.PcGrad}). */
        PCGRAD;

        static Transfer parse(String s) {
            return switch (s.toLowerCase()) {
                case "off" -> OFF;
                case "weight" -> WEIGHT;
                case "pcgrad" -> PCGRAD;
                default -> throw new IllegalArgumentException("meta.transfer=" + s
                        + " is not known: use off, weight or pcgrad");
            };
        }
    }

    /** Every key this part owns, with its default, in the order {@code config/application.properties} lists them. */
    public static final List<Key> KEYS = List.of(
            new Key("meta.enabled", "true", "Meta-learn the head initialisation new tasks start from (Reptile)."),
            new Key("meta.step.size", "0.1", "Reptile step size: how far the initialisation moves toward the adapted heads per batch."),
            new Key("meta.aggregation", "mean", "How the aggregator folds partition deltas into the shared model: mean (divide by the number of partitions contributing; stable) or sum (asynchronous SGD)."),
            new Key("meta.proximal", "0.0", "Pull of each SGD head toward the meta initialisation (an L2 proximal term added to its gradient; 0 = off). A Bayesian head (meta.head.regression=bayes) has its prior instead and ignores it."),
            new Key("meta.head.regression", "bayes", "How a regression task's head learns: bayes (a Bayesian linear regression over the trunk's features, updated in closed form by each example, from a prior whose mean and covariance are meta-learned across tasks: a new task is fitted as well as a few examples allow, and every prediction carries its variance; ALPaCA, Harrison et al. 2018) or sgd (gradient steps from the meta-learned initialisation)."),
            new Key("meta.head.classification", "sgd", "How a (multi-class) classification task's head learns: sgd (gradient steps from the meta-learned initialisation) or prototype (each class's mean in the trunk's feature space, learned in closed form from its first example, with probabilities from the distances scaled by the task's within-class spread; prototypical networks, Snell et al. 2017, as streaming LDA, Hayes and Kanan 2020; the trunk learns through it, so classes gather around their means)."),
            new Key("meta.learning.rates", "fixed", "Learning rates of the SGD heads: fixed (optimizer.head.learning.rate for every parameter) or meta-sgd (a rate per head parameter, meta-learned across tasks by hypergradient descent and kept in the shared model beside the head initialisation: Meta-SGD, Li et al. 2017; La-MAML, Gupta et al. 2020). Rates stay within 1/100 and 10 times optimizer.head.learning.rate; Bayesian heads and meta.enabled=false ignore it."),
            new Key("meta.learning.rates.step", "0.001", "Meta step of the learned rates (meta.learning.rates=meta-sgd): how far a head step's hypergradient moves each log-rate (at most this much per step)."),
            new Key("meta.transfer", "off", "Reaction to negative transfer. Every task's shared head is compared, online, with its own shadow models (the mixture's linear and mean experts, model.mixture): a task whose shared head does no better after 50 examples shows negative transfer (reported in metastream.metrics either way). off: no reaction; weight: the task's pull on the shared trunk is scaled by its trunk weight (1 while the shared head's loss is under 0.95 of its better shadow's, falling to 0.1 at 1), and a task showing negative transfer is kept out of the meta-learned initialisation and prior new tasks start from; pcgrad: each batch's per-task trunk gradients are combined by gradient surgery (PCGrad, Yu et al. 2020; one trunk backward pass per task of the batch)."));

    /** Reads this part's keys; absent ones take their defaults. */
    static MetaConfig from(LearnerConfig.Reader r) {
        boolean enabled = r.bool("meta.enabled");
        float stepSize = r.nonNegativeFloat("meta.step.size");
        float proximal = r.nonNegativeFloat("meta.proximal");
        return new MetaConfig(enabled, stepSize, parseAggregation(r.string("meta.aggregation")), proximal,
                parseRegressionHead(r.string("meta.head.regression")),
                parseClassificationHead(r.string("meta.head.classification")),
                parseLearningRates(r.string("meta.learning.rates")), r.positiveFloat("meta.learning.rates.step"),
                Transfer.parse(r.string("meta.transfer")));
    }

    private static boolean parseClassificationHead(String s) {
        return switch (s.toLowerCase()) {
            case "prototype" -> true;
            case "sgd" -> false;
            default -> throw new IllegalArgumentException("meta.head.classification=" + s
                    + " is not known: use sgd or prototype");
        };
    }

    private static boolean parseLearningRates(String s) {
        return switch (s.toLowerCase()) {
            case "meta-sgd" -> true;
            case "fixed" -> false;
            default -> throw new IllegalArgumentException("meta.learning.rates=" + s + " is not known: use fixed or meta-sgd");
        };
    }

    private static boolean parseRegressionHead(String s) {
        return switch (s.toLowerCase()) {
            case "bayes" -> true;
            case "sgd" -> false;
            default -> throw new IllegalArgumentException("meta.head.regression=" + s + " is not known: use bayes or sgd");
        };
    }

    private static boolean parseAggregation(String s) {
        return switch (s.toLowerCase()) {
            case "mean" -> true;
            case "sum" -> false;
            default -> throw new IllegalArgumentException("meta.aggregation=" + s + " is not known: use mean or sum");
        };
    }
}
