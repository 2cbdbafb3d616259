package io.polysync.protocol.couch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.polysync.engine.Database;
import io.polysync.engine.DatabaseInfo;
import io.polysync.engine.Permission;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.UserContext;
import io.polysync.protocol.spi.ErrorDocs;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.PerUserDatabases;
import io.polysync.protocol.spi.Principal;
import io.polysync.protocol.spi.RateLimiter;
import io.polysync.spi.SyncException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Dispatches every request of the CouchDB API on its raw path, checks authentication, adds CORS
 * headers, and turns every failure into CouchDB's JSON error (never a stack trace).
 */
final class CouchRouter {
  private static final System.Logger LOG = System.getLogger(CouchRouter.class.getName());
  /**
   * One line per request at DEBUG (the server's {@code --verbose}): method, raw path, status and
   * the handler's time in milliseconds (for a streamed feed, until it ended).
   */
  private static final System.Logger REQUESTS = System.getLogger("io.polysync.protocol.couch.requests");
  /** CouchDB's default {@code max_document_size}. */
  static final long DEFAULT_MAX_DOCUMENT_BYTES = 8_000_000L;
  /** PouchDB pushes 100 documents per request with every attachment inline and never splits on 413. */
  static final long DEFAULT_MAX_REQUEST_BYTES = 256L * 1024 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * What a 503 asks clients to wait: a database restart or failover takes seconds, and the server
   * reconnects by itself on the next request.
   */
  static final int RETRY_AFTER_SECONDS = 5;

  private final FrontEndContext context;
  private final SyncEngine engine;
  private final long maxRequestBytes;
  private final SessionApi session;
  private final DatabaseApi databases;
  private final DocumentApi documents;
  private final ChangesApi changes;
  private final UsersApi users;
  private final Cors cors;
  private final boolean serverTiming;
  private final RateLimiter rateLimiter;
  /** Reads request JSON under the server's {@code limits.json.*} settings. */
  private final ObjectMapper reader;

  CouchRouter(FrontEndContext context) {
    this.context = context;
    this.engine = context.engine();
    this.maxRequestBytes = context.maxRequestBytes("couch.max_http_request_size", DEFAULT_MAX_REQUEST_BYTES);
    this.rateLimiter = context.rateLimiter();
    this.reader = Exchange.reader(context.jsonLimits(), maxRequestBytes);
    long maxDocumentBytes = context.longSetting("couch.max_document_size", DEFAULT_MAX_DOCUMENT_BYTES);
    this.session = new SessionApi(context.authenticator(), context.authenticators());
    this.documents = new DocumentApi(maxDocumentBytes);
    this.databases = new DatabaseApi(engine, documents, maxDocumentBytes);
    this.changes = new ChangesApi(engine);
    this.users = new UsersApi(engine.users(), PerUserDatabases.of(context));
    this.cors = new Cors(context.setting("couch.cors.origins").orElse("*"));
    this.serverTiming = context.setting("couch.server_timing").map(Boolean::parseBoolean).orElse(false);
  }

  void handle(ServerRequest req, ServerResponse res) {
    Exchange ex;
    try {
      ex = new Exchange(req, res, maxRequestBytes, serverTiming, reader, context.metrics());
    } catch (CouchException e) {
      context.metrics().route(req, "/{invalid}");
      renderEarlyError(res, e.status(), e.error(), e.reason());
      return;
    }
    context.metrics().route(req, CouchRoutes.template(ex.segments));
    try {
      handle(ex);
    } finally {
      if (REQUESTS.isLoggable(System.Logger.Level.DEBUG)) {
        REQUESTS.log(System.Logger.Level.DEBUG, String.format(java.util.Locale.ROOT, "%s %s %d %.3f ms",
            ex.method, req.path().rawPath(), res.status().code(), (System.nanoTime() - ex.startNanos) / 1e6));
      }
    }
  }

