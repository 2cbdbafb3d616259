package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.Database;
import io.polysync.engine.EngineError;
import io.polysync.engine.SyncEngine;
import io.polysync.protocol.spi.PerUserDatabases;
import io.polysync.engine.UserContext;
import io.polysync.protocol.spi.FrontEndMetrics;
import io.polysync.spi.ErrorCategory;
import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Kinto HTTP API 1.x over the engine: resolves a request to its object, checks Kinto's
 * permissions, and reads or writes through a {@link Store}. Independent of HTTP, so {@code /batch}
 * runs its sub-requests through the same code.
 */
final class KintoApi {
  static final String HTTP_API_VERSION = "1.23";
  private static final Pattern ID = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_-]*$");
  private static final Pattern ACCOUNT_ID = Pattern.compile("^[a-zA-Z0-9][.@a-zA-Z0-9_-]*$");
  private static final int MAX_ID = 256;
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  enum Level { BUCKET, COLLECTION, GROUP, RECORD }

  /** The object (or list) a path names; {@code id} is null for a plural endpoint. */
  record Target(Level level, String bucket, String collection, String id) {
    boolean plural() {
      return id == null;
    }

    /** The object's URI as permissions name it ({@code /buckets/b/collections/c}). */
    String uri() {
      return switch (level) {
        case BUCKET -> "/buckets/" + (id == null ? "" : id);
        case COLLECTION -> "/buckets/" + bucket + "/collections/" + (id == null ? "" : id);
        case GROUP -> "/buckets/" + bucket + "/groups/" + (id == null ? "" : id);
        case RECORD -> "/buckets/" + bucket + "/collections/" + collection + "/records/" + (id == null ? "" : id);
      };
    }

    String resourceName() {
      return level.name().toLowerCase(Locale.ROOT);
    }

    List<String> permissionNames() {
      return switch (level) {
        case BUCKET -> List.of("read", "write", "collection:create", "group:create");
        case COLLECTION -> List.of("read", "write", "record:create");
        case GROUP, RECORD -> List.of("read", "write");
      };
    }
  }

  final SyncEngine engine;
  final Catalog catalog;
  final Database acl;
  private final GrantIndex grants;
  final KintoSettings settings;
  private final byte[] defaultBucketKey;
  private final Optional<History> history;
  private final Optional<PermissionsEndpoint> permissions;
  /** Counts the records clients write and read; the collection and bucket objects are not counted. */
  private final FrontEndMetrics metrics;
  final PerUserDatabases perUser;
  private final Optional<OpenId> openId;

  /**
   * The OpenID Connect issuer whose bearer tokens the server accepts, for the root's {@code openid}
   * capability.
   *
   * @param audience the token audience, which is the client id registered with the issuer
   */
  record OpenId(String issuer, String audience) {}

  KintoApi(SyncEngine engine, String serverId, KintoSettings settings) {
    this(engine, serverId, settings, PerUserDatabases.of(engine, java.util.Map.of()), Optional.empty(),
        FrontEndMetrics.NONE);
  }

  KintoApi(SyncEngine engine, String serverId, KintoSettings settings, FrontEndMetrics metrics) {
    this(engine, serverId, settings, PerUserDatabases.of(engine, java.util.Map.of()), Optional.empty(), metrics);
  }

  KintoApi(SyncEngine engine, String serverId, KintoSettings settings, PerUserDatabases perUser,
      Optional<OpenId> openId, FrontEndMetrics metrics) {
    this.perUser = perUser;
    this.openId = openId;
    this.engine = engine;
    this.metrics = metrics;
    this.catalog = new Catalog(engine.systemDatabase(Catalog.DATABASE));
    this.acl = engine.systemDatabase(RecordStore.ACL_DATABASE);
    this.grants = new GrantIndex(engine.systemDatabase(GrantIndex.DATABASE), acl);
    grants.catchUp();
    this.settings = settings;
    this.defaultBucketKey = ("kinto.default_bucket:" + serverId).getBytes(StandardCharsets.UTF_8);
    this.history = settings.history()
        ? Optional.of(new History(engine.systemDatabase(History.DATABASE), settings.historyMaxAgeDays()))
        : Optional.empty();
    this.permissions = settings.permissionsEndpoint()
        ? Optional.of(new PermissionsEndpoint(engine, catalog, acl, grants)) : Optional.empty();
  }

  // ---------------------------------------------------------------- dispatch

  KintoResponse handle(KintoRequest r) {
    try {
      return dispatch(r);
    } catch (KintoException e) {
      return KintoResponse.error(e);
    } catch (SyncException e) {
      return KintoResponse.error(translate(e));
    }
  }

  static KintoException translate(SyncException e) {
    if (e.errorCode() == EngineError.DOCUMENT_TOO_LARGE) {
      return new KintoException(413, KintoException.TOO_LARGE, "Request body too large");
    }
    if (e.errorCode() == EngineError.INVALID_DOCUMENT || e.errorCode() == EngineError.BAD_REQUEST) {
      return KintoException.invalid("body", "data", e.getMessage());
    }
    ErrorCategory category = e.errorCode().category();
    return switch (category) {
      case INVALID_REQUEST -> KintoException.invalid("body", "data", e.getMessage());
      case NOT_FOUND -> KintoException.notFound();
      case CONFLICT -> new KintoException(409, KintoException.CONSTRAINT_VIOLATED,
          "Conflict of field while saving, please retry.", null, Map.of("Retry-After", "1"));
      case UNAVAILABLE -> new KintoException(503, KintoException.BACKEND,
          "Service temporary unavailable due to overloading or maintenance, please retry later.", null,
          Map.of("Retry-After", "30"));
      default -> new KintoException(500, KintoException.UNDEFINED,
          "A programmatic error occured, developers have been informed.");
    };
  }

  private KintoResponse dispatch(KintoRequest r) {
    List<String> s = r.segments();
    if (settings.readonly() && !List.of("GET", "HEAD", "OPTIONS").contains(r.method())
        && !(s.size() == 1 && s.get(0).equals("batch"))) {
      throw new KintoException(405, KintoException.METHOD_NOT_ALLOWED, "The server is in read-only mode.");
    }
    if (s.isEmpty()) {
      requireMethod(r, "GET", "HEAD");
      return root(r);
    }
    switch (s.get(0)) {
      case "__heartbeat__" -> {
        requireMethod(r, "GET", "HEAD");
        return heartbeat();
      }
      case "__lbheartbeat__" -> {
        requireMethod(r, "GET", "HEAD");
        return new KintoResponse(200, Json.object());
      }
      case "__version__" -> {
        requireMethod(r, "GET", "HEAD");
        ObjectNode v = Json.object();
        v.put("name", "polysync");
        v.put("version", KintoFrontEnd.version());
        v.put("commit", "");
        return new KintoResponse(200, v);
      }
      case "accounts" -> {
        return Accounts.handle(this, r);
      }
      case "permissions" -> {
        if (s.size() != 1 || permissions.isEmpty()) {
          throw KintoException.notFound();
        }
        return permissions.get().list(r);
      }
      case "buckets" -> {
        if (s.size() == 3 && s.get(2).equals("history") && history.isPresent()) {
          return history(r, target(r, s.subList(0, 2)));
        }
        return objects(r, target(r, s));
      }
      default -> throw KintoException.notFound();
    }
  }

  static void requireMethod(KintoRequest r, String... allowed) {
    for (String m : allowed) {
      if (m.equals(r.method())) {
        return;
      }
    }
    throw new KintoException(405, KintoException.METHOD_NOT_ALLOWED, "Method not allowed on this endpoint.", null,
        Map.of("Allow", String.join(", ", allowed)));
  }

  /** Parses {@code /buckets/...}; resolves the {@code default} bucket (creating it, and a collection named through it). */
  Target target(KintoRequest r, List<String> s) {
    int n = s.size();
    Target t;
    if (n == 1) {
      t = new Target(Level.BUCKET, null, null, null);
    } else if (n == 2) {
      t = new Target(Level.BUCKET, null, null, s.get(1));
    } else if (n <= 4 && s.get(2).equals("collections")) {
      t = new Target(Level.COLLECTION, s.get(1), null, n == 4 ? s.get(3) : null);
    } else if (n <= 4 && s.get(2).equals("groups")) {
      t = new Target(Level.GROUP, s.get(1), null, n == 4 ? s.get(3) : null);
    } else if (n >= 5 && n <= 6 && s.get(2).equals("collections") && s.get(4).equals("records")) {
      t = new Target(Level.RECORD, s.get(1), s.get(3), n == 6 ? s.get(5) : null);
    } else {
      throw KintoException.notFound();
    }
    String bucket = t.level == Level.BUCKET ? t.id : t.bucket;
    if ("default".equals(bucket)) {
      String real = defaultBucket(r.caller());
      ensureDefaultBucket(r.caller(), real);
      if (t.level == Level.BUCKET) {
        t = new Target(Level.BUCKET, null, null, real);
      } else {
        t = new Target(t.level, real, t.collection, t.id);
      }
      String collection = t.level == Level.COLLECTION ? t.id : t.level == Level.RECORD ? t.collection : null;
      if (collection != null && !(t.level == Level.COLLECTION && r.method().equals("DELETE"))) {
        checkId(collection, "collection");
        ensureCollection(r.caller(), real, collection);
      }
    }
    for (String id : new String[] {t.bucket, t.collection}) {
      if (id != null) {
        checkParentId(id);
      }
    }
    return t;
  }

  private static void checkParentId(String id) {
    if (id.length() > MAX_ID || !ID.matcher(id).matches()) {
      throw KintoException.notFound();
    }
  }

  static void checkId(String id, String resourceName) {
    if (id.length() > MAX_ID || !ID.matcher(id).matches()) {
      throw KintoException.invalid("path", "id", "Invalid " + resourceName + " id: " + id);
    }
  }

  // ---------------------------------------------------------------- default bucket

  /** The caller's personal bucket id: an HMAC of the user id, shaped as a UUID (Kinto's default_bucket). */
  String defaultBucket(Caller caller) {
    if (!caller.authenticated()) {
      throw KintoException.unauthorized();
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(defaultBucketKey, "HmacSHA256"));
      byte[] h = mac.doFinal(caller.userId().orElseThrow().getBytes(StandardCharsets.UTF_8));
      long hi = 0;
      long lo = 0;
      for (int i = 0; i < 8; i++) {
        hi = (hi << 8) | (h[i] & 0xff);
        lo = (lo << 8) | (h[i + 8] & 0xff);
      }
      return new UUID(hi, lo).toString();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void ensureDefaultBucket(Caller caller, String bucket) {
    if (catalog.live(Catalog.Kind.BUCKET, bucket, null).isPresent()) {
      return;
    }
    Perms perms = Perms.NONE.adding("write", caller.userId().orElseThrow());
    catalog.write(Catalog.Kind.BUCKET, bucket, null, Json.object(), perms, Optional.empty());
  }

  private void ensureCollection(Caller caller, String bucket, String collection) {
    if (catalog.live(Catalog.Kind.COLLECTION, bucket, collection).isPresent()) {
      return;
    }
    catalog.write(Catalog.Kind.COLLECTION, bucket, collection, Json.object(), Perms.NONE, Optional.empty());
    createNamespace(bucket, collection);
    couchSecurity(bucket, collection);
  }

  /**
   * The CouchDB view of a collection's permissions: whoever may write every record (write on the
   * bucket or the collection) is a member of the collection's database. CouchDB members may read
   * and write, so read-only principals and groups get no CouchDB access; record permissions stay
   * Kinto's.
   */
  void couchSecurity(String bucket, String collection) {
    List<String> names = new ArrayList<>();
    List<String> roles = new ArrayList<>();
    Set<String> writers = new LinkedHashSet<>(bucketPerms(bucket).get("write"));
    writers.addAll(collectionPerms(bucket, collection).get("write"));
    for (String principal : writers) {
      if (principal.startsWith(Caller.ACCOUNT_PREFIX)) {
        names.add(principal.substring(Caller.ACCOUNT_PREFIX.length()));
      } else if (principal.equals(UserContext.AUTHENTICATED) || principal.equals(UserContext.EVERYONE)) {
        roles.add(principal);
      }
    }
    Database db = engine.database(RecordStore.databaseName(bucket, collection));
    io.polysync.engine.SecurityObject security = new io.polysync.engine.SecurityObject(List.of(), List.of(), names, roles);
    if (!db.security().equals(security)) {
      db.setSecurity(security);
    }
  }

  void createNamespace(String bucket, String collection) {
    String name = RecordStore.databaseName(bucket, collection);
    if (!engine.databaseExists(name)) {
      try {
        engine.createDatabase(name);
      } catch (SyncException e) {
        if (e.errorCode() != EngineError.DATABASE_EXISTS) {
          throw e;
        }
      }
    }
  }

  // ---------------------------------------------------------------- permissions

  Perms bucketPerms(String bucket) {
    return catalog.live(Catalog.Kind.BUCKET, bucket, null).map(Item::perms).orElse(Perms.NONE);
  }

  Perms collectionPerms(String bucket, String collection) {
    return catalog.live(Catalog.Kind.COLLECTION, bucket, collection).map(Item::perms).orElse(Perms.NONE);
  }

  /**
   * Kinto's inheritance ({@code PERMISSIONS_INHERITANCE_TREE}): whether {@code caller} holds {@code
   * perm} on the object of {@code t} (or, for a plural target, on its parent), whose own
   * permissions are {@code own} ({@link Perms#NONE} for a plural target).
   */
  boolean allowed(Caller caller, Target t, String perm, Perms own) {
    if (caller.admin()) {
      return true;
    }
    Set<String> p = caller.principals();
    if (t.level == Level.BUCKET) {
      Perms b = own;
      return switch (perm) {
        case "read" -> b.grants(List.of("read", "write"), p);
        case "write" -> b.grants(List.of("write"), p);
        case "collection:create" -> b.grants(List.of("write", "collection:create"), p);
        case "group:create" -> b.grants(List.of("write", "group:create"), p);
        case "read:attributes" -> b.grants(List.of("write", "read", "collection:create", "group:create"), p);
        default -> false;
      };
    }
    Perms b = bucketPerms(t.bucket);
    if (t.level == Level.GROUP) {
      return switch (perm) {
        case "read", "read:attributes" -> b.grants(List.of("read", "write"), p) || own.grants(List.of("read", "write"), p);
        case "write" -> b.grants(List.of("write"), p) || own.grants(List.of("write"), p);
        default -> false;
      };
    }
    Perms c = t.level == Level.COLLECTION ? own : collectionPerms(t.bucket, t.collection);
    Perms r = t.level == Level.RECORD ? own : Perms.NONE;
    return switch (perm) {
      case "read" -> b.grants(List.of("read", "write"), p) || c.grants(List.of("read", "write"), p)
          || r.grants(List.of("read", "write"), p);
      case "write" -> b.grants(List.of("write"), p) || c.grants(List.of("write"), p) || r.grants(List.of("write"), p);
      case "record:create" -> b.grants(List.of("write"), p) || c.grants(List.of("write", "record:create"), p);
      case "read:attributes" -> b.grants(List.of("read", "write"), p)
          || c.grants(List.of("read", "write", "record:create"), p);
      default -> false;
    };
  }

  /** The target of the parent object, for checks of a permission held on the parent. */
  private static Target parentOf(Target t) {
    return switch (t.level) {
      case BUCKET -> null;
      case COLLECTION, GROUP -> new Target(Level.BUCKET, null, null, t.bucket);
      case RECORD -> new Target(Level.COLLECTION, t.bucket, null, t.collection);
    };
  }

  private Perms ownPerms(Target t) {
    return switch (t.level) {
      case BUCKET -> bucketPerms(t.id);
      case COLLECTION -> collectionPerms(t.bucket, t.id);
      case GROUP -> catalog.live(Catalog.Kind.GROUP, t.bucket, t.id).map(Item::perms).orElse(Perms.NONE);
      case RECORD -> Perms.NONE;
    };
  }

  /** The permission that creates a child of the parent of {@code t}. */
  private static String createPermission(Target t) {
    return switch (t.level) {
      case BUCKET -> "bucket:create";
      case COLLECTION -> "collection:create";
      case GROUP -> "group:create";
      case RECORD -> "record:create";
    };
  }

  boolean mayCreate(Caller caller, Target t) {
    if (t.level == Level.BUCKET) {
      return caller.admin() || settings.bucketCreatePrincipals().stream().anyMatch(caller.principals()::contains);
    }
    Target parent = parentOf(t);
    return allowed(caller, parent, createPermission(t), ownPerms(parent));
  }

  /** 401 for an anonymous caller, else 403. */
  static KintoException denied(Caller caller) {
    return caller.authenticated() ? KintoException.forbidden() : KintoException.unauthorized();
  }

  /**
   * Checks the parents of {@code t} exist: a missing one is 404 to whoever could know it exists
   * (a server admin, or a reader of the grandparent), else 403 (401 when anonymous).
   */
  private void requireParents(Caller caller, Target t) {
    if (t.level == Level.BUCKET) {
      return;
    }
    if (catalog.live(Catalog.Kind.BUCKET, t.bucket, null).isEmpty()) {
      if (caller.admin()) {
        throw KintoException.missingParent("bucket", t.bucket);
      }
      throw denied(caller);
    }
    if (t.level == Level.RECORD && catalog.live(Catalog.Kind.COLLECTION, t.bucket, t.collection).isEmpty()) {
      Target bucket = new Target(Level.BUCKET, null, null, t.bucket);
      if (allowed(caller, bucket, "read", bucketPerms(t.bucket))) {
        throw KintoException.missingParent("collection", t.collection);
      }
      throw denied(caller);
    }
  }

  // ---------------------------------------------------------------- stores

  Store store(Target t) {
    return switch (t.level) {
      case BUCKET -> new CatalogStore(catalog, Catalog.Kind.BUCKET, null, 0);
      case COLLECTION -> new CatalogStore(catalog, Catalog.Kind.COLLECTION, t.bucket,
          catalog.live(Catalog.Kind.BUCKET, t.bucket, null).map(Item::lastModified).orElse(0L));
      case GROUP -> new CatalogStore(catalog, Catalog.Kind.GROUP, t.bucket,
          catalog.live(Catalog.Kind.BUCKET, t.bucket, null).map(Item::lastModified).orElse(0L));
      case RECORD -> recordStore(t.bucket, t.collection);
    };
  }

  RecordStore recordStore(String bucket, String collection) {
    long created = catalog.live(Catalog.Kind.COLLECTION, bucket, collection).map(Item::lastModified).orElse(0L);
    return new RecordStore(engine.database(RecordStore.databaseName(bucket, collection)), acl, grants, bucket,
        collection, created);
  }

  // ---------------------------------------------------------------- objects and lists

  private KintoResponse objects(KintoRequest r, Target t) {
    if (t.plural()) {
      return switch (r.method()) {
        case "GET", "HEAD" -> list(r, t);
        case "POST" -> post(r, t);
        case "DELETE" -> deleteList(r, t);
        default -> {
          requireMethod(r, "HEAD", "GET", "POST", "DELETE", "OPTIONS");
          yield null;
        }
      };
    }
    return switch (r.method()) {
      case "GET", "HEAD" -> getObject(r, t);
      case "PUT", "PATCH", "DELETE" -> writeObjects(t, List.of(r)).get(0);
      default -> {
        requireMethod(r, "GET", "PUT", "PATCH", "DELETE", "OPTIONS");
        yield null;
      }
    };
  }

  private KintoResponse getObject(KintoRequest r, Target t) {
    checkId(t.id, t.resourceName());
    requireParents(r.caller(), t);
    Store store = store(t);
    Optional<Item> found = store.item(t.id).filter(i -> !i.deleted());
    String perm = t.level == Level.BUCKET || t.level == Level.COLLECTION ? "read:attributes" : "read";
    if (found.isEmpty()) {
      throw missingObject(r.caller(), t);
    }
    Item item = found.get();
    if (!allowed(r.caller(), t, perm, item.perms()) && !(t.level == Level.COLLECTION && readsSomeRecords(r.caller(), t))) {
      throw denied(r.caller());
    }
    if (ifNoneMatch(r, item.lastModified())) {
      return notModified(item.lastModified());
    }
    checkIfMatch(r, Optional.of(item));
    KintoResponse res = objectResponse(200, r.caller(), t, item);
    if (t.level == Level.RECORD && r.method().equals("GET")) {
      metrics.documentsOut(FrontEndMetrics.VIA_READ, 1);
    }
    return r.method().equals("HEAD") ? new KintoResponse(200, null).header("ETag", "\"" + item.lastModified() + "\"") : res;
  }

  /**
   * Beyond Kinto: a caller who may read some records of a collection, but not the collection, may
   * still read the collection's attributes, since Kinto.js {@code sync()} starts with that GET.
   */
  private boolean readsSomeRecords(Caller caller, Target collection) {
    if (!caller.authenticated()) {
      return false;
    }
    return !recordStore(collection.bucket, collection.id)
        .idsGranting(List.of("read", "write"), caller.principals()).isEmpty();
  }

  private KintoException missingObject(Caller caller, Target t) {
    Target parent = parentOf(t);
    boolean parentReadable = parent == null
        ? caller.admin() || mayCreate(caller, t)
        : allowed(caller, parent, "read", ownPerms(parent));
    if (parentReadable) {
      return KintoException.missing(t.resourceName(), t.id);
    }
    return denied(caller);
  }

  KintoResponse objectResponse(int status, Caller caller, Target t, Item item) {
    ObjectNode body = Json.object();
    body.set("data", item.toJson());
    if (allowed(caller, t, "write", item.perms())) {
      body.set("permissions", item.perms().toJson());
    }
    return new KintoResponse(status, body).etag(item.lastModified())
        .header("Last-Modified", httpDate(item.lastModified()));
  }

  static String httpDate(long millis) {
    return HTTP_DATE.format(java.time.Instant.ofEpochMilli(millis / 1000 * 1000));
  }

  private static KintoResponse notModified(long ts) {
    return new KintoResponse(304, null).etag(ts);
  }

  private static boolean ifNoneMatch(KintoRequest r, long current) {
    Optional<String> h = r.header("if-none-match");
    if (h.isEmpty() || h.get().trim().equals("*")) {
      return false;
    }
    return parseEtag(h.get()) == current;
  }

  static long parseEtag(String raw) {
    String v = raw.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw KintoException.invalid("header", "If-Match", "Invalid value for If-Match: " + raw);
    }
  }

  /** Kinto's {@code _raise_412_if_modified} for writes and reads alike. */
  private void checkIfMatch(KintoRequest r, Optional<Item> live) {
    Optional<String> ifMatch = r.header("if-match");
    if (ifMatch.isPresent()) {
      String v = ifMatch.get().trim();
      if (live.isEmpty()) {
        throw KintoException.modified(null, 0);
      }
      if (!v.equals("*") && parseEtag(v) != live.get().lastModified()) {
        throw KintoException.modified(live.get().toJson(), live.get().lastModified());
      }
    }
    Optional<String> ifNone = r.header("if-none-match");
    if (ifNone.isPresent() && ifNone.get().trim().equals("*") && live.isPresent()) {
      throw KintoException.modified(live.get().toJson(), live.get().lastModified());
    }
  }

  // ---------------------------------------------------------------- lists

  private KintoResponse list(KintoRequest r, Target t) {
    requireParents(r.caller(), t);
    Store store = store(t);
    ListQuery q = ListQuery.parse(r.params(), System.currentTimeMillis());
    Visible visible = visible(r.caller(), t, store);
    long listTs = visible.etag.orElseGet(store::listTimestamp);
    Optional<String> ifNone = r.header("if-none-match");
    if (ifNone.isPresent() && !ifNone.get().trim().equals("*") && parseEtag(ifNone.get()) == listTs) {
      return notModified(listTs);
    }
    Optional<String> ifMatch = r.header("if-match");
    if (ifMatch.isPresent() && !ifMatch.get().trim().equals("*") && parseEtag(ifMatch.get()) != listTs) {
      throw KintoException.modified(null, listTs);
    }
    if (r.method().equals("HEAD")) {
      long total = visible.none ? 0 : count(store, q, visible.filter);
      return new KintoResponse(200, null).etag(listTs)
          .header("Last-Modified", httpDate(listTs))
          .header("Total-Objects", Long.toString(total))
          .header("Total-Records", Long.toString(total));
    }
    // One more than the page: a full page with nothing after it gets no Next-Page, which would
    // cost the client another request for an empty page.
    List<Item> page = visible.none ? List.of() : store.page(q, visible.filter, q.after(), q.limit() + 1);
    boolean more = page.size() > q.limit();
    if (more) {
      page = page.subList(0, q.limit());
    }
    ArrayNode data = Json.MAPPER.createArrayNode();
    for (Item item : page) {
      data.add(project(item.toJson(), q.fields()));
    }
    if (t.level == Level.RECORD && r.method().equals("GET")) {
      metrics.documentsOut(FrontEndMetrics.VIA_LIST, page.size());
    }
    ObjectNode body = Json.object();
    body.set("data", data);
    KintoResponse res = new KintoResponse(200, body).etag(listTs).header("Last-Modified", httpDate(listTs));
    if (more) {
      Item last = page.get(page.size() - 1);
      Query.Cursor cursor = io.polysync.spi.QueryEvaluator.cursorAfter(q.sort(), last.candidate());
      res.header("Next-Page", nextPage(r, q.limit(), ListQuery.encodeToken(cursor)));
    }
    if (r.param("_to").isPresent()) {
      res.header("Alert", "{\"code\":\"soft-eol\",\"message\":\"_to is deprecated, use _before instead\"}");
    }
    return res;
  }

  private static long count(Store store, ListQuery q, Optional<Query.Filter> visible) {
    long total = 0;
    Optional<Query.Cursor> after = Optional.empty();
    ListQuery all = q.withoutPaging();
    while (true) {
      List<Item> page = store.page(all, visible, after, 1000);
      total += page.size();
      if (page.size() < 1000) {
        return total;
      }
      after = Optional.of(io.polysync.spi.QueryEvaluator.cursorAfter(all.sort(), page.get(page.size() - 1).candidate()));
    }
  }

  static String nextPage(KintoRequest r, int limit, String token) {
    StringBuilder url = new StringBuilder(r.base()).append(r.path()).append('?');
    boolean first = true;
    for (Map.Entry<String, String> e : r.params()) {
      if (e.getKey().equals("_token") || e.getKey().equals("_limit")) {
        continue;
      }
      if (!first) {
        url.append('&');
      }
      url.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
      first = false;
    }
    if (!first) {
      url.append('&');
    }
    url.append("_limit=").append(limit).append("&_token=").append(token);
    return url.toString();
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static ObjectNode project(ObjectNode json, Optional<List<String>> fields) {
    if (fields.isEmpty()) {
      return json;
    }
    ObjectNode out = Json.object();
    out.set("id", json.get("id"));
    out.set("last_modified", json.get("last_modified"));
    if (json.has("deleted")) {
      out.set("deleted", json.get("deleted"));
    }
    for (String f : fields.get()) {
      String[] path = f.split("\\.");
      JsonNode v = json;
      for (String p : path) {
        v = v == null ? null : v.get(p);
      }
      if (v == null) {
        continue;
      }
      ObjectNode at = out;
      for (int i = 0; i < path.length - 1; i++) {
        JsonNode next = at.get(path[i]);
        at = next instanceof ObjectNode o ? o : at.putObject(path[i]);
      }
      at.set(path[path.length - 1], v);
    }
    return out;
  }

  /**
   * What of a list the caller sees: everything with read on the parent, else only the objects
   * whose own permissions give it read or write (Kinto's shared objects). For records, the ETag of
   * such a filtered list is the newest visible record's timestamp, so changes the caller cannot see
   * do not look to Kinto.js like a flushed server.
   */
  private record Visible(Optional<Query.Filter> filter, boolean none, Optional<Long> etag) {}

  private Visible visible(Caller caller, Target t, Store store) {
    Target parent = parentOf(t);
    boolean all = parent == null ? caller.admin() : allowed(caller, parent, "read", ownPerms(parent));
    if (all) {
      return new Visible(Optional.empty(), false, Optional.empty());
    }
    if (!caller.authenticated() && !everyoneMayRead(t)) {
      throw KintoException.unauthorized();
    }
    List<String> ids = new ArrayList<>();
    Optional<Long> etag = Optional.empty();
    if (t.level == Level.RECORD) {
      RecordStore records = (RecordStore) store;
      ids.addAll(records.idsGranting(List.of("read", "write"), caller.principals()));
      long max = catalog.live(Catalog.Kind.COLLECTION, t.bucket, t.collection).map(Item::lastModified).orElse(0L);
      etag = Optional.of(Math.max(max, records.newest(ids)));
    } else {
      Catalog.Kind kind = switch (t.level) {
        case BUCKET -> Catalog.Kind.BUCKET;
        case COLLECTION -> Catalog.Kind.COLLECTION;
        default -> Catalog.Kind.GROUP;
      };
      for (Item item : catalog.all(kind, t.bucket)) {
        if (item.perms().grants(List.of("read", "write"), caller.principals())) {
          ids.add(item.id());
        }
      }
    }
    if (ids.isEmpty()) {
      // Kinto answers an empty list only to a caller who may create here; to anyone else the
      // list is forbidden, so it tells nothing about what exists.
      if (!mayCreate(caller, new Target(t.level, t.bucket, t.collection, "_"))) {
        throw denied(caller);
      }
      return new Visible(Optional.empty(), true, etag);
    }
    List<JsonValue> values = ids.stream().map(id -> (JsonValue) new JsonValue.JsonString(id)).toList();
    return new Visible(Optional.of(new Query.Filter.In(new Query.Field.Id(), values)), false, etag);
  }

  private boolean everyoneMayRead(Target t) {
    return allowed(Caller.anonymous(), t.plural() && parentOf(t) != null ? parentOf(t) : t, "read",
        t.plural() && parentOf(t) != null ? ownPerms(parentOf(t)) : Perms.NONE);
  }

  private KintoResponse post(KintoRequest r, Target t) {
    requireParents(r.caller(), t);
    JsonNode body = r.json();
    if (!body.isObject()) {
      throw KintoException.invalid("body", "data", "must be an object");
    }
    JsonNode data = body.get("data");
    String id;
    if (data != null && data.isObject() && data.hasNonNull("id")) {
      id = data.get("id").asText();
    } else if (t.level == Level.RECORD || t.level == Level.BUCKET || t.level == Level.COLLECTION
        || t.level == Level.GROUP) {
      id = UUID.randomUUID().toString();
    } else {
      throw KintoException.invalid("body", "data.id", "Required");
    }
    checkId(id, t.resourceName());
    Target object = new Target(t.level, t.bucket, t.collection, id);
    Optional<Item> existing = store(object).item(id).filter(i -> !i.deleted());
    if (existing.isPresent()) {
      if (!allowed(r.caller(), object, "read", existing.get().perms()) && !mayCreate(r.caller(), object)) {
        throw denied(r.caller());
      }
      return objectResponse(200, r.caller(), object, existing.get());
    }
    Map<String, String> headers = new HashMap<>(r.headers());
    headers.put("if-none-match", "*");
    KintoRequest put = new KintoRequest("PUT", r.segments(), r.path() + "/" + id, List.of(), headers, r.body(),
        r.caller(), r.base(), r.parsed());
    return writeObjects(object, List.of(put)).get(0);
  }

  private KintoResponse deleteList(KintoRequest r, Target t) {
    requireParents(r.caller(), t);
    Store store = store(t);
    ListQuery q = ListQuery.parse(r.params(), System.currentTimeMillis());
    Target parent = parentOf(t);
    boolean all = parent == null ? r.caller().admin() : allowed(r.caller(), parent, "write", ownPerms(parent));
    Optional<Query.Filter> filter = Optional.empty();
    if (!all) {
      List<String> ids = new ArrayList<>();
      if (t.level == Level.RECORD) {
        ids.addAll(((RecordStore) store).idsGranting(List.of("write"), r.caller().principals()));
      } else {
        for (Item item : store.page(q.withoutPaging(), Optional.empty(), Optional.empty(), ListQuery.MAX_FETCH)) {
          if (item.perms().grants(List.of("write"), r.caller().principals())) {
            ids.add(item.id());
          }
        }
      }
      if (ids.isEmpty()) {
        if (!r.caller().authenticated()) {
          throw KintoException.unauthorized();
        }
        ObjectNode body = Json.object();
        body.putArray("data");
        return new KintoResponse(200, body);
      }
      filter = Optional.of(new Query.Filter.In(new Query.Field.Id(),
          ids.stream().map(id -> (JsonValue) new JsonValue.JsonString(id)).toList()));
    }
    ListQuery live = new ListQuery(q.filters(), q.residual(), q.sort(), q.limit(), q.after(), false, q.fields());
    List<Item> victims = store.page(live, filter, q.after(), q.limit());
    ArrayNode data = Json.MAPPER.createArrayNode();
    for (Item item : victims) {
      Target object = new Target(t.level, t.bucket, t.collection, item.id());
      KintoRequest del = new KintoRequest("DELETE", List.of(), r.path() + "/" + item.id(), List.of(), Map.of(),
          new byte[0], r.caller(), r.base());
      KintoResponse res = writeObjects(object, List.of(del)).get(0);
      if (res.status == 200 && res.body != null) {
        data.add(res.body.get("data"));
      }
    }
    ObjectNode body = Json.object();
    body.set("data", data);
    return new KintoResponse(200, body);
  }

  // ---------------------------------------------------------------- writes

  /**
   * PUT, PATCH and DELETE on objects of one list, as one storage batch for the records: one read
   * of the current objects, then one conditional write. Every request has the same parent; ids
   * are distinct.
   */
  List<KintoResponse> writeObjects(Target listOf, List<KintoRequest> requests) {
    Target plural = new Target(listOf.level, listOf.bucket, listOf.collection, null);
    KintoResponse[] out = new KintoResponse[requests.size()];
    try {
      requireParents(requests.get(0).caller(), plural);
    } catch (KintoException e) {
      KintoResponse res = KintoResponse.error(e);
      List<KintoResponse> all = new ArrayList<>();
      requests.forEach(x -> all.add(res));
      return all;
    }
    Store store = store(plural);
    List<String> ids = new ArrayList<>();
    for (KintoRequest r : requests) {
      ids.add(r.segments().isEmpty() ? idOf(r.path()) : r.segments().get(r.segments().size() - 1));
    }
    Map<String, Item> current;
    current = store.items(ids);
    List<Store.Write> writes = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      KintoRequest r = requests.get(i);
      String id = ids.get(i);
      Target t = new Target(plural.level, plural.bucket, plural.collection, id);
      try {
        Store.Write w = plan(r, t, Optional.ofNullable(current.get(id)));
        if (w == null) {
          Item unchanged = current.get(id);
          out[i] = objectResponse(200, r.caller(), t, unchanged);
        } else {
          writes.add(w);
          slots.add(i);
        }
      } catch (KintoException e) {
        out[i] = KintoResponse.error(e);
      }
    }
    if (!writes.isEmpty()) {
      List<Optional<Item>> results;
      try {
        results = store.write(writes);
      } catch (SyncException e) {
        KintoResponse res = KintoResponse.error(translate(e));
        for (int slot : slots) {
          out[slot] = res;
        }
        return List.of(out);
      }
      if (plural.level == Level.RECORD) {
        metrics.documentsIn(results.stream().filter(Optional::isPresent).count());
      }
      if (history.isPresent()) {
        List<Item> done = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        for (int k = 0; k < writes.size(); k++) {
          if (results.get(k).isPresent()) {
            Store.Write w = writes.get(k);
            done.add(results.get(k).get());
            actions.add(w.delete() ? "delete" : current.containsKey(w.id()) && !current.get(w.id()).deleted()
                ? "update" : "create");
          }
        }
        history.get().record(plural, requests.get(0).caller(), done, actions);
      }
      List<String> lost = new ArrayList<>();
      for (int k = 0; k < writes.size(); k++) {
        if (results.get(k).isEmpty()) {
          lost.add(writes.get(k).id());
        }
      }
      Map<String, Item> now = lost.isEmpty() ? Map.of() : store.items(lost);
      for (int k = 0; k < writes.size(); k++) {
        int slot = slots.get(k);
        KintoRequest r = requests.get(slot);
        Store.Write w = writes.get(k);
        Target t = new Target(plural.level, plural.bucket, plural.collection, w.id());
        Optional<Item> result = results.get(k);
        if (result.isEmpty()) {
          Item existing = now.get(w.id());
          out[slot] = KintoResponse.error(existing == null || existing.deleted()
              ? KintoException.modified(null, 0)
              : KintoException.modified(existing.toJson(), existing.lastModified()));
          continue;
        }
        Item item = result.get();
        afterWrite(t, w, item);
        if (w.delete()) {
          ObjectNode body = Json.object();
          body.set("data", item.toJson());
          out[slot] = new KintoResponse(200, body).etag(item.lastModified());
        } else {
          Optional<Item> before = Optional.ofNullable(current.get(w.id())).filter(x -> !x.deleted());
          int status = before.isEmpty() ? 201 : 200;
          out[slot] = r.method().equals("PATCH") ? patchResponse(r, t, item) : objectResponse(status, r.caller(), t, item);
        }
      }
    }
    return List.of(out);
  }

  private static String idOf(String path) {
    int slash = path.lastIndexOf('/');
    return path.substring(slash + 1);
  }

  /** Checks one write and says what to store: null when nothing changes. */
  private Store.Write plan(KintoRequest r, Target t, Optional<Item> stored) {
    checkId(t.id, t.resourceName());
    Caller caller = r.caller();
    Optional<Item> live = stored.filter(i -> !i.deleted());
    String method = r.method();
    if (live.isPresent()) {
      if (!allowed(caller, t, "write", live.get().perms())) {
        throw allowed(caller, t, "read", live.get().perms()) || caller.authenticated()
            ? denied(caller) : KintoException.unauthorized();
      }
    } else if (method.equals("PUT")) {
      if (!mayCreate(caller, t)) {
        throw denied(caller);
      }
    } else {
      throw missingObject(caller, t);
    }
    checkIfMatch(r, live);
    Optional<String> rev = stored.map(Item::rev);
    if (method.equals("DELETE")) {
      return new Store.Write(t.id, null, live.get().perms(), rev, null, live.get().perms());
    }
    JsonNode body = r.json();
    ObjectNode fields;
    Perms perms;
    Perms before = live.map(Item::perms).orElse(Perms.NONE);
    if (method.equals("PATCH")) {
      Patches.Result patched = Patches.apply(r.contentType(), body, live.get().fields(), before, t.permissionNames());
      fields = patched.fields();
      perms = patched.perms();
    } else {
      if (!body.isObject()) {
        throw KintoException.invalid("body", "data", "must be an object");
      }
      JsonNode data = body.get("data");
      if (data == null || data.isNull()) {
        fields = live.map(i -> i.fields().deepCopy()).orElseGet(Json::object);
      } else if (!data.isObject()) {
        throw KintoException.invalid("body", "data", "must be an object");
      } else {
        fields = ((ObjectNode) data).deepCopy();
      }
      perms = before.replacing(Perms.fromRequest(body.get("permissions"), t.permissionNames()));
    }
    JsonNode bodyId = fields.remove("id");
    if (bodyId != null && !bodyId.isNull() && !bodyId.asText().equals(t.id)) {
      throw KintoException.invalid("body", "data.id", "Does not match the id in the URL: " + bodyId.asText());
    }
    fields.remove("last_modified");
    if (t.level == Level.RECORD) {
      fields.properties().forEach(e -> {
        if (e.getKey().startsWith("_")) {
          throw KintoException.invalid("body", "data." + e.getKey(),
              "Fields starting with _ are reserved (the record is also a CouchDB document)");
        }
      });
    }
    settings.validator().ifPresent(v -> v.validate(catalog, t, fields));
    if (t.level == Level.GROUP) {
      JsonNode members = fields.get("members");
      if (members == null) {
        fields.putArray("members");
      } else if (!members.isArray()) {
        throw KintoException.invalid("body", "data.members", "must be a list of principals");
      }
    }
    // The author keeps write on what they create or change, unless a parent already grants it.
    String author = caller.userId().orElse(null);
    Target parentWrite = t.level == Level.BUCKET ? null : parentOf(t);
    boolean inherited = caller.admin() && t.level != Level.BUCKET
        || parentWrite != null && allowed(caller, parentWrite, "write", ownPerms(parentWrite));
    if (author != null && !inherited && !perms.get("write").contains(author)) {
      perms = perms.adding("write", author);
    }
    if (live.isPresent() && live.get().fields().equals(fields) && before.equals(perms)) {
      return null;
    }
    return new Store.Write(t.id, fields, perms, rev, live.map(Item::attachments).orElse(null),
        stored.map(Item::perms).orElse(Perms.NONE));
  }

  private KintoResponse patchResponse(KintoRequest r, Target t, Item item) {
    String behavior = r.header("response-behavior").orElse("full").trim().toLowerCase(Locale.ROOT);
    if (behavior.equals("full")) {
      return objectResponse(200, r.caller(), t, item);
    }
    JsonNode sent = r.json().path("data");
    ObjectNode data = Json.object();
    ObjectNode full = item.toJson();
    if (sent.isObject()) {
      sent.properties().forEach(e -> {
        JsonNode now = full.get(e.getKey());
        if (behavior.equals("light") || now == null || !now.equals(e.getValue())) {
          data.set(e.getKey(), now == null ? Json.MAPPER.nullNode() : now);
        }
      });
    }
    ObjectNode body = Json.object();
    body.set("data", data);
    return new KintoResponse(200, body).etag(item.lastModified());
  }

  /** What follows a write: a new collection gets its database; a deleted bucket or collection takes its children along. */
  private void afterWrite(Target t, Store.Write w, Item item) {
    if (t.level == Level.COLLECTION && !w.delete()) {
      createNamespace(t.bucket, t.id);
      couchSecurity(t.bucket, t.id);
    } else if (t.level == Level.BUCKET && !w.delete()) {
      for (Item c : catalog.all(Catalog.Kind.COLLECTION, t.id)) {
        if (!c.deleted()) {
          couchSecurity(t.id, c.id());
        }
      }
    } else if (t.level == Level.COLLECTION) {
      dropCollection(t.bucket, t.id);
    } else if (t.level == Level.BUCKET && w.delete()) {
      for (Item c : catalog.all(Catalog.Kind.COLLECTION, t.id)) {
        if (!c.deleted()) {
          catalog.delete(Catalog.Kind.COLLECTION, t.id, c.id(), c.rev());
          dropCollection(t.id, c.id());
        }
      }
      for (Item g : catalog.all(Catalog.Kind.GROUP, t.id)) {
        if (!g.deleted()) {
          catalog.delete(Catalog.Kind.GROUP, t.id, g.id(), g.rev());
        }
      }
    }
  }

  private void dropCollection(String bucket, String collection) {
    recordStore(bucket, collection).dropPerms();
    String name = RecordStore.databaseName(bucket, collection);
    try {
      engine.deleteDatabase(name);
    } catch (SyncException e) {
      if (e.errorCode() != EngineError.DATABASE_NOT_FOUND) {
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- history

  /**
   * {@code /buckets/{bid}/history}: the bucket's entries the caller may read now (the objects they
   * name must be readable), filtered, sorted and paged like any list; {@code DELETE} purges them
   * (bucket write).
   */
  private KintoResponse history(KintoRequest r, Target bucket) {
    if (catalog.live(Catalog.Kind.BUCKET, bucket.id, null).isEmpty()) {
      throw missingObject(r.caller(), bucket);
    }
    Perms bp = bucketPerms(bucket.id);
    if (r.method().equals("DELETE")) {
      if (!allowed(r.caller(), bucket, "write", bp)) {
        throw denied(r.caller());
      }
      history.orElseThrow().purge(bucket.id);
      ObjectNode body = Json.object();
      body.putArray("data");
      return new KintoResponse(200, body);
    }
    requireMethod(r, "GET", "HEAD", "DELETE");
    boolean all = allowed(r.caller(), bucket, "read", bp);
    List<Item> visible = new ArrayList<>();
    Map<String, Map<String, Perms>> recordPerms = new HashMap<>();
    for (Item e : history.orElseThrow().entries(bucket.id)) {
      if (all || readable(r.caller(), e.fields(), recordPerms)) {
        visible.add(e);
      }
    }
    ListQuery q = ListQuery.parse(r.params(), System.currentTimeMillis());
    List<io.polysync.spi.QueryEvaluator.Candidate> candidates = new ArrayList<>();
    Map<String, Item> byId = new HashMap<>();
    for (Item e : visible) {
      candidates.add(e.candidate());
      byId.put(e.id(), e);
    }
    ArrayNode data = Json.MAPPER.createArrayNode();
    List<Item> page = new ArrayList<>();
    for (var c : io.polysync.spi.QueryEvaluator.evaluate(q.query(Integer.MAX_VALUE, q.after()), candidates)) {
      Item e = byId.get(c.id());
      if (q.matchesResidual(e.toJson())) {
        page.add(e);
        if (page.size() == q.limit()) {
          break;
        }
      }
    }
    page.forEach(e -> data.add(e.toJson()));
    long ts = visible.stream().mapToLong(Item::lastModified).max().orElse(0);
    ObjectNode body = Json.object();
    body.set("data", data);
    KintoResponse res = new KintoResponse(200, r.method().equals("HEAD") ? null : body).etag(ts)
        .header("Total-Objects", Integer.toString(visible.size()));
    if (page.size() == q.limit() && !page.isEmpty()) {
      Query.Cursor cursor = io.polysync.spi.QueryEvaluator.cursorAfter(q.sort(), page.get(page.size() - 1).candidate());
      res.header("Next-Page", nextPage(r, q.limit(), ListQuery.encodeToken(cursor)));
    }
    return res;
  }

  private boolean readable(Caller caller, ObjectNode entry, Map<String, Map<String, Perms>> recordPerms) {
    String bucket = entry.path("bucket_id").asText();
    String collection = entry.path("collection_id").asText(null);
    return switch (entry.path("resource_name").asText()) {
      case "bucket" -> allowed(caller, new Target(Level.BUCKET, null, null, bucket), "read:attributes",
          bucketPerms(bucket));
      case "collection" -> allowed(caller, new Target(Level.COLLECTION, bucket, null, collection), "read:attributes",
          collectionPerms(bucket, collection));
      case "group" -> {
        String group = entry.path("group_id").asText();
        yield allowed(caller, new Target(Level.GROUP, bucket, null, group), "read",
            catalog.live(Catalog.Kind.GROUP, bucket, group).map(Item::perms).orElse(Perms.NONE));
      }
      case "record" -> {
        String record = entry.path("record_id").asText();
        Target t = new Target(Level.RECORD, bucket, collection, record);
        if (allowed(caller, t, "read", Perms.NONE)) {
          yield true;
        }
        Map<String, Perms> perms = recordPerms.computeIfAbsent(collection, c -> new HashMap<>());
        Perms p = perms.computeIfAbsent(record,
            id -> recordStore(bucket, collection).perms(List.of(id)).getOrDefault(id, Perms.NONE));
        yield allowed(caller, t, "read", p);
      }
      default -> false;
    };
  }

  // ---------------------------------------------------------------- root and heartbeat

  private KintoResponse root(KintoRequest r) {
    ObjectNode body = Json.object();
    body.put("project_name", "Polysync");
    body.put("project_version", KintoFrontEnd.version());
    body.put("http_api_version", HTTP_API_VERSION);
    body.put("project_docs", "docs/protocols/kinto.md");
    body.put("url", r.base() + "/");
    ObjectNode s = body.putObject("settings");
    s.put("batch_max_requests", settings.batchMaxRequests());
    s.put("readonly", settings.readonly());
    s.put("explicit_permissions", true);
    ObjectNode caps = body.putObject("capabilities");
    capability(caps, "default_bucket", "The default bucket is an alias for a personal bucket where collections are created implicitly.");
    capability(caps, "accounts", "Manage user accounts.").put("validation_enabled", false);
    capability(caps, "schema", "Validates collection records with JSON schemas.");
    if (history.isPresent()) {
      capability(caps, "history", "Track changes on data.");
    }
    if (permissions.isPresent()) {
      capability(caps, "permissions_endpoint", "The permissions endpoint lists the objects the caller holds permissions on.");
    }
    capability(caps, "changes_events", "A Server-Sent Events stream per collection that tells a client a sync is due.");
    openId.ifPresent(o -> {
      // Kinto's shape; there is no auth_path: Polysync checks tokens, it does not run the login flow.
      ObjectNode provider = capability(caps, "openid", "OpenID connect support.").putArray("providers").addObject();
      provider.put("name", "oidc");
      provider.put("issuer", o.issuer());
      provider.put("client_id", o.audience());
      provider.put("header_type", "Bearer");
    });
    Caller caller = r.caller();
    if (caller.authenticated()) {
      ObjectNode user = body.putObject("user");
      user.put("id", caller.userId().orElseThrow());
      ArrayNode principals = user.putArray("principals");
      caller.principals().stream().sorted().forEach(principals::add);
      user.put("bucket", defaultBucket(caller));
    }
    return new KintoResponse(200, body);
  }

  private static ObjectNode capability(ObjectNode caps, String name, String description) {
    ObjectNode c = caps.putObject(name);
    c.put("description", description);
    c.put("url", "docs/protocols/kinto.md#" + name);
    return c;
  }

  private KintoResponse heartbeat() {
    boolean storage;
    try {
      engine.databaseExists(Catalog.DATABASE);
      storage = true;
    } catch (RuntimeException e) {
      storage = false;
    }
    ObjectNode body = Json.object();
    body.put("storage", storage);
    body.put("permission", storage);
    body.put("cache", true);
    return new KintoResponse(storage ? 200 : 503, body);
  }

  // ---------------------------------------------------------------- helpers for Accounts

  static boolean validAccountId(String id) {
    return id.length() <= 128 && ACCOUNT_ID.matcher(id).matches();
  }

  /** The principals of an authenticated user, with the groups that list one of them. */
  Caller caller(String name, boolean admin) {
    Set<String> base = new LinkedHashSet<>(List.of(Caller.ACCOUNT_PREFIX + name, UserContext.AUTHENTICATED,
        UserContext.EVERYONE));
    return Caller.user(name, admin, new LinkedHashSet<>(catalog.groupsOf(base)));
  }

  static Map<String, String> lowerCase(Map<String, String> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    headers.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
    return out;
  }
}
