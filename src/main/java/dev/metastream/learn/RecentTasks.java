package dev.metastream.learn;

/**
 * Whether a task was read recently: the admission test of the learner's on-heap caches (task states and shift
 * monitors), after TinyLFU's "doorkeeper" (Einziger, Friedman and Manes, <i>TinyLFU: A Highly Efficient Cache Admission
 * Policy</i>, ACM Transactions on Storage 2017). A state read from the store enters a cache only when its task was read
 * within about the last {@code slots} reads; a task met once (most tasks, when there are millions of them and a few
 * examples each) is used and dropped, and dies young on the heap instead of being promoted with the cache and
 * collected from the old generation. With few tasks every task is read a second time soon, and is cached from then.
 *
 * <p>A direct-mapped table of 64-bit fingerprints: a read overwrites the slot its task hashes to, so a task's mark
 * lasts about {@code slots} reads of other tasks. A collision can only admit or refuse a state wrongly, which changes
 * the speed, never what is learned.
 * <pre>{@code
 * RecentTasks recent = new RecentTasks(20_000);
 * if (recent.seenAgain(task)) cache.put(task, state);
 * }</pre>
 */
final class RecentTasks {
    private final long[] fingerprints;
    private final int mask;

    /** @param reads about how many reads a task's mark outlasts (rounded up to a power of two, at least 64) */
    RecentTasks(int reads) {
        int n = Integer.highestOneBit(Math.max(64, Math.min(reads, 1 << 24)) - 1) << 1;
        this.fingerprints = new long[n];
        this.mask = n - 1;
    }

    /** Marks {@code task} as read and says whether it was marked already (read within the window). */
    boolean seenAgain(String task) {
        long h = fingerprint(task);
        int slot = (int) (h >>> 40) & mask;
        boolean seen = fingerprints[slot] == h;
        fingerprints[slot] = h;
        return seen;
    }

    private static long fingerprint(String task) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < task.length(); i++) {
            h = (h ^ task.charAt(i)) * 0x100000001B3L;
        }
        return Seeds.fmix(h) | 1L; // never 0, the empty slot
    }
}
