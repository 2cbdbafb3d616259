package io.polysync.protocol.couch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.SyncEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code _changes} in its four feeds. Waiting is the engine's {@code awaitChanges}, woken by the
 * storage's change signals: a waiting feed costs a parked virtual thread, never a polling loop.
 */
final class ChangesApi {
  /** CouchDB's default for {@code heartbeat=true} and for feeds without heartbeat or timeout. */
  static final long DEFAULT_TIMEOUT_MS = 60_000;
  /** A feed with heartbeats but no timeout runs until the client leaves; this bounds a page read. */
  private static final int CONTINUOUS_PAGE = 500;

  private final SyncEngine engine;

  ChangesApi(SyncEngine engine) {
    this.engine = engine;
  }

  private record Feed(String mode, ChangesOptions options, long heartbeatMs, long timeoutMs) {}

  void handle(Exchange ex, Database db) {
    CouchRouter.requireMethod(ex, "GET", "HEAD", "POST");
    Feed feed = parse(ex, db);
    switch (feed.mode()) {
      case "normal" -> ex.send(200, render(db.changes(feed.options()), true));
      case "longpoll" -> longpoll(ex, db, feed);
      case "continuous", "live" -> continuous(ex, db, feed, false);
      case "eventsource" -> continuous(ex, db, feed, true);
      default -> throw CouchException.badRequest(
          "Supported `feed` types: normal, continuous, live, longpoll, eventsource");
    }
  }

  private Feed parse(Exchange ex, Database db) {
    String mode = ex.param("feed").orElse("normal");
    if (!List.of("normal", "longpoll", "continuous", "live", "eventsource").contains(mode)) {
      throw CouchException.badRequest("Supported `feed` types: normal, continuous, live, longpoll, eventsource");
    }
    ObjectNode body = null;
    if (ex.method.equals("POST")) {
      byte[] raw = ex.body();
      if (raw.length > 0) {
        ex.requireJsonContentType();
        JsonNode node = Exchange.parseJson(raw);
        if (!node.isObject()) {
          throw CouchException.badRequest("Request body must be a JSON object");
        }
        body = (ObjectNode) node;
      }
    }
    Optional<String> sinceParam = ex.param("since");
    if (mode.equals("eventsource")) {
      Optional<String> lastEventId = ex.header(HeaderNames.create("Last-Event-ID"));
      if (lastEventId.isPresent()) {
        sinceParam = lastEventId;
      }
    }
    long since = since(sinceParam.orElse("0"), db);
    ChangesOptions options = ChangesOptions.since(since)
        .withLimit(ex.intParam("limit", Integer.MAX_VALUE))
        .withDescending(ex.flag("descending"))
        .withIncludeDocs(ex.flag("include_docs"))
        .withConflicts(ex.flag("conflicts"))
        .withAttachments(ex.flag("attachments"));
    String style = ex.param("style").orElse("main_only");
    options = switch (style) {
      case "main_only" -> options.withStyle(ChangesOptions.Style.MAIN_ONLY);
      case "all_docs" -> options.withStyle(ChangesOptions.Style.ALL_DOCS);
      default -> throw CouchException.badRequest("Supported `style` values: main_only, all_docs");
    };
    options = filter(ex, body, options);
    long heartbeat = 0;
    Optional<String> hb = ex.param("heartbeat");
    if (hb.isPresent()) {
      heartbeat = hb.get().equals("true") ? DEFAULT_TIMEOUT_MS : millis(hb.get(), "heartbeat");
      if (heartbeat == 0 && hb.get().equals("false")) {
        heartbeat = 0;
      } else if (heartbeat < 1) {
        throw CouchException.badRequest("The heartbeat value should be a positive integer (in milliseconds).");
      }
    }
    long timeout = ex.param("timeout").map(t -> millis(t, "timeout"))
        // With heartbeats and no timeout CouchDB keeps the feed open until the client leaves.
        .orElse(heartbeat > 0 ? Long.MAX_VALUE : DEFAULT_TIMEOUT_MS);
    return new Feed(mode, options, heartbeat, timeout);
  }

