package io.polysync.protocol.kinto;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.polysync.engine.Database;
import io.polysync.protocol.spi.FrontEndMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Live notifications, beyond Kinto: {@code GET /v1/buckets/{bid}/collections/{cid}/events} is a
 * Server-Sent Events stream that sends {@code event: change} with the collection timestamp (as
 * {@code id} and in {@code data}) whenever the records the caller may read changed, so a client
 * runs {@code sync()} only when one is due. A reconnecting client sends {@code Last-Event-ID} (or
 * {@code ?_since=}) and gets an event at once if it missed a change. A comment line every 25 s
 * keeps proxies from closing an idle stream.
 */
final class Events {
  private static final Duration HEARTBEAT = Duration.ofSeconds(25);
  private final KintoApi api;

  private final FrontEndMetrics metrics;

  Events(KintoApi api, FrontEndMetrics metrics) {
    this.metrics = metrics;
    this.api = api;
  }

  static boolean matches(String method, List<String> s) {
    return method.equals("GET") && s.size() == 5 && s.get(0).equals("buckets") && s.get(2).equals("collections")
        && s.get(4).equals("events");
  }

  void stream(KintoRequest r, ServerRequest req, ServerResponse res) {
    KintoApi.Target collection;
    long since;
    Database db;
    try {
      List<String> s = r.segments();
      collection = api.target(r, s.subList(0, 4));
      KintoApi.Target records = new KintoApi.Target(KintoApi.Level.RECORD, collection.bucket(), collection.id(), null);
      api.handle(new KintoRequest("HEAD", List.of("buckets", collection.bucket(), "collections", collection.id()),
          r.path(), List.of(), r.headers(), new byte[0], r.caller(), r.base()));
      since = r.header("last-event-id").or(() -> r.param("_since")).map(KintoApi::parseEtag).orElse(-1L);
      db = api.recordStore(records.bucket(), records.collection()).database();
      if (!canListen(r, collection)) {
        throw KintoApi.denied(r.caller());
      }
    } catch (KintoException e) {
      KintoResponse answer = KintoResponse.error(e);
      res.status(answer.status);
      KintoHttp.securityHeaders(res);
      answer.headers.forEach(res::header);
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.send(Json.bytes(answer.body));
      return;
    }
    res.status(200);
    res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
    KintoHttp.securityHeaders(res);
    try (FrontEndMetrics.OpenFeed open = metrics.feedOpened("sse"); OutputStream out = res.outputStream()) {
      write(out, "retry: 2000\n\n");
      long seq = db.info().updateSeq();
      long last = timestamp(r, collection);
      if (since >= 0 && last > since) {
        event(out, last);
      }
      while (true) {
        long now = db.awaitChanges(seq, HEARTBEAT);
        if (now > seq) {
          seq = now;
          long ts = timestamp(r, collection);
          if (ts != last) {
            last = ts;
            event(out, ts);
          }
        } else {
          write(out, ": heartbeat\n\n");
        }
      }
    } catch (IOException | RuntimeException e) {
      // The client left (Helidon reports it as an I/O or a runtime failure of the stream); the
      // answer has started, so there is nothing left to tell it.
    }
  }

  private boolean canListen(KintoRequest r, KintoApi.Target collection) {
    KintoRequest probe = new KintoRequest("GET", List.of("buckets", collection.bucket(), "collections", collection.id()),
        r.path(), List.of(), r.headers(), new byte[0], r.caller(), r.base());
    return api.handle(probe).status == 200;
  }

  /** The records list's ETag as the caller sees it. */
  private long timestamp(KintoRequest r, KintoApi.Target collection) {
    api.catalog.refresh();
    KintoRequest head = new KintoRequest("HEAD",
        List.of("buckets", collection.bucket(), "collections", collection.id(), "records"),
        r.path(), List.of(), r.headers(), new byte[0], r.caller(), r.base());
    String etag = api.handle(head).headers.get("ETag");
    return etag == null ? 0 : KintoApi.parseEtag(etag);
  }

  private static void event(OutputStream out, long ts) throws IOException {
    write(out, "id: " + ts + "\nevent: change\ndata: {\"last_modified\":" + ts + "}\n\n");
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
