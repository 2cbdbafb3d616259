/**
 * The sync engine's public API: {@link io.polysync.engine.SyncEngine} opens a storage and hands
 * out {@link io.polysync.engine.Database} handles, each one namespace of the storage, with the
 * operations of CouchDB's replication protocol expressed without HTTP (revision trees, bulk
 * writes in both edit modes, open_revs, revs_diff, bulk_get, all_docs, the changes feed and
 * waiting on it, local checkpoint documents, attachments) plus a backend-neutral query.
 *
 * <p>Document bodies cross the API as Jackson {@link com.fasterxml.jackson.databind.node.ObjectNode}s
 * shaped as CouchDB shapes them ({@code _id}, {@code _rev}, {@code _deleted}, {@code _attachments},
 * ...), because both front-ends already speak JSON and a second tree model would only add copies.
 * The engine never keeps or modifies an object node it was given, and the nodes it returns are
 * fresh. Failures are {@link io.polysync.spi.SyncException}s with an {@link
 * io.polysync.engine.EngineError} or {@link io.polysync.spi.StorageError} code.
 */
package io.polysync.engine;
