package io.polysync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.WebServer;
import io.polysync.engine.EngineOptions;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.SyncEngine;
import io.polysync.protocol.kinto.KintoFrontEnd;
import io.polysync.protocol.spi.Authenticator;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.Principal;
import io.polysync.spi.StorageConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one user's Kinto listing costs in a shared collection as the collection grows: for each size
 * N, a fresh SQLite storage and a collection filled with N records of other users (each record
 * readable by one of them through its own permissions, {@code --per-user} records per user) and,
 * spread evenly through the fill, {@code --own} records shared with the measured user, who may not
 * read the collection as a whole. The first list after the fill is timed on its own ("index"): it
 * indexes every permission the fill wrote, since the grant index follows the permissions' changes
 * feed. Then that user's records list from the start (every record shared
 * with it, as Kinto.js's first pull asks) and an incremental one ({@code _since} the last ETag, after
 * one new record was shared with it; only the read is timed). The Kinto front-end runs in this
 * process on Helidon, called over HTTP on one kept-alive connection; encryption at rest is on, as
 * the server's default. Each figure is the median of {@code --rounds} runs after as many untimed
 * ones (at least 20), after a whole untimed pass at a small size. Figures print; nothing is asserted.
 *
 * <pre>
 * ./polysync bench kinto-shared [--sizes 1000,1000000] [--own 100] [--per-user 100] [--rounds 20]
 * </pre>
 */