  private void handle(Exchange ex) {
    ServerRequest req = ex.req;
    cors.apply(ex);
    try {
      if (ex.method.equals("OPTIONS")) {
        cors.preflight(ex);
        return;
      }
      // Counted before credentials are checked, so password guessing uses up the allowance too;
      // _up is a load balancer's health check.
      if (!ex.segments.equals(List.of("_up"))) {
        limit(ex, rateLimiter.acquireAddress(RateLimiter.clientAddress(req)));
      }
      route(ex);
    } catch (CouchException e) {
      renderError(ex, e.status(), e.error(), e.reason());
    } catch (SyncException e) {
      CouchErrors.Mapping m = CouchErrors.of(e);
      if (m.status() == 503) {
        // The storage is away and every request says so: one line each, not a stack trace each.
        LOG.log(System.Logger.Level.WARNING, "storage unavailable: " + ex.method + " " + req.path().rawPath()
            + ": " + e.getMessage());
      } else if (m.status() >= 500) {
        LOG.log(System.Logger.Level.WARNING, "request failed: " + ex.method + " " + req.path().rawPath(), e);
      }
      renderError(ex, m.status(), m.error(), m.reason());
    } catch (ClientGone | io.helidon.webserver.ServerConnectionException e) {
      // The client closed the connection (PouchDB aborts longpolls on cancel): nothing to answer.
      LOG.log(System.Logger.Level.DEBUG, "client disconnected");
    } catch (UncheckedIOException e) {
      LOG.log(System.Logger.Level.DEBUG, "connection failed", e);
      renderError(ex, 400, "bad_request", "The request could not be read");
    } catch (RuntimeException | LinkageError | AssertionError e) {
      // Whatever went wrong, the client still gets CouchDB's JSON error: PouchDB fails on any other body.
      LOG.log(System.Logger.Level.ERROR, "unexpected failure: " + ex.method + " " + req.path().rawPath(), e);
      renderError(ex, 500, "internal_server_error", "Internal error.");
    }
  }

