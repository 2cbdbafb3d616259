package io.polysync.engine.internal;

import static io.polysync.engine.internal.DefaultSyncEngine.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.AllDocsOptions;
import io.polysync.engine.SecurityObject;
import io.polysync.engine.UserContext;
import io.polysync.engine.AllDocsResult;
import io.polysync.engine.Attachment;
import io.polysync.engine.BulkGetRequest;
import io.polysync.engine.BulkGetResult;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.DatabaseInfo;
import io.polysync.engine.Document;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.EngineError;
import io.polysync.engine.OpenRevResult;
import io.polysync.engine.QueryResult;
import io.polysync.engine.ReadOptions;
import io.polysync.engine.RevsDiff;
import io.polysync.engine.WriteOutcome;
import io.polysync.spi.Capabilities;
import io.polysync.spi.Capability;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.JsonValue;
import io.polysync.spi.KeyRange;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Query;
import io.polysync.spi.QueryEvaluator;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** A database handle: stateless, all state lives in the storage and the shared engine. */
final class DefaultDatabase implements Database {
  /** Rows read per storage call when a scan has to go on (filtered feeds, all_docs, queries). */
  static final int PAGE = 500;
  /** The most ids a query may name for the engine to read just those when the storage cannot answer it. */
  static final int ID_LOOKUP_LIMIT = 10_000;

  private final DefaultSyncEngine engine;
  private final String name;
  private final Storage storage;
  /** Who acts through this handle (see {@link #forUser}); null for the engine's own handle. */
  private final UserContext actor;

  DefaultDatabase(DefaultSyncEngine engine, String name) {
    this(engine, name, null);
  }

  private DefaultDatabase(DefaultSyncEngine engine, String name, UserContext actor) {
    this.engine = engine;
    this.name = name;
    this.storage = engine.storage;
    this.actor = actor;
  }

  @Override
  public Database forUser(UserContext user) {
    java.util.Objects.requireNonNull(user, "user is null");
    return new DefaultDatabase(engine, name, user);
  }

  /** Whether this database's documents are owned (its security object says so). */
  private boolean owned() {
    return engine.security(name).map(SecurityObject::owned).orElse(false);
  }

  /**
   * Whether reads through this handle see only the actor's own and shared documents: an owned
   * database, read by a member who is not an admin. Checked per call, so a change of the security
   * object applies to handles already given out.
   */
  private boolean restricted() {
    if (actor == null) {
      return false;
    }
    Optional<SecurityObject> security = engine.security(name);
    return security.isPresent() && !security.get().seesEverything(actor);
  }

  /** Whether the actor may read a document with this tree. */
  private boolean readable(RevTree tree, boolean restricted) {
    return !restricted || (actor.authenticated() && OwnedIndex.audience(tree).contains(actor.name()));
  }

  @Override
  public String name() {
    return name;
  }

  private NamespaceInfo namespace() {
    RecentCache.Stamp stamp = engine.securities.stamp();
    Optional<NamespaceInfo> read = call(() -> storage.namespaces().get(name));
    // The snapshot carries the security object too; keeping it spares the next request's check.
    engine.rememberSecurity(name, read, stamp);
    NamespaceInfo ns = read.orElseThrow(DefaultSyncEngine::databaseNotFound);
    engine.remember(name, ns);
    return ns;
  }

  @Override
  public DatabaseInfo info() {
    NamespaceInfo ns = namespace();
    if (!restricted()) {
      return DefaultSyncEngine.info(ns);
    }
    // The actor's own counters: how many documents it reads, and its feed's sequence.
    if (!actor.authenticated()) {
      return new DatabaseInfo(ns.name(), 0, 0, 0, 0, ns.metadata());
    }
    NamespaceInfo index = ownedIndexInfo();
    return new DatabaseInfo(ns.name(), index.documentCount(), index.deletedCount(), index.lastSeq(),
        index.lastTimestamp(), ns.metadata());
  }

  @Override
  public long repairOwnedIndex() {
    namespace();
    return engine.repairOwned(name);
  }

  /**
   * The actor's index namespace, repaired once per process first; for a restricted handle of an
   * authenticated actor only (an anonymous one owns and reads nothing: its reads are empty).
   */
  private NamespaceInfo ownedIndexInfo() {
    engine.repairOwnedOnce(name);
    return engine.owned.info(name, actor.name());
  }