  private static long millis(String value, String name) {
    if (value.equals("false")) {
      return 0;
    }
    try {
      long n = Long.parseLong(value);
      if (n < 0) {
        throw CouchException.badRequest("Invalid value for " + name);
      }
      return n;
    } catch (NumberFormatException e) {
      throw CouchException.badRequest("Invalid value for " + name + ": \"" + value + "\"");
    }
  }

  /** {@code 0}, a sequence, {@code now}; CouchDB-style opaque {@code N-...} strings are cut at the dash. */
  private static long since(String value, Database db) {
    if (value.equals("now")) {
      return db.info().updateSeq();
    }
    String v = value;
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    int dash = v.indexOf('-');
    if (dash > 0) {
      v = v.substring(0, dash);
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw CouchException.badRequest("Malformed sequence supplied in 'since' parameter.");
      }
      return n;
    } catch (NumberFormatException e) {
      throw CouchException.badRequest("Malformed sequence supplied in 'since' parameter.");
    }
  }

  private static ChangesOptions filter(Exchange ex, ObjectNode body, ChangesOptions options) {
    Optional<String> filter = ex.param("filter");
    if (filter.isEmpty()) {
      return options;
    }
    switch (filter.get()) {
      case "_doc_ids" -> {
        JsonNode ids = body != null && body.has("doc_ids") ? body.get("doc_ids")
            : ex.jsonParam("doc_ids").orElse(null);
        if (ids == null || !ids.isArray()) {
          throw CouchException.badRequest("`doc_ids` filter parameter is not a list of doc ids.");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode id : ids) {
          if (!id.isTextual()) {
            throw CouchException.badRequest("`doc_ids` filter parameter is not a list of doc ids.");
          }
          list.add(id.textValue());
        }
        return options.withDocIds(list);
      }
      case "_selector" -> {
        JsonNode selector = body == null ? null : body.get("selector");
        if (selector == null) {
          throw CouchException.badRequest("Selector must be specified in POST payload");
        }
        if (!selector.isObject()) {
          throw CouchException.badRequest("Selector error: expected a JSON object");
        }
        return options.withSelector((ObjectNode) selector);
      }
      case "_design" -> {
        // Design documents only: an id range, which the selector filter answers.
        ObjectNode selector = Exchange.object();
        selector.putObject("_id").put("$gt", "_design/").put("$lt", "_design0");
        return options.withSelector(selector);
      }
      case "_view" -> throw CouchException.badRequest(
          "`_view` filters need a view server, which this server does not run.");
      default -> throw CouchException.badRequest(
          "Filter functions (" + filter.get() + ") need a JavaScript engine, which this server does not run;"
              + " use `_doc_ids` or `_selector`.");
    }
  }

  // --- rendering ---

  private static ObjectNode row(ChangesResult.Row row) {
    ObjectNode r = Exchange.object();
    r.put("seq", row.seq());
    r.put("id", row.id());
    var changes = r.putArray("changes");
    row.changes().forEach(rev -> changes.addObject().put("rev", rev));
    if (row.deleted()) {
      r.put("deleted", true);
    }
    row.doc().ifPresent(doc -> r.set("doc", Docs.forJson(doc)));
    return r;
  }

  private static ObjectNode render(ChangesResult page, boolean withPending) {
    ObjectNode body = Exchange.object();
    var results = body.putArray("results");
    page.results().forEach(row -> results.add(row(row)));
    body.put("last_seq", page.lastSeq());
    if (withPending) {
      page.pending().ifPresent(p -> body.put("pending", p));
    }
    return body;
  }

  // --- longpoll ---

  private void longpoll(Exchange ex, Database db, Feed feed) {
    ChangesResult page = db.changes(feed.options());
    if (!page.results().isEmpty() || feed.timeoutMs() == 0) {
      ex.send(200, render(page, true));
      return;
    }
    long deadline = deadline(feed.timeoutMs());
    if (feed.heartbeatMs() == 0) {
      // Nothing to send while waiting: answer in one piece.
      ChangesResult waited = db.changes(feed.options().withSince(page.lastSeq()),
          Duration.ofMillis(Math.max(0, deadline - System.currentTimeMillis())));
      ex.send(200, render(waited, true));
      return;
    }
    Stream out = Stream.open(ex, Exchange.JSON_TYPE, "must-revalidate");
    out.write("{\"results\":[\n");
    long since = page.lastSeq();
    ChangesResult found = page;
    while (true) {
      long now = System.currentTimeMillis();
      if (now >= deadline) {
        break;
      }
      long wait = Math.min(feed.heartbeatMs(), deadline - now);
      long latest = db.awaitChanges(since, Duration.ofMillis(wait));
      if (latest > since) {
        found = db.changes(feed.options().withSince(since));
        since = found.lastSeq();
        if (!found.results().isEmpty()) {
          break;
        }
      } else {
        out.write("\n");
      }
    }
    StringBuilder rows = new StringBuilder();
    for (ChangesResult.Row row : found.results()) {
      if (rows.length() > 0) {
        rows.append(",\r\n");
      }
      rows.append(text(row(row)));
    }
    rows.append("\n],\n\"last_seq\":").append(since);
    found.pending().ifPresent(p -> rows.append(",\"pending\":").append(p));
    rows.append("}\n");
    out.write(rows.toString());
    out.close();
  }

  // --- continuous and eventsource ---

  private void continuous(Exchange ex, Database db, Feed feed, boolean eventSource) {
    Stream out = Stream.open(ex, eventSource ? "text/event-stream" : Exchange.JSON_TYPE,
        eventSource ? "no-cache" : "must-revalidate");
    long deadline = deadline(feed.timeoutMs());
    long since = feed.options().since();
    int remaining = feed.options().limit();
    ChangesOptions base = feed.options().withDescending(false);
    boolean more = true;
    while (remaining > 0) {
      if (more) {
        ChangesResult page = db.changes(base.withSince(since).withLimit(Math.min(remaining, CONTINUOUS_PAGE)));
        for (ChangesResult.Row row : page.results()) {
          String json = text(row(row));
          out.write(eventSource ? "data: " + json + "\nid: " + row.seq() + "\n\n" : json + "\n");
          remaining--;
        }
        since = page.lastSeq();
        more = page.pending().isEmpty() && !page.results().isEmpty();
        if (more || remaining <= 0) {
          continue;
        }
      }
      long now = System.currentTimeMillis();
      if (now >= deadline) {
        break;
      }
      long wait = deadline - now;
      if (feed.heartbeatMs() > 0) {
        wait = Math.min(wait, feed.heartbeatMs());
      }
      long latest = db.awaitChanges(since, Duration.ofMillis(wait));
      if (latest > since) {
        more = true;
      } else if (feed.heartbeatMs() > 0) {
        out.write(eventSource ? "event: heartbeat\ndata: \n\n" : "\n");
      }
    }
    if (!eventSource) {
      out.write("{\"last_seq\":" + since + ",\"pending\":0}\n");
    }
    out.close();
  }

  private static long deadline(long timeoutMs) {
    long now = System.currentTimeMillis();
    return timeoutMs >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + timeoutMs;
  }

  private static String text(JsonNode node) {
    try {
      return Exchange.JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A streamed response body; a failed write means the client left. */
  private static final class Stream {
    private final OutputStream out;

    private Stream(OutputStream out) {
      this.out = out;
    }

    static Stream open(Exchange ex, String contentType, String cacheControl) {
      ex.res.status(200);
      ex.res.header(HeaderNames.CONTENT_TYPE, contentType);
      ex.res.header(HeaderNames.CACHE_CONTROL, cacheControl);
      return new Stream(ex.res.outputStream());
    }

    void write(String s) {
      try {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException | RuntimeException e) {
        // Helidon reports a closed connection as an unchecked ServerConnectionException.
        throw new ClientGone(e);
      }
    }

    void close() {
      try {
        out.close();
      } catch (IOException | RuntimeException e) {
        throw new ClientGone(e);
      }
    }
  }
}
