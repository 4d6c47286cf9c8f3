package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic recommendation stream: users are tasks, each rating (or clicking) items over time, new users keep
 * arriving, and some users change their taste. The rating model is the biased matrix factorisation of Koren, Bell and
 * Volinsky ("Matrix factorization techniques for recommender systems", IEEE Computer 2009):
 *
 * <pre>
 * r_ui = clip(round(mu + b_u + b_i + p_u . q_i + e), 1, 5),   e ~ N(0, noise^2),   mu = 3.5
 * </pre>
 *
 * with user biases {@code b_u ~ N(0, 0.4^2)}, item biases {@code b_i ~ N(0, 0.4^2)}, user preferences
 * {@code p_u ~ N(0, 0.8^2 I)} and item factors {@code q_i ~ N(0, I / factors)} of dimension {@code factors} (so
 * {@code p_u . q_i} has standard deviation 0.8). Items have 1 to 3 genres out of {@code genres}, and an item's factors
 * are partly its genres' ({@code q_i = sqrt(s) sum_g G_g / sqrt(k) + sqrt(1 - s) e_i}, {@code s = genre-share}), so
 * genres carry taste information, as content features do. {@code kind=clicks} gives binary clicks instead,
 * {@code click ~ Bernoulli(sigmoid(b_u + b_i + p_u . q_i))}, the logistic matrix factorisation of Johnson
 * ("Logistic matrix factorization for implicit feedback data", NIPS workshop 2014).
 *
 * <p>Item popularity is Zipf-like: the item of rank k (item k) is drawn with probability proportional to
 * {@code 1 / (k + 1)^zipf}, with replacement, as in the long-tailed catalogues of real data (Celma, "Music
 * Recommendation and Discovery: The Long Tail", 2010). The input of an event is its item's categorical features,
 * {@code item=<id>} and {@code genre=<g>} for each genre, hashed into {@code input.dim} slots with the signed
 * MurmurHash3 the input parser uses ({@link FeatureHashing}); the user is the task, so never a feature.
 *
 * <p>Time: user u arrives at a time uniform over the first {@code arrival} share of the stream and spreads its
 * {@code events} events uniformly over the rest; the stream is every event sorted by time, so users interleave and new
 * ones keep arriving (the stream's {@link Scenario#order()}). Users are named {@code user-0000, ...} by arrival and
 * listed in the order their last event comes. A share {@code drift} of users re-draws its preference vector
 * {@code p_u} at an event uniform in the middle half of its events: a change point of that task, width 1 (the
 * preference-drift setting of Koren, "Collaborative filtering with temporal dynamics", KDD 2009, made abrupt so it
 * can be scored). The held-out test set of a user (if asked for) is drawn from its final preference. Each training
 * example's item id is the scenario's item key (for the {@code bias} baseline).
 *
 * <pre>{@code
 * Scenario s = new RecommendationGenerator(200, 50, 1000, 8, 12, 1.0, 0.5, 0.2, 0.5, 0.8, false, 1024, 0)
 *         .generate(42);
 * s.order(); // 10,000 positions, users interleaved
 * }</pre>
 */
public final class RecommendationGenerator {
    /** Global mean rating. */
    public static final double MU = 3.5;
    /** Standard deviation of the user and item biases. */
    public static final double BIAS_SD = 0.4;
    /** Standard deviation of each component of a user's preference vector. */
    public static final double PREFERENCE_SD = 0.8;

    private final int users;
    private final int events;
    private final int items;
    private final int factors;
    private final int genres;
    private final double zipf;
    private final double noise;
    private final double drift;
    private final double genreShare;
    private final double arrival;
    private final boolean clicks;
    private final int inputDim;
    private final int testPerUser;

    /**
     * @param users       users (tasks), at least 1
     * @param events      training events per user, at least 1
     * @param items       items in the catalogue
     * @param factors     dimension of the preference and item vectors
     * @param genres      genres (each item has 1 to min(3, genres))
     * @param zipf        popularity exponent (0 = uniform)
     * @param noise       standard deviation of the rating noise
     * @param drift       share of users whose preference is re-drawn once
     * @param genreShare  share of an item's factor variance that comes from its genres
     * @param arrival     users arrive uniformly over this first share of the stream
     * @param clicks      binary clicks instead of 1-5 ratings
     * @param inputDim    hashed input width
     * @param testPerUser held-out events per user
     */
    public RecommendationGenerator(int users, int events, int items, int factors, int genres, double zipf,
            double noise, double drift, double genreShare, double arrival, boolean clicks, int inputDim,
            int testPerUser) {
        this.users = users;
        this.events = events;
        this.items = items;
        this.factors = factors;
        this.genres = genres;
        this.zipf = zipf;
        this.noise = noise;
        this.drift = drift;
        this.genreShare = genreShare;
        this.arrival = arrival;
        this.clicks = clicks;
        this.inputDim = inputDim;
        this.testPerUser = testPerUser;
    }

    /**
     * Reads {@code recsys:users=200,items=1000,factors=8,genres=12,zipf=1,noise=0.5,drift=0.2,genre-share=0.5,
     * arrival=0.8,kind=ratings|clicks,shift-every=0}; {@code --tasks} sets users, {@code --train-per-task} events per user (default
     * 50), {@code --input-dim} the hashed width (default 1024), {@code --test-per-task} held-out events per user.
     */
    static Scenario fromSpec(String source, SourceParams p, ScenarioSpec spec) {
        int users = p.integer("users", spec.tasks() > 0 ? spec.tasks() : 200, 1);
        int items = p.integer("items", 1000, 1);
        int factors = p.integer("factors", 8, 1);
        int genres = p.integer("genres", 12, 1);
        double zipf = p.number("zipf", 1.0, 0, 10);
        double noise = p.number("noise", 0.5, 0, 10);
        double drift = p.number("drift", 0.2, 0, 1);
        double genreShare = p.number("genre-share", 0.5, 0, 1);
        double arrival = p.number("arrival", 0.8, 0, 1);
        boolean clicks = p.choice("kind", "ratings", "ratings", "clicks").equals("clicks");
        InputShift shift = InputShift.from(p);
        p.rejectUnknown();
        int events = spec.trainPerTask() > 0 ? spec.trainPerTask() : 50;
        int dim = spec.inputDim() > 0 ? spec.inputDim() : 1024;
        Scenario s = new RecommendationGenerator(users, events, items, factors, genres, zipf, noise, drift, genreShare,
                arrival, clicks, dim, spec.testPerTask()).generate(spec.seed(), shift);
        return s.named(source);
    }

    /** Generates the stream. */
    public Scenario generate(long seed) {
        return generate(seed, InputShift.NONE);
    }

    /**
     * Generates the stream, each user's items drawn under {@code shift} (by the user's event number): the tilt moves
     * the draws towards the popular items or towards the tail, and a user's taste stays what it was.
     */
    Scenario generate(long seed, InputShift shift) {
        Random rnd = new Random(seed);
        // Catalogue: genre vectors, then each item's genres, factors, bias and hashed features.
        double[][] genreVectors = new double[genres][];
        for (int g = 0; g < genres; g++) {
            genreVectors[g] = gaussian(rnd, factors, 1 / Math.sqrt(factors));
        }
        double[][] q = new double[items][];
        double[] itemBias = new double[items];
        float[][] features = new float[items][];
        String[] itemKeys = new String[items];
        for (int i = 0; i < items; i++) {
            int[] gs = genresOf(rnd);
            double[] own = gaussian(rnd, factors, 1 / Math.sqrt(factors));
            double[] qi = new double[factors];
            for (int k = 0; k < factors; k++) {
                double fromGenres = 0;
                for (int g : gs) {
                    fromGenres += genreVectors[g][k];
                }
                qi[k] = Math.sqrt(genreShare) * fromGenres / Math.sqrt(gs.length) + Math.sqrt(1 - genreShare) * own[k];
            }
            q[i] = qi;
            itemBias[i] = BIAS_SD * rnd.nextGaussian();
            itemKeys[i] = Integer.toString(i);
            features[i] = features(itemKeys[i], gs);
        }
        double[] popularity = new double[items];
        double total = 0;
        for (int i = 0; i < items; i++) {
            total += 1 / Math.pow(i + 1, zipf);
            popularity[i] = total;
        }

        // Users in arrival order: arrival time, bias, preference, optional change, event times.
        double[] arrivals = new double[users];
        for (int u = 0; u < users; u++) {
            arrivals[u] = arrival * rnd.nextDouble();
        }
        Arrays.sort(arrivals);
        String fmt = "user-%0" + Math.max(4, Integer.toString(users - 1).length()) + "d";
        List<Event> stream = new ArrayList<>(users * events);
        List<List<Instance>> trains = new ArrayList<>();
        List<List<Instance>> tests = new ArrayList<>();
        List<List<String>> keys = new ArrayList<>();
        int[] changeAt = new int[users];
        for (int u = 0; u < users; u++) {
            String task = String.format(fmt, u);
            double bu = BIAS_SD * rnd.nextGaussian();
            double[] pu = gaussian(rnd, factors, PREFERENCE_SD);
            changeAt[u] = -1;
            if (events >= 4 && rnd.nextDouble() < drift) {
                changeAt[u] = events / 4 + rnd.nextInt(Math.max(1, events / 2));
            }
            double[] times = new double[events];
            times[0] = arrivals[u];
            for (int k = 1; k < events; k++) {
                times[k] = arrivals[u] + (1 - arrivals[u]) * rnd.nextDouble();
            }
            Arrays.sort(times);
            List<Instance> train = new ArrayList<>(events);
            List<String> ks = new ArrayList<>(events);
            for (int k = 0; k < events; k++) {
                if (k == changeAt[u]) {
                    pu = gaussian(rnd, factors, PREFERENCE_SD);
                }
                int i = item(rnd, shift, popularity, k);
                train.add(new Instance(task, features[i], target(rnd, bu, itemBias[i], pu, q[i]), null, 0));
                ks.add(itemKeys[i]);
                stream.add(new Event(u, k, times[k]));
            }
            List<Instance> test = new ArrayList<>(testPerUser);
            for (int k = 0; k < testPerUser; k++) {
                int i = item(rnd, shift, popularity, events + k);
                test.add(new Instance(task, features[i], target(rnd, bu, itemBias[i], pu, q[i]), null, 0));
            }
            trains.add(train);
            tests.add(test);
            keys.add(ks);
        }
        stream.sort(Comparator.comparingDouble(Event::time).thenComparingInt(Event::user)
                .thenComparingInt(Event::index));

        // Tasks in the order their last event comes; positions and timestamps in stream order.
        int[] taskOf = new int[users];
        int next = 0;
        int[] seen = new int[users];
        for (Event e : stream) {
            if (++seen[e.user()] == events) {
                taskOf[e.user()] = next++;
            }
        }
        Scenario.TaskData[] data = new Scenario.TaskData[users];
        Map<String, List<String>> items = new LinkedHashMap<>();
        List<Scenario.ChangePoint> cps = new ArrayList<>();
        List<Scenario.ChangePoint> shifts = new ArrayList<>();
        List<Scenario.Position> order = new ArrayList<>(stream.size());
        List<List<Instance>> stamped = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            stamped.add(new ArrayList<>(trains.get(u)));
        }
        long ts = 0;
        for (Event e : stream) {
            Instance in = trains.get(e.user()).get(e.index());
            stamped.get(e.user()).set(e.index(), new Instance(in.task(), in.x(), in.target(), null, ts++));
            order.add(new Scenario.Position(taskOf[e.user()], e.index()));
        }
        for (int u = 0; u < users; u++) {
            String task = String.format(fmt, u);
            data[taskOf[u]] = new Scenario.TaskData(task, stamped.get(u), tests.get(u));
            items.put(task, keys.get(u));
            if (changeAt[u] >= 0) {
                cps.add(new Scenario.ChangePoint(task, changeAt[u], 1));
            }
            shifts.addAll(shift.points(task, events));
        }
        Map<String, String> config = Map.of("input.dim", Integer.toString(inputDim), "task.kind",
                clicks ? "binary" : "regression");
        return new Scenario("recsys", config, List.of(data), cps, order, items, shifts);
    }

    /** An event of the stream: user (arrival index), its event number, its time in [0, 1). */
    private record Event(int user, int index, double time) {}

    private float[] target(Random rnd, double bu, double bi, double[] pu, double[] qi) {
        double s = bu + bi;
        for (int k = 0; k < factors; k++) {
            s += pu[k] * qi[k];
        }
        if (clicks) {
            return new float[] {rnd.nextDouble() < 1 / (1 + Math.exp(-s)) ? 1f : 0f};
        }
        double r = Math.rint(MU + s + noise * rnd.nextGaussian());
        return new float[] {(float) Math.max(1, Math.min(5, r))};
    }

    /** 1 to min(3, genres) distinct genres. */
    private int[] genresOf(Random rnd) {
        int k = 1 + rnd.nextInt(Math.min(3, genres));
        int[] gs = new int[k];
        for (int j = 0; j < k; j++) {
            int g;
            boolean dup;
            do {
                g = rnd.nextInt(genres);
                dup = false;
                for (int m = 0; m < j; m++) {
                    dup |= gs[m] == g;
                }
            } while (dup);
            gs[j] = g;
        }
        Arrays.sort(gs);
        return gs;
    }

    /** The hashed input of an item: {@code item=<id>} and {@code genre=g<k>} each +-1 in its slot. */
    private float[] features(String id, int[] gs) {
        float[] x = new float[inputDim];
        add(x, "item=" + id);
        for (int g : gs) {
            add(x, "genre=" + genreName(g));
        }
        return x;
    }

    /** The name of genre {@code g} as hashed: {@code g0, g1, ...}. */
    public static String genreName(int g) {
        return "g" + g;
    }

    /** Adds a categorical feature as the input parser hashes it (value 1, signed by the hash's top bit). */
    static void add(float[] x, String name) {
        int h = FeatureHashing.murmur3(name);
        x[Math.floorMod(h, x.length)] += (h & 0x80000000) != 0 ? -1f : 1f;
    }

    private static int item(Random rnd, InputShift shift, double[] cumulative, long t) {
        double v = shift.uniform(rnd, 0, t) * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, v);
        return Math.min(cumulative.length - 1, i >= 0 ? i + 1 : -i - 1);
    }

    private static double[] gaussian(Random rnd, int n, double sd) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = sd * rnd.nextGaussian();
        }
        return v;
    }
}
