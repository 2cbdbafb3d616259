package io.polysync.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.Query;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One database: a namespace of the storage, with CouchDB's document semantics. Named after
 * CouchDB's term because that protocol defines most of the operations; the Kinto front-end maps a
 * (bucket, collection) to one database.
 *
 * <p>A handle is cheap and holds no state: getting one costs no storage call, and every operation
 * on a database that does not exist throws {@link EngineError#DATABASE_NOT_FOUND}. Thread-safe.
 * Failures are {@link io.polysync.spi.SyncException}s; per-document failures of batch calls are
 * reported in their results instead.
 */
public interface Database {
  String name();

  /** The counters, from one storage call. */
  DatabaseInfo info();

  /** The revision depth kept per document (CouchDB {@code _revs_limit}). */
  int revsLimit();

  void setRevsLimit(int limit);

  /**
   * A free metadata entry front-ends keep with the database, such as CouchDB's {@code _security}
   * as JSON text. Keys starting with {@code engine.} are the engine's own.
   */
  Optional<String> metadata(String key);

  void setMetadata(String key, String value);

  void removeMetadata(String key);

  /**
   * Who may use this database; {@link SecurityObject#EMPTY} (server administrators only) when none
   * was set or the database does not exist, so a missing database looks like a closed one to a
   * caller who may not use it.
   */
  SecurityObject security();

  /** Whether the security object was ever set (CouchDB shows {@code {}} otherwise). */
  boolean hasSecurity();

  /** @throws io.polysync.spi.SyncException {@link EngineError#DATABASE_NOT_FOUND} */
  void setSecurity(SecurityObject security);

  /**
   * This database as {@code user} sees it. On a database whose security object switches owned
   * documents on ({@link SecurityObject#owned()}), documents the handle creates belong to {@code
   * user}; unless {@code user} is an admin, the handle reads only the documents {@code user} owns or
   * is named a reader of (from per-user indexes, with their own sequence: see
   * docs/protocols/owned-documents.md), answers as if the others did not exist, and refuses writes
   * to documents {@code user} does not own with {@link EngineError#FORBIDDEN}. On other databases
   * the handle behaves as this one. The caller checks {@link #allows} first, as for this handle.
   */
  default Database forUser(UserContext user) {
    return this;
  }

  /**
   * Writes the owned-documents index entries that documents written since the last repair should
   * have and lack (a process that stopped between a document's write and its index's); the engine
   * runs it once per process per owned database on first use. Idempotent.
   *
   * @return how many documents it examined
   */
  default long repairOwnedIndex() {
    return 0;
  }

  /** Whether {@code user} has {@code permission} here, by {@link #security()}. */
  default boolean allows(UserContext user, Permission permission) {
    return user.isServerAdmin() || security().allows(user, permission);
  }

  /**
   * Writes one document with interactive edit semantics ({@code PUT /{db}/{id}}).
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#DOCUMENT_CONFLICT} and the other
   *     per-document codes
   */
  WriteOutcome.Ok put(ObjectNode doc);

  /** Writes one document in either edit mode; throws as {@link #put(ObjectNode)} does. */
  WriteOutcome.Ok put(DocumentWrite write, boolean newEdits);

  /** Deletes the leaf {@code rev}: a new deleted revision on top of it. */
  WriteOutcome.Ok delete(String id, String rev);

  /**
   * CouchDB's {@code _bulk_docs}: each document is written in request order, with one result per
   * document. With {@code newEdits} false each document's {@code _revisions} path is merged and
   * never conflicts. Documents whose id starts with {@code _local/} are written as local documents.
   */
  List<WriteOutcome> bulkDocs(List<DocumentWrite> docs, boolean newEdits);

  /**
   * One revision of a document: the winner, or {@code options.rev()}.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#DOCUMENT_NOT_FOUND} with message
   *     {@code missing} (never written, or no such revision) or {@code deleted} (the winner is
   *     deleted and no revision was named)
   */
  Document get(String id, ReadOptions options);

  /**
   * The winning revision of each id, deleted winners included (with {@code _deleted: true}), in
   * one storage read per batch of ids: what a front-end needs to check preconditions before a
   * batch of writes (Kinto's {@code If-Match}). Attachments are stubs.
   *
   * @return by id, only the ids that were ever written
   */
  Map<String, Document> winners(List<String> ids);

  /** {@code open_revs=[...]}: per requested revision, the document or missing; with {@code latest}, the leaves under it. */
  List<OpenRevResult> openRevs(String id, List<String> revs, ReadOptions options);

  /** {@code open_revs=all}: every leaf, deleted ones included, winner first. */
  List<OpenRevResult> openAllRevs(String id, ReadOptions options);

  /** CouchDB's {@code _revs_diff}: only documents with missing revisions appear in the answer. */
  Map<String, RevsDiff> revsDiff(Map<String, List<String>> revs);

  /** CouchDB's {@code _bulk_get}, one result per request, in request order. */
  List<BulkGetResult> bulkGet(List<BulkGetRequest> requests, ReadOptions options);

  AllDocsResult allDocs(AllDocsOptions options);

  /** A page of the changes feed; returns at once. */
  ChangesResult changes(ChangesOptions options);

  /**
   * A longpoll page: like {@link #changes(ChangesOptions)}, but when the page is empty waits up to
   * {@code timeout} for a write and reads again, until a row arrives or the time is up.
   */
  ChangesResult changes(ChangesOptions options, Duration timeout);

  /**
   * Blocks until the database's sequence passes {@code since} or {@code timeout} ends, woken by
   * the storage's change signals (no polling). Suits virtual threads.
   *
   * @return the latest sequence known; not above {@code since} when it timed out
   */
  long awaitChanges(long since, Duration timeout);

  /** The attachment {@code name} of the winning revision. */
  Attachment attachment(String id, String name);

  /** The attachment {@code name} of revision {@code rev}, winning or not. */
  Attachment attachment(String id, String name, String rev);

  /**
   * Adds or replaces one attachment in a new revision ({@code PUT /{db}/{id}/{name}}): on top of
   * the leaf {@code rev}, keeping its body and other attachments; with {@code rev} null, creates a
   * document holding only this attachment.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#DOCUMENT_CONFLICT} when {@code rev} is
   *     not a current leaf (or null while the document exists)
   */
  WriteOutcome.Ok putAttachment(String id, String rev, String name, String contentType, byte[] data);

  /**
   * Removes one attachment in a new revision on top of the leaf {@code rev}.
   *
   * @throws io.polysync.spi.SyncException {@link EngineError#ATTACHMENT_NOT_FOUND}, {@link
   *     EngineError#DOCUMENT_CONFLICT}
   */
  WriteOutcome.Ok deleteAttachment(String id, String rev, String name);

  /**
   * A local document ({@code _local/...}): the stored body with {@code _id} ({@code _local/...})
   * and {@code _rev} ({@code 0-N}). {@code id} may carry the {@code _local/} prefix or not.
   */
  Optional<ObjectNode> getLocal(String id);

  /**
   * Writes a local document. Its {@code _rev} must be the current one ({@code 0-N}), or absent when
   * the document does not exist; {@code _deleted: true} deletes it.
   *
   * @return the new revision {@code 0-N+1}
   * @throws io.polysync.spi.SyncException {@link EngineError#DOCUMENT_CONFLICT}; {@link
   *     EngineError#INVALID_DOCUMENT} when it has attachments
   */
  String putLocal(String id, ObjectNode doc);

  /** @throws io.polysync.spi.SyncException {@link EngineError#DOCUMENT_CONFLICT}, or {@link EngineError#DOCUMENT_NOT_FOUND} */
  void deleteLocal(String id, String rev);

  /**
   * Local documents in id order after {@code afterId} (without the {@code _local/} prefix; {@code
   * ""} for the start), at most {@code limit}, each as {@link #getLocal} reads it. For maintenance
   * such as backups, not the request path.
   *
   * @throws io.polysync.spi.SyncException {@link io.polysync.spi.StorageError#UNSUPPORTED_CAPABILITY}
   *     when the storage does not declare {@link io.polysync.spi.Capability#LOCAL_LISTING}
   */
  List<ObjectNode> localDocs(String afterId, int limit);

  /**
   * Runs a query over the winning bodies: pushed down to the storage when it can answer it,
   * otherwise evaluated by {@link io.polysync.spi.QueryEvaluator} over a scan in pages.
   */
  QueryResult query(Query query);
}
