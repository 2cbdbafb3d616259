/**
 * The engine's implementation; not API, may change in any release.
 *
 * <p>{@link io.polysync.engine.internal.RevTree} holds a document's revision forest as a parent
 * map, which makes replicated merges order-independent; {@link io.polysync.engine.internal.Edits}
 * applies CouchDB's rules for both edit modes; {@link io.polysync.engine.internal.StateCodec} is
 * the one place the stored state format is decided; {@code DefaultDatabase} turns API calls into
 * batched storage calls (one read and one conditional write per batch, retried per document on a
 * lost compare-and-set); {@code Notifier} fans storage change signals out to waiting readers.
 */
package io.polysync.engine.internal;
