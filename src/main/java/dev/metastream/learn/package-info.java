/**
 * Numerical core of metastream: trunk/head networks over flat {@code float[]} parameters,
 * losses, optimisers, episodic memory and gradient projections (A-GEM, GEM).
 *
 * <p>Single-example paths use plain loops because ND4J's fixed per-op overhead dominates at
 * small sizes; only the batched trunk forward/backward goes through ND4J gemm.
 */
package dev.metastream.learn;
