/**
 * Tests of what an operator installs: the distribution archive unpacked and started through its
 * launcher, and the OCI image taken apart and its entrypoint run from its own layers. Both run in
 * {@code mvn verify} after the package phase built them, and need no container engine.
 */
package io.polysync.distribution;
