package dev.metastream.learn;

/** {@link InMemoryLearnerStore} against the generic {@link LearnerStoreContract}. */
class InMemoryLearnerStoreTest extends LearnerStoreContract {

    @Override
    protected LearnerStore newStore() {
        return new InMemoryLearnerStore();
    }
}