  /** An error found while parsing the request line, before there is an {@link Exchange}. */
  private static void renderEarlyError(ServerResponse res, int status, String error, String reason) {
    ObjectNode body = Exchange.object().put("error", error).put("reason", reason);
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, Exchange.JSON_TYPE);
    res.header(HeaderNames.LINK, ErrorDocs.helpLinkHeader(ErrorDocs.couch(error)));
    try {
      res.send(Exchange.JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void renderError(Exchange ex, int status, String error, String reason) {
    if (ex.res.isSent()) {
      return;
    }
    // The CouchDB replicator retries with Basic only when asked to; a browser holding a cookie
    // session must not get a password dialog.
    Optional<String> authorization = ex.header(HeaderNames.AUTHORIZATION);
    if (status == 401 && authorization.isPresent() && authorization.get().regionMatches(true, 0, "Bearer", 0, 6)) {
      // RFC 6750: a rejected bearer token is answered with a bearer challenge, not a password dialog.
      ex.res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
    } else if (status == 401 && (authorization.isPresent() || !SessionApi.hasCookie(ex))) {
      ex.res.header(HeaderNames.WWW_AUTHENTICATE, "Basic realm=\"server\"");
    }
    // 503: the storage is out of reach for now (a restart, a failover). The request may be sent
    // again; a write that did reach storage before the failure comes back as 409 on the retry,
    // and a replicator's new_edits=false batch is simply applied again.
    if (status == 503) {
      ex.res.header(HeaderNames.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
    }
    try {
      // CouchDB clients compare error bodies, so the link to the explanation is a header.
      ex.res.header(HeaderNames.LINK, ErrorDocs.helpLinkHeader(ErrorDocs.couch(error)));
      ex.send(status, Exchange.object().put("error", error).put("reason", reason));
    } catch (RuntimeException e) {
      // Headers already went out (a feed that failed mid-stream): nothing more can be said.
      LOG.log(System.Logger.Level.DEBUG, "could not send error", e);
    }
  }

  private void route(Exchange ex) {
    List<String> seg = ex.segments;
    if (seg.isEmpty()) {
      requireMethod(ex, "GET", "HEAD");
      welcome(ex);
      return;
    }
    String first = seg.get(0);
    if (seg.size() == 1 && first.equals("_up")) {
      requireMethod(ex, "GET", "HEAD");
      ex.send(200, Exchange.object().put("status", "ok"));
      return;
    }
    if (seg.size() == 1 && first.equals("_session")) {
      session.handle(ex);
      return;
    }
    UserContext user = session.authenticate(ex).map(Principal::context).orElse(UserContext.anonymous());
    if (user.authenticated()) {
      limit(ex, rateLimiter.acquireUser(user.name()));
    }
    if (first.equals(UsersApi.DATABASE)) {
      ex.authenticated();
      users.handle(ex, user, seg.subList(1, seg.size()));
      return;
    }
    if (first.startsWith("_")) {
      ex.authenticated();
      serverEndpoint(ex, user, first, seg);
      return;
    }
    String db = first;
    // As this user sees it: on an owned database a member reads only its own and shared documents.
    Database database = engine.database(db).forUser(user);
    // Checked before anything is read, so a caller who may not use a database cannot learn
    // whether it exists: a missing database has the empty security object, which admits only
    // server admins.
    Optional<Permission> needed = required(ex.method, seg);
    if (needed.isEmpty() ? !user.isServerAdmin() : !database.allows(user, needed.get())) {
      throw denied(user, needed.isEmpty() ? "You are not a server admin." : needed.get() == Permission.ADMIN
          ? "You are not a db or server admin." : "You are not allowed to access this db.");
    }
    ex.authenticated();
    if (seg.size() == 1) {
      databases.database(ex, db, user);
      return;
    }
    String second = seg.get(1);
    List<String> rest = seg.subList(2, seg.size());
    switch (second) {
      case "_changes" -> exact(rest, () -> changes.handle(ex, database));
      case "_local" -> {
        if (rest.isEmpty()) {
          throw CouchException.notFound("missing");
        }
        documents.local(ex, database, "_local/" + String.join("/", rest));
      }
      case "_design" -> {
        if (rest.isEmpty()) {
          throw CouchException.notFound("missing");
        }
        String id = "_design/" + rest.get(0);
        rejectDesignFunction(rest.subList(1, rest.size()));
        documents.document(ex, database, id, attachmentName(rest.subList(1, rest.size())));
      }
      default -> {
        if (second.startsWith("_local/") || second.startsWith("_design/")) {
          // "_design%2Fx": the client encoded the slash; the id is the same.
          if (second.startsWith("_local/")) {
            exact(rest, () -> documents.local(ex, database, second));
          } else {
            rejectDesignFunction(rest);
            documents.document(ex, database, second, attachmentName(rest));
          }
        } else if (second.equals("_index")) {
          // Mango index management has sub-paths (_index/_bulk_delete, _index/{ddoc}/json/{name}).
          databases.special(ex, database, second, user);
        } else if (second.startsWith("_")) {
          exact(rest, () -> databases.special(ex, database, second, user));
        } else {
          documents.document(ex, database, second, attachmentName(rest));
        }
      }
    }
  }

  /** 429 with {@code Retry-After} when the caller has used up its allowance. */
  private static void limit(Exchange ex, Optional<java.time.Duration> wait) {
    if (wait.isPresent()) {
      long seconds = RateLimiter.retryAfterSeconds(wait.get());
      ex.res.header(HeaderNames.RETRY_AFTER, Long.toString(seconds));
      throw new CouchException(429, "too_many_requests", "Too many requests; retry after " + seconds + " s.");
    }
  }

  /**
   * The permission a request on {@code /{db}/...} needs; empty when only a server admin may make it
   * (creating and deleting databases).
   */
  static Optional<Permission> required(String method, List<String> seg) {
    boolean reads = method.equals("GET") || method.equals("HEAD");
    if (seg.size() == 1) {
      return reads ? Optional.of(Permission.READ)
          : method.equals("POST") ? Optional.of(Permission.WRITE) : Optional.empty();
    }
    String second = seg.get(1);
    if (second.equals("_design") || second.startsWith("_design/")) {
      return Optional.of(reads ? Permission.READ : Permission.ADMIN);
    }
    return Optional.of(switch (second) {
      // POST _changes, _all_docs, _bulk_get and _revs_diff only read.
      case "_changes", "_all_docs", "_bulk_get", "_revs_diff" -> Permission.READ;
      case "_security", "_revs_limit" -> reads ? Permission.READ : Permission.ADMIN;
      case "_compact", "_view_cleanup" -> Permission.ADMIN;
      default -> reads ? Permission.READ : Permission.WRITE;
    });
  }

  /** CouchDB's split: no (valid) credentials is 401, so clients ask for some; a known user is 403. */
  static CouchException denied(UserContext user, String reason) {
    return user.authenticated()
        ? new CouchException(403, "forbidden", reason)
        : new CouchException(401, "unauthorized", reason);
  }

  /**
   * Views, show, list, update and rewrite functions, and the other {@code _x} resources under a
   * design document, need a JavaScript or view engine. Attachment names cannot start with an
   * underscore (CouchDB refuses them), so such a segment always names one of those.
   */
  private static void rejectDesignFunction(List<String> afterId) {
    if (!afterId.isEmpty() && afterId.get(0).startsWith("_")) {
      throw CouchException.notImplemented("Design document functions (" + afterId.get(0)
          + ") need a JavaScript or view engine, which this server does not run.");
    }
  }

  /** Attachment names may hold {@code /}: every segment after the document id is one name. */
  private static Optional<String> attachmentName(List<String> rest) {
    return rest.isEmpty() ? Optional.empty() : Optional.of(String.join("/", rest));
  }

  private static void exact(List<String> rest, Runnable action) {
    if (!rest.isEmpty()) {
      throw CouchException.notFound("missing");
    }
    action.run();
  }

  static void requireMethod(Exchange ex, String... allowed) {
    for (String m : allowed) {
      if (m.equals(ex.method)) {
        return;
      }
    }
    ex.res.header(HeaderNames.ALLOW, String.join(",", allowed));
    throw new CouchException(405, "method_not_allowed", "Only " + String.join(",", allowed) + " allowed");
  }

  private void welcome(Exchange ex) {
    ObjectNode body = Exchange.object();
    body.put("couchdb", "Welcome");
    body.put("version", "3.4.3");
    body.put("uuid", context.serverId());
    body.putArray("features");
    body.putObject("vendor").put("name", "Polysync").put("version", "0.1.0");
    ex.send(200, body);
  }

  private void serverEndpoint(Exchange ex, UserContext user, String first, List<String> seg) {
    if (seg.size() != 1) {
      throw CouchException.notFound("missing");
    }
    switch (first) {
      case "_all_dbs" -> {
        // CouchDB 3's default (admin_only_all_dbs): the names alone tell a stranger too much.
        if (!user.isServerAdmin()) {
          throw denied(user, "You are not a server admin.");
        }
        requireMethod(ex, "GET", "HEAD");
        allDbs(ex);
      }
      case "_uuids" -> {
        requireMethod(ex, "GET", "HEAD");
        int count = ex.intParam("count", 1);
        if (count > 1000) {
          throw CouchException.badRequest("count parameter too large");
        }
        ArrayNode uuids = Exchange.object().putArray("uuids");
        for (int i = 0; i < count; i++) {
          uuids.add(newUuid());
        }
        ObjectNode body = Exchange.object();
        body.set("uuids", uuids);
        ex.res.header(HeaderNames.CACHE_CONTROL, "must-revalidate, no-cache");
        ex.send(200, body);
      }
      default -> throw new CouchException(400, "illegal_database_name",
          "Name: '" + first + "'. Only lowercase characters (a-z), digits (0-9), and any of the characters"
              + " _, $, (, ), +, -, and / are allowed. Must begin with a letter.");
    }
  }

  private void allDbs(Exchange ex) {
    int limit = ex.intParam("limit", Integer.MAX_VALUE);
    int skip = ex.intParam("skip", 0);
    boolean descending = ex.flag("descending");
    Optional<String> start = ex.jsonParam("startkey").or(() -> ex.jsonParam("start_key"))
        .map(n -> n.asText());
    Optional<String> end = ex.jsonParam("endkey").or(() -> ex.jsonParam("end_key")).map(n -> n.asText());
    List<String> names = new java.util.ArrayList<>();
    String after = "";
    while (true) {
      List<DatabaseInfo> page = engine.listDatabases(after, 1000);
      for (DatabaseInfo info : page) {
        // Namespaces with a leading underscore are the server's own (CouchDB names cannot start so).
        if (!info.name().startsWith("_")) {
          names.add(info.name());
        }
      }
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).name();
    }
    if (descending) {
      java.util.Collections.reverse(names);
    }
    ArrayNode out = Exchange.array();
    int skipped = 0;
    for (String name : names) {
      if (start.isPresent() && (descending ? name.compareTo(start.get()) > 0 : name.compareTo(start.get()) < 0)) {
        continue;
      }
      if (end.isPresent() && (descending ? name.compareTo(end.get()) < 0 : name.compareTo(end.get()) > 0)) {
        continue;
      }
      if (skipped++ < skip) {
        continue;
      }
      if (out.size() >= limit) {
        break;
      }
      out.add(name);
    }
    ex.send(200, out);
  }

  static String newUuid() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
