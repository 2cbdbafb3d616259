/**
 * The engine's implementation; not API, may change in any release.
 *
 * <p>{@link io.polysync.engine.internal.RevTree} holds a document's revision forest as a parent
 * map, which makes replicated merges order-independent; {@link io.polysync.engine.internal.Edits}
 * applies CouchDB's rules for both edit modes; {@link io.polysync.engine.internal.StateCodec} is
 * the one place the stored state format is decided; {@code DefaultDatabase} turns API calls into
 * batched storage calls (one read and one conditional write per batch, retried per document on a
 * lost compare-and-set); {@code Notifier} fans storage change signals out to waiting readers.
 *
 * <p>{@code SealedStorage} is the storage every engine call goes through: it seals document
 * states, local documents, blobs and metadata values with AES-256-GCM ({@code Aead}) under each
 * namespace's data key ({@code DataKeys}), which a {@link io.polysync.engine.KeyProvider} wraps;
 * {@code LocalKeys} is the key file and environment variable provider.
 */
package io.polysync.engine.internal;
