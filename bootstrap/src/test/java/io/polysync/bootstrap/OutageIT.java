package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers (two storages, two pools, two change listeners, as two processes would have) on a
 * database of the test's own that goes away in the middle of their requests: killed and started
 * again, or frozen and let go. While it is away every request is answered 503 with
 * {@code Retry-After} within a bounded time, never 500 and never a hang; when it is back both
 * servers serve again by themselves, every acknowledged write is there, and a write through one
 * wakes a longpoll on the other.
 *
 * <p>The bounds asserted here are generous multiples of the configured timeouts, for a machine
 * under load; they guard against hangs and against retries that multiply the wait, not speed.
 */
final class OutageIT {
  private static final java.util.logging.Logger HELIDON = java.util.logging.Logger.getLogger("io.helidon");
  private static final java.util.logging.Logger POLYSYNC = java.util.logging.Logger.getLogger("io.polysync");
  private static final String ADMIN = basic("boss", "secret");
  /** How long one request may take while the database is away (see each test's timeouts). */
  private static final Duration AWAY_BOUND = Duration.ofSeconds(10);
  private static final Duration RECOVERY_BOUND = Duration.ofSeconds(60);

  /** Warnings other than the expected one-line 503s, kept to explain an unexpected answer. */
  private static final List<String> WARNINGS = new CopyOnWriteArrayList<>();

  static {
    // The outage makes the pool and the listeners warn, as they should: the warnings are
    // collected instead of printed, and shown when an answer is not what it should be.
    java.util.logging.Handler collect = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
            && !String.valueOf(r.getMessage()).startsWith("storage unavailable")) {
          java.io.StringWriter trace = new java.io.StringWriter();
          if (r.getThrown() != null) {
            r.getThrown().printStackTrace(new java.io.PrintWriter(trace));
          }
          WARNINGS.add(r.getLoggerName() + ": " + r.getMessage() + "\n" + trace);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    for (java.util.logging.Logger logger : List.of(HELIDON, POLYSYNC)) {
      logger.setLevel(java.util.logging.Level.WARNING);
      logger.setUseParentHandlers(false);
      logger.addHandler(collect);
    }
  }

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  final ObjectMapper json = new ObjectMapper();

  @Test
  void redis_killedAndStartedAgain_503ThenRecovers_nothingAcknowledgedLost() throws Exception {
    try (PrivateRedis redis = new PrivateRedis("")) {
      redis.start();
      outage("redis killed", redis, redis::kill, redis::start);
    }
  }

  @Test
  void redis_frozen_503AfterTheCommandTimeout_thenRecovers() throws Exception {
    // timeout: Lettuce's command timeout, which bounds a request to a server that does not answer.
    try (PrivateRedis redis = new PrivateRedis("timeout=2s")) {
      redis.start();
      outage("redis frozen", redis, redis::freeze, redis::thaw);
    }
  }

  @Test
  void postgresql_killedAndStartedAgain_503ThenRecovers_nothingAcknowledgedLost() throws Exception {
    // A short pool timeout keeps the test short; the point is that a read waits it out once, not
    // once per retry.
    try (PrivatePostgres pg = new PrivatePostgres("pool.timeout=2000")) {
      pg.start();
      outage("postgresql killed", pg, pg::kill, pg::start);
    }
  }

  @Test
  void postgresql_frozen_503AfterTheSocketTimeout_thenRecovers() throws Exception {
    // socketTimeout (seconds, the driver's): bounds a statement sent to a server that does not
    // answer, as pool.timeout bounds the wait for a connection.
    try (PrivatePostgres pg = new PrivatePostgres("pool.timeout=2000&socketTimeout=3")) {
      pg.start();
      outage("postgresql frozen", pg, pg::freeze, pg::thaw);
    }
  }