public final class KintoSharedBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN = "admin";
  private static final String RECORDS = "/v1/buckets/shared/collections/notes/records";
  private static final int BATCH = 1_000;
  /** Held, so that the level set on it is not lost to the garbage collector. */
  private static final java.util.logging.Logger HELIDON = java.util.logging.Logger.getLogger("io.helidon");

  private KintoSharedBenchmark() {}

  /** Medians in nanoseconds, and what the fill took. */
  record Figures(int size, double fillSeconds, double indexSeconds, long fullNanos, int fullRows,
      long incrementalNanos) {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    HELIDON.setLevel(java.util.logging.Level.WARNING);
    OwnedBenchmark.Options options = OwnedBenchmark.parse(args, "kinto-shared");
    System.out.printf(Locale.ROOT, "Polysync Kinto shared-collection benchmark: one user's records list among N"
        + " other users' records (%d per user), SQLite, encryption on; %d records shared with the user; median of"
        + " %d rounds%nJVM %s on %d cores%n%n", options.perUser(), options.own(), options.rounds(),
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    run(Math.min(1_000, options.sizes().get(0)), options);
    List<Figures> all = new ArrayList<>();
    for (int size : options.sizes()) {
      all.add(run(size, options));
    }
    Figures base = all.get(0);
    System.out.printf(Locale.ROOT, "%12s %10s %10s | %14s %12s %8s | %14s %12s %8s%n", "N others", "fill s",
        "index s", "list from 0", "lists/s", "x base", "incremental", "lists/s", "x base");
    for (Figures f : all) {
      System.out.printf(Locale.ROOT, "%,12d %10.1f %10.1f | %11.3f ms %,12.0f %8.2f | %11.3f ms %,12.0f %8.2f%n",
          f.size(), f.fillSeconds(), f.indexSeconds(), f.fullNanos() / 1e6, 1e9 / f.fullNanos(),
          (double) f.fullNanos() / base.fullNanos(), f.incrementalNanos() / 1e6, 1e9 / f.incrementalNanos(),
          (double) f.incrementalNanos() / base.incrementalNanos());
    }
    System.out.printf(Locale.ROOT, "%nlist from 0 returns the user's %d records; incremental returns 1. \"index\" is"
        + " the first list after the fill, which indexes every permission the fill wrote.%n", base.fullRows());
  }

  private static Figures run(int size, OwnedBenchmark.Options options) throws Exception {
    Path dir = Files.createTempDirectory("polysync-bench-kinto-shared");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    EngineOptions engineOptions = EngineOptions.defaults()
        .withKeyProvider(KeyProvider.ofKeys(Base64.getEncoder().encodeToString(key)));
    String adminPassword = Base64.getEncoder().encodeToString(key).substring(0, 16);
    try (SyncEngine engine = SyncEngine.open(StorageConfig.of("sqlite:" + dir.resolve("shared.db")), engineOptions)) {
      engine.users().create(ADMIN, adminPassword, List.of(Principal.ADMIN_ROLE));
      engine.users().create("me", "me-password", List.of());
      FrontEndContext context = new FrontEndContext(engine, "bench", new Users(engine),
          Map.of("kinto.batch_max_requests", Integer.toString(BATCH)));
      // As the server does: a listing that leaves in several writes must not wait for delayed ACKs.
      WebServer web = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
          .connectionOptions(socket -> socket.tcpNoDelay(true))
          .routing(r -> new KintoFrontEnd().mount(r, context)).build().start();
      try {
        Client admin = new Client(web.port(), ADMIN, adminPassword);
        Client me = new Client(web.port(), "me", "me-password");
        admin.call("PUT", "/v1/buckets/shared", "{}", 201);
        admin.call("PUT", "/v1/buckets/shared/collections/notes", "{}", 201);

        long start = System.nanoTime();
        int ownWritten = 0;
        List<ObjectNode> batch = new ArrayList<>(BATCH);
        for (int written = 0; written < size; written++) {
          batch.add(put("o" + written, written, "account:user" + (written / options.perUser())));
          // The user's records land evenly among the others', as in a collection in use.
          while (ownWritten < options.own() && (long) ownWritten * size <= (long) (written + 1) * options.own()) {
            batch.add(put("me" + ownWritten, ownWritten, "account:me"));
            ownWritten++;
          }
          if (batch.size() >= BATCH) {
            admin.batch(batch);
            batch.clear();
          }
          if (written % 100_000 == 99_999) {
            System.err.printf(Locale.ROOT, "  N=%,d: %,d written%n", size, written + 1);
          }
        }
        while (ownWritten < options.own()) {
          batch.add(put("me" + ownWritten, ownWritten, "account:me"));
          ownWritten++;
        }
        admin.batch(batch);
        double fill = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        me.call("GET", RECORDS + "?_limit=1", null, 200);
        double index = (System.nanoTime() - start) / 1e9;

        int warm = Math.max(20, options.rounds());
        long[] full = new long[options.rounds()];
        int rows = 0;
        for (int r = -warm; r < options.rounds(); r++) {
          long t = System.nanoTime();
          JsonNode list = me.call("GET", RECORDS + "?_limit=" + (options.own() + warm + 10), null, 200).body();
          long took = System.nanoTime() - t;
          rows = list.path("data").size();
          if (rows != options.own()) {
            throw new IllegalStateException("the list returned " + rows + " records, not " + options.own());
          }
          if (r >= 0) {
            full[r] = took;
          }
        }
        long[] incremental = new long[options.rounds()];
        String etag = me.call("GET", RECORDS + "?_limit=1", null, 200).etag();
        for (int r = -warm; r < options.rounds(); r++) {
          admin.call("PUT", RECORDS + "/extra" + (r + warm),
              put("extra" + (r + warm), r, "account:me").path("body").toString(), 201);
          long t = System.nanoTime();
          Answer answer = me.call("GET", RECORDS + "?_since=" + etag.replace("\"", ""), null, 200);
          long took = System.nanoTime() - t;
          if (answer.body().path("data").size() != 1) {
            throw new IllegalStateException("the incremental list returned " + answer.body().path("data").size()
                + " records");
          }
          etag = answer.etag();
          if (r >= 0) {
            incremental[r] = took;
          }
        }
        return new Figures(size, fill, index, OwnedBenchmark.median(full), rows, OwnedBenchmark.median(incremental));
      } finally {
        web.stop();
      }
    } finally {
      OwnedBenchmark.deleteTree(dir);
    }
  }

  /** A {@code /batch} sub-request writing one record readable by {@code reader}. */
  private static ObjectNode put(String id, int n, String reader) {
    ObjectNode request = JSON.createObjectNode().put("method", "PUT").put("path", RECORDS + "/" + id);
    ObjectNode body = request.putObject("body");
    body.putObject("data").put("n", n).put("text", "a record of one user, about this long, shared with another");
    body.putObject("permissions").putArray("read").add(reader);
    return request;
  }

  record Answer(JsonNode body, String etag) {}

  /** One user's HTTP/1.1 client: Basic credentials, one kept-alive connection. */
  private static final class Client {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String authorization;

    Client(int port, String user, String password) {
      this.base = "http://127.0.0.1:" + port;
      this.authorization = "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    Answer call(String method, String path, String body, int expected) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
          .header("Authorization", authorization);
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<byte[]> res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (res.statusCode() != expected) {
        throw new IllegalStateException(method + " " + path + " answered " + res.statusCode() + ": "
            + new String(res.body(), StandardCharsets.UTF_8));
      }
      JsonNode json = res.body().length == 0 ? JSON.nullNode() : JSON.readTree(res.body());
      return new Answer(json, res.headers().firstValue("ETag").orElse(null));
    }

    void batch(List<ObjectNode> requests) throws Exception {
      if (requests.isEmpty()) {
        return;
      }
      ObjectNode body = JSON.createObjectNode();
      ArrayNode list = body.putArray("requests");
      requests.forEach(list::add);
      JsonNode answer = call("POST", "/v1/batch", body.toString(), 200).body();
      for (JsonNode response : answer.path("responses")) {
        int status = response.path("status").asInt();
        if (status != 201 && status != 200) {
          throw new IllegalStateException("a batched write answered " + status + ": " + response.path("body"));
        }
      }
    }
  }

  /**
   * The engine's accounts, each password checked once: the server's own authenticator keeps
   * verified credentials for a while too, and the slow password hash is not what is measured.
   */
  private record Users(SyncEngine engine, Map<String, Principal> verified) implements Authenticator {
    Users(SyncEngine engine) {
      this(engine, new java.util.concurrent.ConcurrentHashMap<>());
    }

    @Override
    public Optional<Principal> authenticate(String name, String password) {
      String key = name + "\u0000" + password;
      Principal known = verified.get(key);
      if (known != null) {
        return Optional.of(known);
      }
      Optional<Principal> found = engine.users().authenticate(name, password)
          .map(u -> new Principal(u.name(), u.roles()));
      found.ifPresent(p -> verified.put(key, p));
      return found;
    }

    @Override
    public String issueSession(Principal principal) {
      throw new UnsupportedOperationException("no sessions in this benchmark");
    }

    @Override
    public Optional<Principal> verifySession(String token) {
      return Optional.empty();
    }

    @Override
    public Duration sessionLifetime() {
      return Duration.ofMinutes(10);
    }
  }
}
