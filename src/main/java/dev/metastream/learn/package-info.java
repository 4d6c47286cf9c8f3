/**
 * Numerical core of metastream: trunk/head networks over flat {@code float[]} parameters,
 * losses, optimisers, episodic memory and gradient projections (A-GEM, GEM).
 *
 * <p>The math runs in plain loops: at these sizes ND4J's fixed cost per call (a native buffer each) outweighs the
 * arithmetic. Only a trunk layer's batch product beyond {@code Trunk.GEMM_MIN_WORK} multiply-adds goes through ND4J's
 * gemm.
 */
package dev.metastream.learn;
