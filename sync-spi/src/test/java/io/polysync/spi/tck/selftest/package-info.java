/**
 * The compliance kit's own tests: kit parts run against storages with one deliberate bug each
 * (a feed that exposes sequence numbers out of order, a compare-and-set that never loses, repeated
 * timestamps, a duplicating or skipping feed, wrong query push-down, signals that stay in one
 * process, a journal that acknowledges before it flushes) must fail, and against a fault-free
 * wrapper must pass.
 */
package io.polysync.spi.tck.selftest;
