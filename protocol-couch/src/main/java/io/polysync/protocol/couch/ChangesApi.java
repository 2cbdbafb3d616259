package io.polysync.protocol.couch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.SyncEngine;
import io.polysync.protocol.spi.FrontEndMetrics;
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
  /** Rows read from storage at once by a streamed feed, so a long feed never sits in memory whole. */
  static final int FEED_PAGE = 500;
  /** CouchDB's limit when none is given ({@code #changes_args.limit}); {@code seq_interval} counts down from it. */
  static final long COUCH_DEFAULT_LIMIT = 1_000_000_000_000_000L;

  private final SyncEngine engine;

  ChangesApi(SyncEngine engine) {
    this.engine = engine;
  }

  /**
   * @param seqInterval CouchDB's {@code seq_interval}: only every Nth row carries its {@code seq};
   *     0 when not asked for
   * @param limitParam the {@code limit} as given, for {@code seq_interval}'s count
   */
  private record Feed(String mode, ChangesOptions options, long heartbeatMs, long timeoutMs, long seqInterval,
      long limitParam) {}

  /**
   * Which rows show their {@code seq} under {@code seq_interval}, as CouchDB's {@code
   * fabric_view_changes} decides: a row does when the limit still to go (counting this row) is a
   * multiple of the interval; the others show {@code null}. The count runs over the whole feed.
   */
  private static final class Seqs {
    private final long interval;
    private long remaining;

    Seqs(Feed feed) {
      this.interval = feed.seqInterval();
      this.remaining = feed.limitParam();
    }

    /** The seq to show for the next row, or null. */
    Long next(long seq) {
      if (interval == 0) {
        return seq;
      }
      boolean shown = remaining % interval == 0;
      remaining--;
      return shown ? seq : null;
    }
  }

  void handle(Exchange ex, Database db) {
    CouchRouter.requireMethod(ex, "GET", "HEAD", "POST");
    Feed feed = parse(ex, db);
    if (feed.mode().equals("normal")) {
      normal(ex, db, feed);
      return;
    }
    // "live" is CouchDB's other name for continuous.
    String kind = feed.mode().equals("live") ? "continuous" : feed.mode();
    try (FrontEndMetrics.OpenFeed open = ex.metrics.feedOpened(kind)) {
      switch (feed.mode()) {
        case "longpoll" -> longpoll(ex, db, feed);
        case "continuous", "live" -> continuous(ex, db, feed, false);
        case "eventsource" -> continuous(ex, db, feed, true);
        default -> throw CouchException.badRequest(
            "Supported `feed` types: normal, continuous, live, longpoll, eventsource");
      }
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
        JsonNode node = ex.parseJson(raw);
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
    long seqInterval = 0;
    Optional<String> interval = ex.param("seq_interval");
    if (interval.isPresent()) {
      try {
        seqInterval = Long.parseLong(interval.get().trim());
      } catch (NumberFormatException e) {
        seqInterval = -1;
      }
      if (seqInterval <= 0) {
        // CouchDB's own answer: {bad_request, invalid_seq_interval}.
        throw CouchException.badRequest("invalid_seq_interval");
      }
    }
    long limitParam = ex.param("limit").isPresent() ? options.limit() : COUCH_DEFAULT_LIMIT;
    return new Feed(mode, options, heartbeat, timeout, seqInterval, limitParam);
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

  private static ObjectNode row(ChangesResult.Row row, Long seq) {
    ObjectNode r = Exchange.object();
    if (seq == null) {
      r.putNull("seq");
    } else {
      r.put("seq", seq);
    }
    r.put("id", row.id());
    var changes = r.putArray("changes");
    row.changes().forEach(rev -> changes.addObject().put("rev", rev));
    if (row.deleted()) {
      r.put("deleted", true);
    }
    row.doc().ifPresent(doc -> r.set("doc", Docs.forJson(doc)));
    return r;
  }

  private static ObjectNode render(Exchange ex, ChangesResult page, Seqs seqs) {
    ex.metrics.documentsOut(FrontEndMetrics.VIA_FEED, page.results().size());
    ObjectNode body = Exchange.object();
    var results = body.putArray("results");
    page.results().forEach(row -> results.add(row(row, seqs.next(row.seq()))));
    body.put("last_seq", page.lastSeq());
    page.pending().ifPresent(p -> body.put("pending", p));
    return body;
  }

  /** Rows as CouchDB streams them: one per line, separated by a comma. */
  private static String rows(Exchange ex, ChangesResult page, Seqs seqs, boolean first) {
    ex.metrics.documentsOut(FrontEndMetrics.VIA_FEED, page.results().size());
    StringBuilder out = new StringBuilder();
    for (ChangesResult.Row row : page.results()) {
      if (!first || out.length() > 0) {
        out.append(",\n");
      }
      out.append(text(row(row, seqs.next(row.seq()))));
    }
    return out.toString();
  }

  private static String ending(long lastSeq, java.util.OptionalLong pending) {
    StringBuilder out = new StringBuilder("\n],\n\"last_seq\":").append(lastSeq);
    pending.ifPresent(p -> out.append(",\"pending\":").append(p));
    return out.append("}\n").toString();
  }

  // --- normal ---

  /**
   * One page answers whole (gzipped from 1 KiB, as every JSON answer); a feed longer than a page
   * (CouchDB's replicator asks with no limit) streams page by page, gzipped when the client
   * accepts it, so it never sits in memory whole.
   */
  private void normal(Exchange ex, Database db, Feed feed) {
    ChangesOptions options = feed.options();
    Seqs seqs = new Seqs(feed);
    if (options.descending() || ex.method.equals("HEAD") || options.limit() <= FEED_PAGE) {
      ex.send(200, render(ex, db.changes(options), seqs));
      return;
    }
    ChangesResult page = db.changes(options.withLimit(FEED_PAGE));
    if (page.pending().isPresent()) {
      ex.send(200, render(ex, page, seqs));
      return;
    }
    FeedOutput out = FeedOutput.open(ex, Exchange.JSON_TYPE, "must-revalidate", ex.acceptsGzip());
    out.write("{\"results\":[\n" + rows(ex, page, seqs, true));
    int remaining = options.limit() - page.results().size();
    while (page.pending().isEmpty() && remaining > 0 && !page.results().isEmpty()) {
      page = db.changes(options.withSince(page.lastSeq()).withLimit(Math.min(remaining, FEED_PAGE)));
      remaining -= page.results().size();
      out.write(rows(ex, page, seqs, false));
    }
    out.write(ending(page.lastSeq(), page.pending()));
    out.close();
  }

  // --- longpoll ---

  /**
   * Answers at once when there are changes. Otherwise waits; a change that comes before the first
   * heartbeat is due is answered whole, like any JSON answer (the usual live case: no chunking,
   * and no compressor for a few hundred bytes). Only a wait that needs a heartbeat streams: the
   * opening, a newline per heartbeat, then the rows, gzipped when the client accepts it.
   */
  private void longpoll(Exchange ex, Database db, Feed feed) {
    Seqs seqs = new Seqs(feed);
    ChangesResult page = db.changes(feed.options());
    if (!page.results().isEmpty() || feed.timeoutMs() == 0) {
      ex.send(200, render(ex, page, seqs));
      return;
    }
    long deadline = deadline(feed.timeoutMs());
    long firstWait = deadline - System.currentTimeMillis();
    if (feed.heartbeatMs() > 0) {
      firstWait = Math.min(firstWait, feed.heartbeatMs());
    }
    ChangesResult waited = db.changes(feed.options().withSince(page.lastSeq()), Duration.ofMillis(Math.max(0, firstWait)));
    if (!waited.results().isEmpty() || feed.heartbeatMs() == 0 || System.currentTimeMillis() >= deadline) {
      ex.send(200, render(ex, waited, seqs));
      return;
    }
    FeedOutput out = FeedOutput.open(ex, Exchange.JSON_TYPE, "must-revalidate", ex.acceptsGzip());
    out.write("{\"results\":[\n\n");
    long since = waited.lastSeq();
    ChangesResult found = waited;
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
    out.write(rows(ex, found, seqs, true) + ending(since, found.pending()));
    out.close();
  }

  // --- continuous and eventsource ---

  /**
   * Never gzipped: these feeds live as long as the client stays (CouchDB's replicator reconnects
   * every {@code timeout}, browsers keep an EventSource open indefinitely) and flush a row at a
   * time, so a compressor would be held per open feed while a flushed row of a few hundred bytes
   * compresses little.
   */
  private void continuous(Exchange ex, Database db, Feed feed, boolean eventSource) {
    FeedOutput out = FeedOutput.open(ex, eventSource ? "text/event-stream" : Exchange.JSON_TYPE,
        eventSource ? "no-cache" : "must-revalidate", false);
    Seqs seqs = new Seqs(feed);
    long deadline = deadline(feed.timeoutMs());
    long since = feed.options().since();
    int remaining = feed.options().limit();
    ChangesOptions base = feed.options().withDescending(false);
    boolean more = true;
    while (remaining > 0) {
      if (more) {
        ChangesResult page = db.changes(base.withSince(since).withLimit(Math.min(remaining, FEED_PAGE)));
        for (ChangesResult.Row row : page.results()) {
          Long seq = seqs.next(row.seq());
          String json = text(row(row, seq));
          // A row without its seq gets no event id: the browser keeps resuming from the last one.
          out.write(eventSource ? "data: " + json + "\n" + (seq == null ? "" : "id: " + seq + "\n") + "\n" : json + "\n");
          remaining--;
          ex.metrics.documentsOut(FrontEndMetrics.VIA_FEED, 1);
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
}