  /**
   * What a former reader gets for the removal revision of a document no longer shared with it (see
   * {@link OwnedIndex#removalRev}): a tombstone on top of the winner's history, so its replica drops
   * the document; empty for any other revision, or when the actor never had the document.
   */
  private Optional<Document> removal(StoredDocument sd, RevTree tree, Rev asked) {
    RevTree.Node winner = tree.winner();
    Rev removal = OwnedIndex.removalRev(winner.rev());
    if (!removal.equals(asked) || !actor.authenticated()) {
      return Optional.empty();
    }
    Optional<StoredDocument> entry;
    try {
      entry = engine.listings().get(OwnedIndex.namespace(name, actor.name()), sd.id());
    } catch (SyncException e) {
      if (e.errorCode() == StorageError.NAMESPACE_NOT_FOUND) {
        return Optional.empty();
      }
      throw DefaultSyncEngine.translate(e);
    }
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Document(tombstone(sd.id(), removal, tree.ancestry(winner.rev())), sd.seq(),
        sd.timestamp()));
  }

  private static ObjectNode tombstone(String id, Rev removal, List<Rev> ancestry) {
    ObjectNode json = Json.object().put("_id", id).put("_rev", removal.toString()).put("_deleted", true);
    ObjectNode revisions = json.putObject("_revisions");
    revisions.put("start", removal.gen());
    var ids = revisions.putArray("ids");
    ids.add(removal.hash());
    ancestry.forEach(r -> ids.add(r.hash()));
    return json;
  }

  @Override
  public int revsLimit() {
    return engine.remember(name, namespace());
  }

  @Override
  public void setRevsLimit(int limit) {
    if (limit < 1) {
      throw new SyncException(EngineError.BAD_REQUEST, "revs_limit must be a positive integer");
    }
    engine.remember(name, call(() -> storage.namespaces().putMetadata(name, DefaultSyncEngine.REVS_LIMIT_KEY,
        Integer.toString(limit))));
  }

  static final String SECURITY_KEY = "engine.security";

  @Override
  public Optional<String> metadata(String key) {
    return Optional.ofNullable(namespace().metadata().get(key));
  }

  @Override
  public void setMetadata(String key, String value) {
    checkMetadataKey(key);
    java.util.Objects.requireNonNull(value, "value is null");
    call(() -> storage.namespaces().putMetadata(name, key, value));
  }

  @Override
  public void removeMetadata(String key) {
    checkMetadataKey(key);
    call(() -> storage.namespaces().putMetadata(name, key, null));
  }

  @Override
  public SecurityObject security() {
    return engine.security(name).orElse(SecurityObject.EMPTY);
  }

  @Override
  public boolean hasSecurity() {
    return engine.security(name).isPresent();
  }

  @Override
  public void setSecurity(SecurityObject security) {
    String json;
    try {
      json = Json.MAPPER.writeValueAsString(security.toJson());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    call(() -> storage.namespaces().putMetadata(name, SECURITY_KEY, json));
    engine.securities.invalidate(name);
  }

  private static void checkMetadataKey(String key) {
    if (key == null || key.isEmpty() || key.startsWith("engine.")) {
      throw new SyncException(EngineError.BAD_REQUEST, "metadata keys starting with 'engine.' are reserved");
    }
  }

  // ---------------------------------------------------------------- writes

  @Override
  public WriteOutcome.Ok put(ObjectNode doc) {
    return put(DocumentWrite.of(doc), true);
  }

  @Override
  public WriteOutcome.Ok put(DocumentWrite write, boolean newEdits) {
    WriteOutcome outcome = bulkDocs(List.of(write), newEdits).get(0);
    return switch (outcome) {
      case WriteOutcome.Ok ok -> ok;
      case WriteOutcome.Failed failed -> throw failed.toException();
    };
  }

  @Override
  public WriteOutcome.Ok delete(String id, String rev) {
    ObjectNode doc = Json.object().put("_id", id).put("_rev", rev).put("_deleted", true);
    return put(doc);
  }

  @Override
  public List<WriteOutcome> bulkDocs(List<DocumentWrite> docs, boolean newEdits) {
    WriteOutcome[] out = new WriteOutcome[docs.size()];
    ParsedDoc[] parsed = new ParsedDoc[docs.size()];
    Map<String, List<Integer>> byId = new LinkedHashMap<>();
    for (int i = 0; i < docs.size(); i++) {
      ObjectNode doc = docs.get(i).doc();
      String id = doc.path("_id").isTextual() ? doc.get("_id").textValue() : null;
      if (id != null && id.startsWith(DocParser.LOCAL_PREFIX)) {
        out[i] = writeLocal(id, doc);
        continue;
      }
      try {
        parsed[i] = DocParser.parse(doc, null, docs.get(i).attachmentBytes(), newEdits);
        byId.computeIfAbsent(parsed[i].id(), k -> new ArrayList<>()).add(i);
      } catch (SyncException e) {
        out[i] = failed(id == null ? "" : id, doc.path("_rev").isTextual() ? doc.get("_rev").textValue() : null, e);
      }
    }
    if (!byId.isEmpty()) {
      int revsLimit = engine.revsLimit(name);
      List<String> ids = new ArrayList<>(byId.keySet());
      int max = storage.capabilities().maxBatchSize();
      for (int from = 0; from < ids.size(); from += max) {
        writeChunk(ids.subList(from, Math.min(ids.size(), from + max)), byId, parsed, out, newEdits, revsLimit);
      }
    }
    return List.of(out);
  }

  private WriteOutcome writeLocal(String id, ObjectNode doc) {
    try {
      return new WriteOutcome.Ok(id, putLocal(id, doc), 0, 0);
    } catch (SyncException e) {
      return failed(id, doc.path("_rev").isTextual() ? doc.get("_rev").textValue() : null, e);
    }
  }

  /**
   * Writes the documents {@code chunk} names: one getAll, one write; the ids whose compare-and-set
   * lost to a concurrent writer are re-read and all their edits re-applied to the fresh tree, so
   * an interactive edit is judged against what is really stored.
   */
  private void writeChunk(
      List<String> chunk, Map<String, List<Integer>> byId, ParsedDoc[] parsed, WriteOutcome[] out,
      boolean newEdits, int revsLimit) {
    Capabilities caps = storage.capabilities();
    // A sealed write carries no clear body for the adapter to index.
    boolean pushdown = caps.has(Capability.QUERY_PUSHDOWN) && !engine.sealsWrites();
    boolean owned = owned();
    boolean restricted = owned && restricted();
    Map<String, OwnedIndex.Change> indexChanges = new HashMap<>();
    List<String> pending = chunk;
    for (int attempt = 0; attempt < engine.options.maxWriteAttempts() && !pending.isEmpty(); attempt++) {
      List<String> ids = pending;
      Map<String, StoredDocument> stored = new HashMap<>();
      for (StoredDocument sd : call(() -> storage.documents().getAll(name, ids))) {
        stored.put(sd.id(), sd);
      }
      Map<Integer, String> okRevs = new HashMap<>();
      List<WriteItem> items = new ArrayList<>();
      Map<String, Set<String>> audiences = new HashMap<>();
      for (String id : ids) {
        StoredDocument sd = stored.get(id);
        RevTree tree = sd == null ? new RevTree() : engine.codec.decode(sd.state());
        if (owned) {
          Optional<SyncException> refused = checkOwner(sd, tree, restricted);
          if (refused.isPresent()) {
            failAll(id, byId, parsed, null, out, refused.get());
            continue;
          }
          audiences.put(id, sd == null ? Set.of() : OwnedIndex.audience(tree));
          if (sd == null && actor != null && actor.authenticated()) {
            tree.setOwner(actor.name());
          }
        }
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        boolean changed = false;
        Map<Integer, SyncException> errors = new HashMap<>();
        for (int i : byId.get(id)) {
          try {
            if (newEdits) {
              okRevs.put(i, Edits.applyInteractive(tree, parsed[i], blobs).toString());
              changed = true;
            } else {
              changed |= Edits.applyReplicated(tree, parsed[i], blobs);
              okRevs.put(i, parsed[i].rev().orElseThrow().toString());
            }
          } catch (SyncException e) {
            errors.put(i, e);
          }
        }
        errors.forEach((i, e) -> out[i] = failed(id, parsed[i], e));
        if (!changed) {
          for (int i : byId.get(id)) {
            if (okRevs.containsKey(i)) {
              out[i] = new WriteOutcome.Ok(id, okRevs.get(i), sd.seq(), sd.timestamp());
            }
          }
          continue;
        }
        if (owned && OwnedIndex.audience(tree).size() > OwnedIndex.MAX_READERS + 1) {
          failAll(id, byId, parsed, okRevs, out, new SyncException(EngineError.INVALID_DOCUMENT,
              "A document may name at most " + OwnedIndex.MAX_READERS + " readers."));
          continue;
        }
        tree.stem(revsLimit);
        byte[] state = engine.codec.encode(tree);
        if (sd != null && java.util.Arrays.equals(state, sd.state())) {
          // Replicated history the tree already had (re-added, then stemmed away again).
          for (int i : byId.get(id)) {
            if (okRevs.containsKey(i)) {
              out[i] = new WriteOutcome.Ok(id, okRevs.get(i), sd.seq(), sd.timestamp());
            }
          }
          continue;
        }
        if (state.length > caps.maxValueBytes()) {
          failAll(id, byId, parsed, okRevs, out, new SyncException(EngineError.DOCUMENT_TOO_LARGE, "Document too large"));
          continue;
        }
        try {
          storeBlobs(sd == null ? null : stored.get(id), blobs);
        } catch (SyncException e) {
          failAll(id, byId, parsed, okRevs, out, DefaultSyncEngine.translate(e));
          continue;
        }
        RevTree.Node winner = tree.winner();
        Optional<JsonValue.JsonObject> queryBody = pushdown && !winner.deleted()
            ? Optional.of(Json.toObject(winner.body().orElseGet(Json::object)))
            : Optional.empty();
        items.add(new WriteItem(id, winner.rev().toString(), winner.deleted(), state,
            sd == null ? 0 : sd.seq(), queryBody));
        if (owned) {
          indexChanges.put(id, new OwnedIndex.Change(id, audiences.get(id), OwnedIndex.audience(tree), winner.rev(),
              winner.deleted()));
        }
      }
      if (items.isEmpty()) {
        return;
      }
      List<WriteResult> results = call(() -> storage.documents().write(name, items));
      List<String> retry = new ArrayList<>();
      long committed = results.stream().filter(r -> r instanceof WriteResult.Written)
          .mapToLong(r -> ((WriteResult.Written) r).seq()).max().orElse(0);
      if (committed > 0) {
        engine.notifier.committed(name, committed);
      }
      List<OwnedIndex.Change> written = new ArrayList<>();
      for (WriteResult result : results) {
        String id = result.id();
        switch (result) {
          case WriteResult.Written w -> {
            if (owned) {
              written.add(indexChanges.get(id));
            }
            for (int i : byId.get(id)) {
              if (okRevs.containsKey(i)) {
                out[i] = new WriteOutcome.Ok(id, okRevs.get(i), w.seq(), w.timestamp());
              }
            }
          }
          case WriteResult.Conflict c -> retry.add(id);
          case WriteResult.Rejected r -> failAll(id, byId, parsed, okRevs, out, DefaultSyncEngine.translate(r.error()));
        }
      }
      if (!written.isEmpty()) {
        engine.indexOwned(name, written);
      }
      pending = retry;
    }
    for (String id : pending) {
      for (int i : byId.get(id)) {
        out[i] = failed(id, parsed[i], new SyncException(
            EngineError.DOCUMENT_CONFLICT, "Document update conflict: it kept changing concurrently."));
      }
    }
  }

  /**
   * On an owned database: a member who is not an admin writes only documents it created, and an
   * anonymous caller creates none (a document needs an owner). Said without telling whether the
   * document is readable by anyone.
   */
  private Optional<SyncException> checkOwner(StoredDocument sd, RevTree tree, boolean restricted) {
    if (!restricted) {
      return Optional.empty();
    }
    if (!actor.authenticated()) {
      return Optional.of(new SyncException(EngineError.FORBIDDEN, "Anonymous users cannot write owned documents."));
    }
    if (sd != null && !tree.owner().map(actor.name()::equals).orElse(false)) {
      return Optional.of(new SyncException(EngineError.FORBIDDEN, "You may not write this document."));
    }
    return Optional.empty();
  }

  /** Stores new attachment content, skipping bytes the stored document already references. */
  private void storeBlobs(StoredDocument previous, Map<String, byte[]> blobs) {
    if (blobs.isEmpty()) {
      return;
    }
    Set<String> known = new HashSet<>();
    if (previous != null) {
      for (RevTree.Node leaf : engine.codec.decode(previous.state()).leaves()) {
        leaf.attachments().values().forEach(m -> known.add(m.blobKey()));
      }
    }
    blobs.forEach((key, bytes) -> {
      if (!known.contains(key)) {
        storage.blobs().put(name, key, bytes);
      }
    });
  }

  private static void failAll(String id, Map<String, List<Integer>> byId, ParsedDoc[] parsed,
      Map<Integer, String> okRevs, WriteOutcome[] out, SyncException e) {
    for (int i : byId.get(id)) {
      if (okRevs == null || okRevs.containsKey(i)) {
        out[i] = failed(id, parsed[i], e);
      }
    }
  }

  private static WriteOutcome.Failed failed(String id, ParsedDoc doc, SyncException e) {
    return failed(id, doc.rev().map(Rev::toString).orElse(null), e);
  }

  private static WriteOutcome.Failed failed(String id, String rev, SyncException e) {
    return new WriteOutcome.Failed(id, Optional.ofNullable(rev), e.errorCode(), e.getMessage());
  }

  // ---------------------------------------------------------------- reads

  private Optional<StoredDocument> load(String id) {
    return call(() -> storage.documents().get(name, id));
  }

  private Map<String, StoredDocument> loadAll(List<String> ids) {
    Map<String, StoredDocument> out = new HashMap<>();
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
    int max = storage.capabilities().maxBatchSize();
    for (int from = 0; from < distinct.size(); from += max) {
      List<String> part = distinct.subList(from, Math.min(distinct.size(), from + max));
      for (StoredDocument sd : call(() -> storage.documents().getAll(name, part))) {
        out.put(sd.id(), sd);
      }
    }
    return out;
  }

  private Function<String, byte[]> blobReader() {
    return key -> call(() -> storage.blobs().get(name, key)).orElseThrow(() -> new SyncException(
        EngineError.CORRUPT_STATE, "attachment content " + key + " is missing from the blob store"));
  }

  private Document render(StoredDocument sd, RevTree tree, RevTree.Node node, ReadOptions options) {
    return new Document(DocRenderer.render(sd.id(), tree, node, options, sd.seq(), blobReader()),
        sd.seq(), sd.timestamp());
  }

  /** The winner of a tree decoded for this call alone, which the document may share values with. */
  private Document renderDiscarding(StoredDocument sd, RevTree tree) {
    return new Document(
        DocRenderer.render(sd.id(), tree, tree.winner(), ReadOptions.defaults(), sd.seq(), blobReader(), false),
        sd.seq(), sd.timestamp());
  }

  /** A stored document with its decoded tree and one revision of it that still has a body. */
  private record Revision(StoredDocument stored, RevTree tree, RevTree.Node node) {}

  /**
   * The revision {@code rev} of {@code id}, or its winner: not found ("missing") when the document
   * or a body for that revision is absent, ("deleted") when no revision was named and the winner
   * is a deletion.
   */
  private Revision revision(String id, Optional<Rev> rev) {
    StoredDocument sd = load(id).orElseThrow(() -> DocRenderer.notFound("missing"));
    RevTree tree = engine.codec.decode(sd.state());
    if (!readable(tree, restricted())) {
      throw DocRenderer.notFound("missing");
    }
    RevTree.Node node;
    if (rev.isPresent()) {
      node = tree.node(rev.get()).filter(n -> n.body().isPresent())
          .orElseThrow(() -> DocRenderer.notFound("missing"));
    } else {
      node = tree.winner();
      if (node.deleted()) {
        throw DocRenderer.notFound("deleted");
      }
    }
    return new Revision(sd, tree, node);
  }

  @Override
  public Document get(String id, ReadOptions options) {
    if (id.startsWith(DocParser.LOCAL_PREFIX)) {
      return getLocal(id).map(json -> new Document(json, 0, 0)).orElseThrow(() -> DocRenderer.notFound("missing"));
    }
    Revision found = revision(id, options.rev().map(Rev::parse));
    return render(found.stored(), found.tree(), found.node(), options);
  }

  @Override
  public Map<String, Document> winners(List<String> ids) {
    Map<String, Document> out = new LinkedHashMap<>();
    Map<String, StoredDocument> stored = loadAll(ids);
    boolean restricted = restricted();
    for (String id : ids) {
      StoredDocument sd = stored.get(id);
      if (sd != null && !out.containsKey(id)) {
        RevTree tree = engine.codec.decode(sd.state());
        if (!readable(tree, restricted)) {
          continue;
        }
        out.put(id, render(sd, tree, tree.winner(), ReadOptions.defaults()));
      }
    }
    return out;
  }

  @Override
  public List<OpenRevResult> openRevs(String id, List<String> revs, ReadOptions options) {
    List<Rev> parsedRevs = revs.stream().map(Rev::parse).toList();
    Optional<StoredDocument> sd = load(id);
    if (sd.isEmpty()) {
      return parsedRevs.stream().<OpenRevResult>map(r -> new OpenRevResult.Missing(r.toString())).toList();
    }
    RevTree tree = engine.codec.decode(sd.get().state());
    if (!readable(tree, restricted())) {
      return parsedRevs.stream().<OpenRevResult>map(r -> removal(sd.get(), tree, r)
          .<OpenRevResult>map(OpenRevResult.Found::new).orElseGet(() -> new OpenRevResult.Missing(r.toString())))
          .toList();
    }
    List<OpenRevResult> out = new ArrayList<>();
    Set<Rev> seen = new HashSet<>();
    for (Rev r : parsedRevs) {
      List<RevTree.Node> found = options.latest()
          ? tree.leavesUnder(r)
          : tree.node(r).filter(n -> n.body().isPresent()).map(List::of).orElse(List.of());
      if (found.isEmpty()) {
        out.add(new OpenRevResult.Missing(r.toString()));
      }
      for (RevTree.Node n : found) {
        if (seen.add(n.rev())) {
          out.add(new OpenRevResult.Found(render(sd.get(), tree, n, options)));
        }
      }
    }
    return out;
  }

  @Override
  public List<OpenRevResult> openAllRevs(String id, ReadOptions options) {
    StoredDocument sd = load(id).orElseThrow(() -> DocRenderer.notFound("missing"));
    RevTree tree = engine.codec.decode(sd.state());
    if (!readable(tree, restricted())) {
      return removal(sd, tree, OwnedIndex.removalRev(tree.winner().rev()))
          .<List<OpenRevResult>>map(d -> List.of(new OpenRevResult.Found(d)))
          .orElseThrow(() -> DocRenderer.notFound("missing"));
    }
    return tree.leaves().stream().<OpenRevResult>map(n -> new OpenRevResult.Found(render(sd, tree, n, options)))
        .toList();
  }

  @Override
  public Map<String, RevsDiff> revsDiff(Map<String, List<String>> revs) {
    Map<String, StoredDocument> stored = loadAll(new ArrayList<>(revs.keySet()));
    Map<String, RevsDiff> out = new LinkedHashMap<>();
    boolean restricted = restricted();
    revs.forEach((id, list) -> {
      List<Rev> asked = new ArrayList<>(new LinkedHashSet<>(list.stream().map(Rev::parse).toList()));
      StoredDocument sd = stored.get(id);
      RevTree tree = sd == null ? null : engine.codec.decode(sd.state());
      // A document the actor may not read is answered as absent: every revision is missing, except
      // the removal revision a former reader got (so its two-way sync does not push it back).
      if (sd == null || !readable(tree, restricted)) {
        List<String> missing = asked.stream()
            .filter(r -> sd == null || removal(sd, tree, r).isEmpty()).map(Rev::toString).toList();
        if (!missing.isEmpty()) {
          out.put(id, new RevsDiff(missing, List.of()));
        }
        return;
      }
      List<Rev> missing = asked.stream().filter(r -> !tree.contains(r)).toList();
      if (missing.isEmpty()) {
        return;
      }
      long highest = missing.stream().mapToLong(Rev::gen).max().orElseThrow();
      // CouchDB's find_missing: a leaf older than some missing revision may be its ancestor.
      List<String> ancestors = tree.leaves().stream().map(RevTree.Node::rev).filter(l -> l.gen() < highest)
          .map(Rev::toString).toList();
      out.put(id, new RevsDiff(missing.stream().map(Rev::toString).toList(), ancestors));
    });
    return out;
  }

  @Override
  public List<BulkGetResult> bulkGet(List<BulkGetRequest> requests, ReadOptions options) {
    Map<String, StoredDocument> stored = loadAll(requests.stream().map(BulkGetRequest::id).toList());
    List<BulkGetResult> out = new ArrayList<>(requests.size());
    boolean restricted = restricted();
    for (BulkGetRequest request : requests) {
      out.add(new BulkGetResult(request.id(), bulkGetOne(request, stored.get(request.id()), options, restricted)));
    }
    return out;
  }

  private List<OpenRevResult> bulkGetOne(BulkGetRequest request, StoredDocument sd, ReadOptions options,
      boolean restricted) {
    String id = request.id();
    List<String> attsSince = new ArrayList<>(options.attsSince());
    attsSince.addAll(request.attsSince());
    ReadOptions opts = options.withAttsSince(attsSince);
    if (sd == null) {
      return List.of(notFound(id, request.rev(), "missing"));
    }
    try {
      RevTree tree = engine.codec.decode(sd.state());
      if (!readable(tree, restricted)) {
        Optional<Document> removed = request.rev().isEmpty()
            ? Optional.empty()
            : removal(sd, tree, Rev.parse(request.rev().get()));
        return removed.<List<OpenRevResult>>map(d -> List.of(new OpenRevResult.Found(d)))
            .orElseGet(() -> List.of(notFound(id, request.rev(), "missing")));
      }
      if (request.rev().isEmpty()) {
        RevTree.Node winner = tree.winner();
        return winner.deleted()
            ? List.of(notFound(id, request.rev(), "deleted"))
            : List.of(new OpenRevResult.Found(render(sd, tree, winner, opts)));
      }
      Rev rev = Rev.parse(request.rev().get());
      List<RevTree.Node> found = options.latest()
          ? tree.leavesUnder(rev)
          : tree.node(rev).filter(n -> n.body().isPresent()).map(List::of).orElse(List.of());
      if (found.isEmpty()) {
        return List.of(notFound(id, request.rev(), "missing"));
      }
      return found.stream().<OpenRevResult>map(n -> new OpenRevResult.Found(render(sd, tree, n, opts))).toList();
    } catch (SyncException e) {
      if (e.errorCode() == EngineError.INVALID_REVISION) {
        return List.of(new OpenRevResult.Failed(id, request.rev(), e.errorCode(), e.getMessage()));
      }
      throw e;
    }
  }

  private static OpenRevResult notFound(String id, Optional<String> rev, String reason) {
    return new OpenRevResult.Failed(id, rev, EngineError.DOCUMENT_NOT_FOUND, reason);
  }

  @Override
  public AllDocsResult allDocs(AllDocsOptions options) {
    if (restricted()) {
      return ownedAllDocs(options);
    }
    NamespaceInfo ns = namespace();
    ReadOptions docOptions = ReadOptions.defaults().withConflicts(options.conflicts())
        .withAttachments(options.attachments());
    List<AllDocsResult.Row> rows = new ArrayList<>();
    if (options.keys().isPresent()) {
      List<String> keys = options.keys().get();
      Map<String, StoredDocument> stored = loadAll(keys);
      long end = Math.min((long) keys.size(), (long) options.skip() + options.limit());
      for (int i = options.skip(); i < end; i++) {
        String key = keys.get(i);
        StoredDocument sd = stored.get(key);
        if (sd == null) {
          rows.add(new AllDocsResult.Row(key, Optional.empty(), false, Optional.empty(), Optional.of("not_found")));
        } else {
          rows.add(row(sd, options.includeDocs() && !sd.deleted(), docOptions));
        }
      }
    } else {
      long need = Math.min((long) options.skip() + options.limit(), Integer.MAX_VALUE);
      List<StoredDocument> found = new ArrayList<>();
      Optional<String> start = options.startKey();
      String lastId = null;
      while (found.size() < need) {
        int want = (int) Math.min(PAGE, need - found.size());
        int ask = lastId == null ? want : want + 1;
        KeyRange range = new KeyRange(
            start, options.endKey(), options.inclusiveEnd(), options.descending(), false, ask);
        List<StoredDocument> page = call(() -> (options.includeDocs() ? storage.documents() : engine.listings())
            .range(name, range));
        int taken = 0;
        for (StoredDocument sd : page) {
          if (sd.id().equals(lastId)) {
            continue;
          }
          if (found.size() < need) {
            found.add(sd);
            taken++;
          }
        }
        if (page.size() < ask || taken == 0) {
          break;
        }
        lastId = found.get(found.size() - 1).id();
        start = Optional.of(lastId);
      }
      for (int i = options.skip(); i < found.size(); i++) {
        rows.add(row(found.get(i), options.includeDocs(), docOptions));
      }
    }
    return new AllDocsResult(ns.documentCount(), options.skip(), rows, ns.lastSeq());
  }

  private AllDocsResult.Row row(StoredDocument sd, boolean includeDoc, ReadOptions docOptions) {
    Optional<ObjectNode> doc = Optional.empty();
    if (includeDoc) {
      RevTree tree = engine.codec.decode(sd.state());
      doc = Optional.of(render(sd, tree, tree.winner(), docOptions).json());
    }
    return new AllDocsResult.Row(sd.id(), Optional.of(sd.winningRev()), sd.deleted(), doc, Optional.empty());
  }

  // ---------------------------------------------------------------- changes

  @Override
  public ChangesResult changes(ChangesOptions options) {
    if (restricted()) {
      return ownedChanges(options);
    }
    Optional<Query.Filter> filter = options.selector().map(SelectorTranslator::translate);
    if (options.limit() == 0) {
      return new ChangesResult(List.of(), options.since(), OptionalLong.empty());
    }
    Optional<Set<String>> docIds = options.docIds().map(HashSet::new);
    if (filter.isPresent() && !options.descending() && storage.capabilities().has(Capability.QUERY_PUSHDOWN)) {
      Optional<ChangesResult> pushed = pushedDownChanges(options, filter.get());
      if (pushed.isPresent()) {
        return pushed.get();
      }
    }
    boolean filtered = filter.isPresent() || docIds.isPresent();
    boolean needTree = filter.isPresent() || options.includeDocs()
        || options.style() == ChangesOptions.Style.ALL_DOCS;
    ReadOptions docOptions = ReadOptions.defaults().withConflicts(options.conflicts())
        .withAttachments(options.attachments());
    List<ChangesResult.Row> rows = new ArrayList<>();
    long lastSeq = options.since();
    long cursor = options.descending() ? Long.MAX_VALUE : options.since();
    boolean reachedEnd = false;
    scan:
    while (true) {
      int want = filtered ? PAGE : Math.min(PAGE, options.limit() - rows.size());
      long from = cursor;
      ChangesRange range = options.descending()
          ? new ChangesRange(options.since(), from, true, want)
          : new ChangesRange(from, Long.MAX_VALUE, false, want);
      if (options.descending() && from <= options.since() + 1) {
        reachedEnd = true;
        break;
      }
      // Without bodies the feed needs only the clear columns: the states stay sealed, unread.
      List<StoredDocument> page = call(() -> (needTree ? storage.documents() : engine.listings()).changes(name, range));
      for (int i = 0; i < page.size(); i++) {
        StoredDocument sd = page.get(i);
        lastSeq = sd.seq();
        cursor = sd.seq();
        if (docIds.isEmpty() || docIds.get().contains(sd.id())) {
          changeRow(sd, needTree, filter, options, docOptions).ifPresent(rows::add);
        }
        if (rows.size() >= options.limit()) {
          reachedEnd = i == page.size() - 1 && page.size() < want;
          break scan;
        }
      }
      if (page.size() < want) {
        reachedEnd = true;
        break;
      }
    }
    return new ChangesResult(rows, lastSeq, reachedEnd ? OptionalLong.of(0) : OptionalLong.empty());
  }

  /**
   * A selector-filtered page answered by the storage's query push-down, so that a selective feed
   * over a large database does not decode every document. The newest visible sequence is read
   * first: once it is visible no lower sequence can appear later (the SPI's first invariant), so
   * when the query returns less than a full page, the feed may advance to it even though the rows
   * in between did not match.
   */
  private Optional<ChangesResult> pushedDownChanges(ChangesOptions options, Query.Filter selector) {
    long since = options.since();
    List<StoredDocument> newest = call(() -> engine.listings().changes(
        name, new ChangesRange(since, Long.MAX_VALUE, true, 1)));
    long visible = newest.isEmpty() ? since : newest.get(0).seq();
    List<Query.Filter> parts = new ArrayList<>();
    parts.add(new Query.Filter.Compare(Query.Field.seq(), Query.Op.GT, JsonValue.JsonNumber.of(since)));
    parts.add(selector);
    options.docIds().ifPresent(ids -> parts.add(ids.isEmpty()
        ? new Query.Filter.Or(List.of())
        : new Query.Filter.In(Query.Field.id(), ids.stream().<JsonValue>map(JsonValue.JsonString::new).toList())));
    int want = Math.min(options.limit(), PAGE);
    Query query = new Query(new Query.Filter.And(parts),
        List.of(new Query.SortKey(Query.Field.seq(), false)), Optional.empty(), want, true);
    Optional<List<StoredDocument>> answer = call(() -> storage.queries().query(name, query));
    if (answer.isEmpty()) {
      return Optional.empty();
    }
    ReadOptions docOptions = ReadOptions.defaults().withConflicts(options.conflicts())
        .withAttachments(options.attachments());
    List<ChangesResult.Row> rows = new ArrayList<>();
    long last = since;
    for (StoredDocument sd : answer.get()) {
      changeRow(sd, true, Optional.empty(), options, docOptions).ifPresent(rows::add);
      last = Math.max(last, sd.seq());
    }
    if (answer.get().size() == want) {
      return Optional.of(new ChangesResult(rows, last, OptionalLong.empty()));
    }
    return Optional.of(new ChangesResult(rows, Math.max(last, visible), OptionalLong.of(0)));
  }

  private Optional<ChangesResult.Row> changeRow(StoredDocument sd, boolean needTree,
      Optional<Query.Filter> filter, ChangesOptions options, ReadOptions docOptions) {
    if (!needTree) {
      return Optional.of(new ChangesResult.Row(sd.seq(), sd.id(), List.of(sd.winningRev()), sd.deleted(),
          sd.timestamp(), Optional.empty()));
    }
    RevTree tree = engine.codec.decode(sd.state());
    RevTree.Node winner = tree.winner();
    if (filter.isPresent()) {
      JsonValue.JsonObject body = winner.deleted()
          ? JsonValue.JsonObject.empty()
          : Json.toObject(winner.body().orElseGet(Json::object));
      var candidate = new QueryEvaluator.Candidate(sd.id(), sd.seq(), sd.timestamp(), winner.deleted(), body);
      if (!QueryEvaluator.matches(filter.get(), candidate)) {
        return Optional.empty();
      }
    }
    List<String> revs = options.style() == ChangesOptions.Style.ALL_DOCS
        ? tree.leaves().stream().map(n -> n.rev().toString()).toList()
        : List.of(winner.rev().toString());
    Optional<ObjectNode> doc = options.includeDocs()
        ? Optional.of(render(sd, tree, winner, docOptions).json())
        : Optional.empty();
    return Optional.of(new ChangesResult.Row(sd.seq(), sd.id(), revs, winner.deleted(), sd.timestamp(), doc));
  }

  @Override
  public ChangesResult changes(ChangesOptions options, Duration timeout) {
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
    ChangesOptions current = options;
    while (true) {
      ChangesResult result = changes(current);
      long remaining = deadline - System.nanoTime();
      if (!result.results().isEmpty() || remaining <= 0 || options.descending()) {
        return result;
      }
      long seen = awaitChanges(result.lastSeq(), Duration.ofNanos(remaining));
      if (seen <= result.lastSeq()) {
        return result;
      }
      current = current.withSince(result.lastSeq());
    }
  }

  @Override
  public long awaitChanges(long since, Duration timeout) {
    if (restricted()) {
      if (!actor.authenticated()) {
        // Nothing can ever appear for an anonymous caller: wait out the time, as for a quiet feed.
        namespace();
        try {
          Thread.sleep(timeout);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return since;
      }
      ownedIndexInfo();
      String index = OwnedIndex.namespace(name, actor.name());
      return call(() -> engine.notifier.await(index, since, timeout, () -> ownedIndexInfo().lastSeq()));
    }
    return call(() -> engine.notifier.await(name, since, timeout, () -> namespace().lastSeq()));
  }

  // ---------------------------------------------------------------- owned reads

  /**
   * {@code _all_docs} for a restricted actor: a range over its index (ids in order, removals and
   * deletions left out), each entry checked against the document as stored.
   */
  private AllDocsResult ownedAllDocs(AllDocsOptions options) {
    if (!actor.authenticated()) {
      return new AllDocsResult(0, options.skip(), List.of(), 0);
    }
    NamespaceInfo index = ownedIndexInfo();
    ReadOptions docOptions = ReadOptions.defaults().withConflicts(options.conflicts())
        .withAttachments(options.attachments());
    List<AllDocsResult.Row> rows = new ArrayList<>();
    if (options.keys().isPresent()) {
      List<String> keys = options.keys().get();
      Map<String, StoredDocument> stored = loadAll(keys);
      long end = Math.min((long) keys.size(), (long) options.skip() + options.limit());
      for (int i = options.skip(); i < end; i++) {
        String key = keys.get(i);
        StoredDocument sd = stored.get(key);
        RevTree tree = sd == null ? null : engine.codec.decode(sd.state());
        if (sd == null || !readable(tree, true)) {
          rows.add(new AllDocsResult.Row(key, Optional.empty(), false, Optional.empty(), Optional.of("not_found")));
        } else {
          rows.add(row(sd, tree, options.includeDocs() && !sd.deleted(), docOptions));
        }
      }
      return new AllDocsResult(index.documentCount(), options.skip(), rows, index.lastSeq());
    }
    long need = Math.min((long) options.skip() + options.limit(), Integer.MAX_VALUE);
    List<AllDocsResult.Row> found = new ArrayList<>();
    Optional<String> start = options.startKey();
    String lastId = null;
    while (found.size() < need) {
      int ask = lastId == null ? PAGE : PAGE + 1;
      KeyRange range = new KeyRange(start, options.endKey(), options.inclusiveEnd(), options.descending(), false, ask);
      List<StoredDocument> page = call(() -> engine.listings().range(index.name(), range));
      List<String> ids = new ArrayList<>();
      for (StoredDocument entry : page) {
        if (!entry.id().equals(lastId)) {
          ids.add(entry.id());
        }
      }
      Map<String, StoredDocument> stored = loadAll(ids);
      for (String id : ids) {
        StoredDocument sd = stored.get(id);
        if (sd == null || sd.deleted() || found.size() >= need) {
          continue;
        }
        RevTree tree = engine.codec.decode(sd.state());
        if (readable(tree, true)) {
          found.add(row(sd, tree, options.includeDocs(), docOptions));
        }
      }
      if (page.size() < ask || ids.isEmpty()) {
        break;
      }
      lastId = ids.get(ids.size() - 1);
      start = Optional.of(lastId);
    }
    for (int i = options.skip(); i < found.size(); i++) {
      rows.add(found.get(i));
    }
    return new AllDocsResult(index.documentCount(), options.skip(), rows, index.lastSeq());
  }

  private AllDocsResult.Row row(StoredDocument sd, RevTree tree, boolean includeDoc, ReadOptions docOptions) {
    Optional<ObjectNode> doc = includeDoc
        ? Optional.of(render(sd, tree, tree.winner(), docOptions).json())
        : Optional.empty();
    return new AllDocsResult.Row(sd.id(), Optional.of(sd.winningRev()), sd.deleted(), doc, Optional.empty());
  }

  /**
   * The changes feed of a restricted actor: its index's own sequence, each entry rendered from the
   * document as stored now: the document when the actor may read it, otherwise (a document no
   * longer shared with it) a deletion at the removal revision, so its replica drops the document.
   * A {@code since} beyond the index's sequence (a checkpoint from before the database was owned,
   * or from the database's own sequence) starts again from 0, which a replication absorbs.
   */
  private ChangesResult ownedChanges(ChangesOptions options) {
    if (!actor.authenticated()) {
      namespace();
      return new ChangesResult(List.of(), 0, OptionalLong.of(0));
    }
    NamespaceInfo index = ownedIndexInfo();
    long since = options.since() > index.lastSeq() ? 0 : options.since();
    if (options.limit() == 0) {
      return new ChangesResult(List.of(), since, OptionalLong.empty());
    }
    Optional<Query.Filter> filter = options.selector().map(SelectorTranslator::translate);
    Optional<Set<String>> docIds = options.docIds().map(HashSet::new);
    ReadOptions docOptions = ReadOptions.defaults().withConflicts(options.conflicts())
        .withAttachments(options.attachments());
    List<ChangesResult.Row> rows = new ArrayList<>();
    long lastSeq = since;
    long cursor = options.descending() ? Long.MAX_VALUE : since;
    boolean reachedEnd = false;
    scan:
    while (true) {
      if (options.descending() && cursor <= since + 1) {
        reachedEnd = true;
        break;
      }
      ChangesRange range = options.descending()
          ? new ChangesRange(since, cursor, true, PAGE)
          : new ChangesRange(cursor, Long.MAX_VALUE, false, PAGE);
      List<StoredDocument> page = call(() -> engine.listings().changes(index.name(), range));
      Map<String, StoredDocument> stored = loadAll(page.stream().map(StoredDocument::id).toList());
      for (int i = 0; i < page.size(); i++) {
        StoredDocument entry = page.get(i);
        lastSeq = entry.seq();
        cursor = entry.seq();
        StoredDocument sd = stored.get(entry.id());
        if (sd != null && (docIds.isEmpty() || docIds.get().contains(sd.id()))) {
          ownedRow(entry.seq(), sd, filter, options, docOptions).ifPresent(rows::add);
        }
        if (rows.size() >= options.limit()) {
          reachedEnd = i == page.size() - 1 && page.size() < PAGE;
          break scan;
        }
      }
      if (page.size() < PAGE) {
        reachedEnd = true;
        break;
      }
    }
    return new ChangesResult(rows, lastSeq, reachedEnd ? OptionalLong.of(0) : OptionalLong.empty());
  }

  private Optional<ChangesResult.Row> ownedRow(long seq, StoredDocument sd, Optional<Query.Filter> filter,
      ChangesOptions options, ReadOptions docOptions) {
    RevTree tree = engine.codec.decode(sd.state());
    if (readable(tree, true)) {
      return changeRow(sd, true, filter, options, docOptions)
          .map(r -> new ChangesResult.Row(seq, r.id(), r.changes(), r.deleted(), r.timestamp(), r.doc()));
    }
    if (filter.isPresent()) {
      var candidate = new QueryEvaluator.Candidate(sd.id(), sd.seq(), sd.timestamp(), true,
          JsonValue.JsonObject.empty());
      if (!QueryEvaluator.matches(filter.get(), candidate)) {
        return Optional.empty();
      }
    }
    Rev winner = tree.winner().rev();
    Rev removal = OwnedIndex.removalRev(winner);
    Optional<ObjectNode> doc = options.includeDocs()
        ? Optional.of(tombstone(sd.id(), removal, tree.ancestry(winner)))
        : Optional.empty();
    return Optional.of(new ChangesResult.Row(seq, sd.id(), List.of(removal.toString()), true, sd.timestamp(), doc));
  }

  /** Mango for a restricted actor: evaluated over the documents of its index only. */
  private QueryResult ownedQuery(Query query) {
    if (!actor.authenticated()) {
      return new QueryResult(List.of(), Optional.empty());
    }
    NamespaceInfo index = ownedIndexInfo();
    Map<String, StoredDocument> stored = new HashMap<>();
    Map<String, RevTree> trees = new HashMap<>();
    List<QueryEvaluator.Candidate> candidates = new ArrayList<>();
    Optional<String> start = Optional.empty();
    String lastId = null;
    while (true) {
      int ask = lastId == null ? PAGE : PAGE + 1;
      KeyRange range = new KeyRange(start, Optional.empty(), true, false, query.includeDeleted(), ask);
      List<StoredDocument> page = call(() -> engine.listings().range(index.name(), range));
      String skip = lastId;
      List<String> ids = page.stream().map(StoredDocument::id).filter(id -> !id.equals(skip)).toList();
      for (StoredDocument sd : loadAll(ids).values()) {
        RevTree tree = engine.codec.decode(sd.state());
        if (readable(tree, true)) {
          stored.put(sd.id(), sd);
          trees.put(sd.id(), tree);
          RevTree.Node winner = tree.winner();
          JsonValue.JsonObject body = winner.deleted()
              ? JsonValue.JsonObject.empty()
              : Json.toObject(winner.body().orElseGet(Json::object));
          candidates.add(new QueryEvaluator.Candidate(sd.id(), sd.seq(), sd.timestamp(), winner.deleted(), body));
        }
      }
      if (page.size() < ask || ids.isEmpty()) {
        break;
      }
      lastId = ids.get(ids.size() - 1);
      start = Optional.of(lastId);
    }
    List<QueryEvaluator.Candidate> best = QueryEvaluator.evaluate(query, candidates);
    List<Document> docs = new ArrayList<>(best.size());
    for (QueryEvaluator.Candidate c : best) {
      docs.add(renderDiscarding(stored.get(c.id()), trees.get(c.id())));
    }
    Optional<Query.Cursor> next = best.size() == query.limit() && !best.isEmpty()
        ? Optional.of(QueryEvaluator.cursorAfter(query.sort(), best.get(best.size() - 1)))
        : Optional.empty();
    return new QueryResult(docs, next);
  }

  // ---------------------------------------------------------------- attachments

  @Override
  public Attachment attachment(String id, String attachmentName) {
    return attachment(id, attachmentName, Optional.empty());
  }

  @Override
  public Attachment attachment(String id, String attachmentName, String rev) {
    return attachment(id, attachmentName, Optional.of(Rev.parse(rev)));
  }

  private Attachment attachment(String id, String attachmentName, Optional<Rev> rev) {
    Revision found = revision(id, rev);
    StoredDocument sd = found.stored();
    RevTree tree = found.tree();
    RevTree.Node node = found.node();
    AttachmentMeta meta = node.attachments().get(attachmentName);
    if (meta == null) {
      throw new SyncException(EngineError.ATTACHMENT_NOT_FOUND, "Document is missing attachment");
    }
    byte[] data = blobReader().apply(meta.blobKey());
    return new Attachment(attachmentName, meta.contentType(), data, meta.encoding(), meta.digest(), meta.length(),
        meta.revpos());
  }

  @Override
  public WriteOutcome.Ok putAttachment(String id, String rev, String attachmentName, String contentType, byte[] data) {
    ObjectNode doc = rev == null ? Json.object().put("_id", id) : leafForEdit(id, rev);
    doc.withObject("_attachments").putObject(attachmentName).put("follows", true).put("content_type", contentType);
    return put(new DocumentWrite(doc, Map.of(attachmentName, data)), true);
  }

  @Override
  public WriteOutcome.Ok deleteAttachment(String id, String rev, String attachmentName) {
    ObjectNode doc = leafForEdit(id, rev);
    JsonNode atts = doc.get("_attachments");
    if (atts == null || !atts.has(attachmentName)) {
      throw new SyncException(EngineError.ATTACHMENT_NOT_FOUND, "Document is missing attachment");
    }
    ((ObjectNode) atts).remove(attachmentName);
    return put(doc);
  }

  /** The leaf {@code rev} as a document to edit (attachments as stubs); a conflict if it is not a leaf. */
  private ObjectNode leafForEdit(String id, String rev) {
    Rev parsed = Rev.parse(rev);
    StoredDocument sd = load(id).orElseThrow(Edits::conflict);
    RevTree tree = engine.codec.decode(sd.state());
    if (!tree.isLeaf(parsed)) {
      throw Edits.conflict();
    }
    ObjectNode doc = render(sd, tree, tree.node(parsed).orElseThrow(), ReadOptions.defaults()).json();
    doc.remove("_deleted");
    return doc;
  }

  // ---------------------------------------------------------------- local documents

  private static String localId(String id) {
    String local = id.startsWith(DocParser.LOCAL_PREFIX) ? id.substring(DocParser.LOCAL_PREFIX.length()) : id;
    if (local.isEmpty()) {
      throw new SyncException(EngineError.BAD_REQUEST, "Local document id is empty");
    }
    return local;
  }

  @Override
  public Optional<ObjectNode> getLocal(String id) {
    String local = localId(id);
    Optional<LocalDocument> stored = call(() -> storage.locals().get(name, local));
    return stored.map(ld -> {
      ObjectNode json = Json.object();
      json.put("_id", DocParser.LOCAL_PREFIX + local);
      json.put("_rev", "0-" + ld.version());
      json.setAll(engine.codec.decodeLocal(ld.body()));
      return json;
    });
  }

  @Override
  public List<ObjectNode> localDocs(String afterId, int limit) {
    if (limit < 1) {
      throw new SyncException(EngineError.BAD_REQUEST, "limit must be positive: " + limit);
    }
    if (!storage.capabilities().has(Capability.LOCAL_LISTING)) {
      throw new SyncException(StorageError.UNSUPPORTED_CAPABILITY, "the storage cannot list local documents");
    }
    return call(() -> storage.locals().list(name, afterId, limit)).stream().map(ld -> {
      ObjectNode json = Json.object();
      json.put("_id", DocParser.LOCAL_PREFIX + ld.id());
      json.put("_rev", "0-" + ld.version());
      json.setAll(engine.codec.decodeLocal(ld.body()));
      return json;
    }).toList();
  }

  @Override
  public String putLocal(String id, ObjectNode doc) {
    String local = localId(id);
    if (doc.has("_attachments")) {
      throw new SyncException(EngineError.INVALID_DOCUMENT, "_local documents do not accept attachments.");
    }
    JsonNode docId = doc.get("_id");
    if (docId != null && !(docId.isTextual() && localId(docId.textValue()).equals(local))) {
      throw new SyncException(EngineError.BAD_REQUEST, "Document id does not match the request");
    }
    JsonNode rev = doc.get("_rev");
    if (doc.path("_deleted").asBoolean(false)) {
      deleteLocal(local, rev == null ? "" : rev.asText());
      return "0-0";
    }
    long expected = rev == null ? 0 : localVersion(rev.asText());
    ObjectNode body = doc.deepCopy();
    body.remove(List.of("_id", "_rev"));
    try {
      long version = storage.locals().put(name, local, engine.codec.encodeLocal(body), expected);
      return "0-" + version;
    } catch (SyncException e) {
      if (e.errorCode() == StorageError.LOCAL_CONFLICT) {
        throw Edits.conflict();
      }
      throw DefaultSyncEngine.translate(e);
    }
  }

  @Override
  public void deleteLocal(String id, String rev) {
    String local = localId(id);
    long expected = localVersion(rev);
    try {
      storage.locals().delete(name, local, expected);
    } catch (SyncException e) {
      if (e.errorCode() == StorageError.LOCAL_CONFLICT) {
        // Only on this error path is the second call worth it, to tell absent from stale.
        if (call(() -> storage.locals().get(name, local)).isEmpty()) {
          throw DocRenderer.notFound("missing");
        }
        throw Edits.conflict();
      }
      throw DefaultSyncEngine.translate(e);
    }
  }

  /** {@code 0-N} to N; anything else can match no stored version, so it is a conflict. */
  private static long localVersion(String rev) {
    if (rev != null && rev.startsWith("0-") && rev.length() > 2 && rev.length() < 20) {
      try {
        long version = Long.parseLong(rev.substring(2));
        if (version > 0) {
          return version;
        }
      } catch (NumberFormatException e) {
        // falls through to the conflict
      }
    }
    throw Edits.conflict();
  }

  // ---------------------------------------------------------------- query

  @Override
  public QueryResult query(Query query) {
    if (restricted()) {
      return ownedQuery(query);
    }
    Map<String, StoredDocument> stored = new HashMap<>();
    // Each state is decoded once: for the evaluation and again for the answer would double the cost.
    Map<String, RevTree> trees = new HashMap<>();
    List<QueryEvaluator.Candidate> best = null;
    if (storage.capabilities().has(Capability.QUERY_PUSHDOWN)) {
      Optional<List<StoredDocument>> answer = call(() -> storage.queries().query(name, query));
      if (answer.isPresent()) {
        // The storage evaluated the query: the candidates only carry the order, and the body (a
        // copy into the evaluator's values) is needed for the cursor after the last one alone.
        best = new ArrayList<>();
        List<StoredDocument> found = answer.get();
        List<RevTree> decoded = Parallel.map(found, sd -> engine.codec.decode(sd.state()));
        for (int i = 0; i < found.size(); i++) {
          StoredDocument sd = found.get(i);
          RevTree tree = decoded.get(i);
          stored.put(sd.id(), sd);
          trees.put(sd.id(), tree);
          best.add(i == found.size() - 1 ? candidate(sd, tree) : orderOnly(sd, tree));
        }
      }
    }
    Optional<Set<String>> only = best == null ? idsOnly(query.filter()) : Optional.empty();
    if (only.isPresent()) {
      // The filter names its documents: read those, not the namespace, so that a caller who sees
      // a few documents of a large namespace pays for those few.
      List<String> ids = new ArrayList<>(new TreeSet<>(only.get()));
      List<QueryEvaluator.Candidate> candidates = new ArrayList<>(ids.size());
      for (int from = 0; from < ids.size(); from += PAGE) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + PAGE));
        for (StoredDocument sd : call(() -> storage.documents().getAll(name, chunk))) {
          stored.put(sd.id(), sd);
          candidates.add(candidate(sd, trees));
        }
      }
      best = QueryEvaluator.evaluate(query, candidates);
    }
    if (best == null) {
      best = List.of();
      Optional<String> start = Optional.empty();
      String lastId = null;
      while (true) {
        int ask = lastId == null ? PAGE : PAGE + 1;
        KeyRange range = new KeyRange(start, Optional.empty(), true, false, query.includeDeleted(), ask);
        List<StoredDocument> page = call(() -> storage.documents().range(name, range));
        List<QueryEvaluator.Candidate> merged = new ArrayList<>(best);
        for (StoredDocument sd : page) {
          if (!sd.id().equals(lastId)) {
            stored.put(sd.id(), sd);
            merged.add(candidate(sd, trees));
          }
        }
        best = QueryEvaluator.evaluate(query, merged);
        Set<String> keep = new HashSet<>();
        best.forEach(c -> keep.add(c.id()));
        if (page.size() < ask || page.isEmpty()) {
          stored.keySet().retainAll(keep);
          trees.keySet().retainAll(keep);
          break;
        }
        lastId = page.get(page.size() - 1).id();
        start = Optional.of(lastId);
        stored.keySet().retainAll(keep);
        trees.keySet().retainAll(keep);
      }
    }
    List<Document> docs = Parallel.map(best, c -> {
      StoredDocument sd = stored.get(c.id());
      RevTree tree = trees.get(c.id());
      return renderDiscarding(sd, tree == null ? engine.codec.decode(sd.state()) : tree);
    });
    Optional<Query.Cursor> next = best.size() == query.limit() && !best.isEmpty()
        ? Optional.of(QueryEvaluator.cursorAfter(query.sort(), best.get(best.size() - 1)))
        : Optional.empty();
    return new QueryResult(docs, next);
  }

  /**
   * The ids a filter restricts its matches to, when it does: an {@code _id} equality or {@code in}
   * list, alone, in a conjunction (the smallest such set) or in every branch of a disjunction.
   * Empty when the filter may match any id, or names more than {@link #ID_LOOKUP_LIMIT}.
   */
  static Optional<Set<String>> idsOnly(Query.Filter filter) {
    Optional<Set<String>> out = switch (filter) {
      case Query.Filter.In in when in.field() instanceof Query.Field.Id -> {
        Set<String> ids = new HashSet<>();
        for (JsonValue v : in.values()) {
          if (v instanceof JsonValue.JsonString s) {
            ids.add(s.value());
          }
        }
        yield Optional.of(ids);
      }
      case Query.Filter.Compare c when c.field() instanceof Query.Field.Id && c.op() == Query.Op.EQ ->
          Optional.of(c.value() instanceof JsonValue.JsonString s ? Set.of(s.value()) : Set.of());
      case Query.Filter.And and -> {
        Optional<Set<String>> smallest = Optional.empty();
        for (Query.Filter f : and.filters()) {
          Optional<Set<String>> ids = idsOnly(f);
          if (ids.isPresent() && (smallest.isEmpty() || ids.get().size() < smallest.get().size())) {
            smallest = ids;
          }
        }
        yield smallest;
      }
      case Query.Filter.Or or when !or.filters().isEmpty() -> {
        Set<String> all = new HashSet<>();
        for (Query.Filter f : or.filters()) {
          Optional<Set<String>> ids = idsOnly(f);
          if (ids.isEmpty()) {
            yield Optional.empty();
          }
          all.addAll(ids.get());
        }
        yield Optional.of(all);
      }
      default -> Optional.empty();
    };
    return out.filter(ids -> ids.size() <= ID_LOOKUP_LIMIT);
  }

  private static QueryEvaluator.Candidate orderOnly(StoredDocument sd, RevTree tree) {
    return new QueryEvaluator.Candidate(sd.id(), sd.seq(), sd.timestamp(), tree.winner().deleted(),
        JsonValue.JsonObject.empty());
  }

  private QueryEvaluator.Candidate candidate(StoredDocument sd, Map<String, RevTree> trees) {
    RevTree tree = engine.codec.decode(sd.state());
    trees.put(sd.id(), tree);
    return candidate(sd, tree);
  }

  private static QueryEvaluator.Candidate candidate(StoredDocument sd, RevTree tree) {
    RevTree.Node winner = tree.winner();
    JsonValue.JsonObject body = winner.deleted()
        ? JsonValue.JsonObject.empty()
        : Json.toObject(winner.body().orElseGet(Json::object));
    return new QueryEvaluator.Candidate(sd.id(), sd.seq(), sd.timestamp(), winner.deleted(), body);
  }
}