  private void outage(String label, PrivateDatabase db, Runnable goAway, Runnable comeBack) throws Exception {
    WARNINGS.clear();
    ServeOptions options = new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"),
        Optional.of(db.storageUri()), Map.of());
    try (Server a = Server.start(options, System.out); Server b = Server.start(options, System.out)) {
      assertThat(send(a, "PUT", "/notes", null).statusCode()).isEqualTo(201);
      assertThat(send(a, "PUT", "/v1/buckets/app", "{}").statusCode()).isIn(200, 201);
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      for (int i = 0; i < 20; i++) {
        write(i % 2 == 0 ? a : b, "before-" + i, acknowledged);
      }
      // Both servers follow the database, so both have change listeners to lose.
      assertThat(longpoll(b, seq(a), 100).statusCode()).isEqualTo(200);
      assertThat(longpoll(a, seq(a), 100).statusCode()).isEqualTo(200);

      // Writers and readers keep going through the outage: the database goes away mid-request.
      AtomicBoolean stop = new AtomicBoolean();
      List<String> unexpected = new CopyOnWriteArrayList<>();
      AtomicInteger unavailable = new AtomicInteger();
      ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();
      List<Future<?>> workers = new ArrayList<>();
      for (Server server : List.of(a, b, a, b, a, b)) {
        String name = (server == a ? "a" : "b") + workers.size();
        workers.add(load.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            int status = write(server, "during-" + name + "-" + i, acknowledged);
            tally(status, unavailable, unexpected, "PUT via " + name);
          }
          return null;
        }));
        workers.add(load.submit(() -> {
          while (!stop.get()) {
            tally(send(server, "GET", "/notes/before-1", null).statusCode(), unavailable, unexpected, "GET via " + name);
          }
          return null;
        }));
      }
      PrivateDatabase.sleep(300);
      goAway.run();
      try {
        awaitCount(unavailable, 4, "503s from the load while the database is away");
        // User records are trusted for a second (EngineOptions.accessCacheMillis); past that
        // even a request that reads nothing else needs the storage.
        PrivateDatabase.sleep(1_100);

        // Every kind of request, through both servers, all at once: 503, Retry-After, the
        // front-end's error body, within the bound.
        record Probe(String what, HttpResponse<String> res, Duration took) {}
        List<Future<Probe>> probes = new ArrayList<>();
        try (ExecutorService at = Executors.newVirtualThreadPerTaskExecutor()) {
          for (Server server : List.of(a, b)) {
            for (String[] call : List.of(
                new String[] {"GET", "/notes", null},
                new String[] {"GET", "/notes/before-0", null},
                new String[] {"PUT", "/notes/away", "{}"},
                new String[] {"POST", "/notes/_bulk_docs", "{\"docs\":[{\"_id\":\"away2\"}]}"},
                new String[] {"GET", "/notes/_changes?since=0", null},
                new String[] {"GET", "/notes/_all_docs", null},
                new String[] {"POST", "/notes/_revs_diff", "{\"before-0\":[\"1-00000000000000000000000000000000\"]}"},
                new String[] {"POST", "/notes/_bulk_get", "{\"docs\":[{\"id\":\"before-0\"}]}"},
                new String[] {"GET", "/notes/_local/checkpoint", null},
                new String[] {"GET", "/notes/_changes?feed=longpoll&since=now&timeout=1000", null},
                new String[] {"GET", "/_session", null},
                new String[] {"GET", "/v1/buckets/app", null},
                new String[] {"GET", "/v1/__heartbeat__", null})) {
              probes.add(at.submit(() -> {
                long started = System.nanoTime();
                HttpResponse<String> res = send(server, call[0], call[1], call[2]);
                return new Probe(label + " via " + (server == a ? "a" : "b") + ": " + call[0] + " " + call[1], res,
                    Duration.ofNanos(System.nanoTime() - started));
              }));
            }
          }
        }
        for (Future<Probe> f : probes) {
          Probe p = f.get();
          assertThat(p.res().statusCode()).as(p.what() + " " + p.res().body() + warnings()).isEqualTo(503);
          assertThat(p.took()).as(p.what() + " took").isLessThan(AWAY_BOUND);
          JsonNode body = json.readTree(p.res().body());
          if (p.what().endsWith("__heartbeat__")) {
            assertThat(body.path("storage").asBoolean()).as(p.what()).isFalse();
          } else if (p.what().contains(" /v1/")) {
            assertThat(body.path("errno").asInt()).as(p.what()).isEqualTo(201);
            assertThat(p.res().headers().firstValue("Retry-After")).as(p.what()).isPresent();
          } else {
            assertThat(body.path("error").asText()).as(p.what()).isEqualTo("service_unavailable");
            assertThat(p.res().headers().firstValue("Retry-After")).as(p.what()).isPresent();
          }
        }
        // The processes are up: a load balancer's liveness checks pass.
        for (Server server : List.of(a, b)) {
          assertThat(send(server, "GET", "/_up", null).statusCode()).isEqualTo(200);
          assertThat(send(server, "GET", "/v1/__lbheartbeat__", null).statusCode()).isEqualTo(200);
        }
      } finally {
        comeBack.run();
      }

      // Back by itself: no restart of either server.
      long back = System.nanoTime();
      for (Server server : List.of(a, b)) {
        awaitStatus(server, "/notes", 200);
        awaitStatus(server, "/v1/buckets/app", 200);
      }
      System.out.printf("%s: both servers answered 200 again %d ms after the database came back%n",
          label, Duration.ofNanos(System.nanoTime() - back).toMillis());
      stop.set(true);
      for (Future<?> w : workers) {
        w.get();
      }
      load.close();
      assertThat(unexpected).as(label + ": answers other than 2xx and 503 during the outage" + warnings()).isEmpty();

      // Nothing acknowledged is lost: every write answered 201 is there with the revision it got.
      Map<String, String> stored = revisions(b);
      for (Map.Entry<String, String> e : acknowledged.entrySet()) {
        assertThat(stored.get(e.getKey())).as(label + ": acknowledged " + e.getKey()).isEqualTo(e.getValue());
      }
      assertThat(acknowledged.keySet()).as(label + ": writes acknowledged").hasSizeGreaterThan(20);

      // The change listeners are back: a write through one server wakes a longpoll on the other
      // (well before the longpoll's own timeout, which would answer it anyway).
      for (Server[] pair : List.of(new Server[] {a, b}, new Server[] {b, a})) {
        Server writer = pair[0];
        Server follower = pair[1];
        long since = seq(follower);
        try (ExecutorService one = Executors.newVirtualThreadPerTaskExecutor()) {
          long started = System.nanoTime();
          Future<HttpResponse<String>> poll = one.submit(() -> longpoll(follower, since, 30_000));
          PrivateDatabase.sleep(300);
          String id = "after-" + System.nanoTime();
          assertThat(write(writer, id, acknowledged)).isEqualTo(201);
          HttpResponse<String> answer = poll.get();
          assertThat(answer.statusCode()).isEqualTo(200);
          assertThat(answer.body()).contains(id);
          assertThat(Duration.ofNanos(System.nanoTime() - started)).as(label + ": cross-server wake-up")
              .isLessThan(Duration.ofSeconds(15));
        }
      }
    }
  }

  private static String warnings() {
    return WARNINGS.isEmpty() ? "" : "; warnings logged:\n" + String.join("\n", WARNINGS);
  }

  private static void tally(int status, AtomicInteger unavailable, List<String> unexpected, String what) {
    if (status == 503) {
      unavailable.incrementAndGet();
    } else if (status < 200 || status >= 300) {
      unexpected.add(what + ": " + status);
    }
  }

  private static void awaitCount(AtomicInteger count, int atLeast, String what) {
    long deadline = System.nanoTime() + AWAY_BOUND.toNanos() * 2;
    while (count.get() < atLeast) {
      assertThat(System.nanoTime() < deadline).as(what).isTrue();
      PrivateDatabase.sleep(50);
    }
  }

  private void awaitStatus(Server server, String path, int status) throws Exception {
    long deadline = System.nanoTime() + RECOVERY_BOUND.toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = send(server, "GET", path, null).statusCode();
      if (last == status) {
        return;
      }
      assertThat(last).as("GET " + path + " while the database comes back").isEqualTo(503);
      PrivateDatabase.sleep(100);
    }
    throw new AssertionError("GET " + path + " still answered " + last + " " + RECOVERY_BOUND + " after the database came back");
  }

  /** PUTs a new document; on 201 records its revision as acknowledged. */
  private int write(Server server, String id, Map<String, String> acknowledged) throws Exception {
    HttpResponse<String> res = send(server, "PUT", "/notes/" + id, "{\"v\":\"" + id + "\"}");
    if (res.statusCode() == 201) {
      acknowledged.put(id, json.readTree(res.body()).get("rev").asText());
    }
    return res.statusCode();
  }

  private Map<String, String> revisions(Server server) throws Exception {
    HttpResponse<String> res = send(server, "GET", "/notes/_all_docs", null);
    assertThat(res.statusCode()).isEqualTo(200);
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode row : json.readTree(res.body()).get("rows")) {
      out.put(row.get("id").asText(), row.path("value").path("rev").asText());
    }
    return out;
  }

  private long seq(Server server) throws Exception {
    HttpResponse<String> res = send(server, "GET", "/notes", null);
    assertThat(res.statusCode()).isEqualTo(200);
    return json.readTree(res.body()).get("update_seq").asLong();
  }

  private HttpResponse<String> longpoll(Server server, long since, int timeoutMillis) throws Exception {
    return send(server, "GET", "/notes/_changes?feed=longpoll&since=" + since + "&timeout=" + timeoutMillis, null);
  }

  private HttpResponse<String> send(Server server, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        // Far above every bound: a request that hangs fails the test instead of stalling it.
        .timeout(Duration.ofSeconds(90))
        .header("Authorization", ADMIN);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
