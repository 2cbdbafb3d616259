/**
 * Benchmarks that print figures. They live in their own module so nothing here reaches a library
 * jar; each runs every backend through one facade so the figures compare like with like. Run them
 * with {@code ./polysync bench storage}; docs/performance.md quotes their output.
 */
package io.polysync.bench;
