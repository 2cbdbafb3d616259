package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of a real server on SQLite after CouchDB and Kinto requests. */
final class MetricsTest {
  private static final String BOSS = Http.basic("boss", "secret");

  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;

  private Server start(ObserveOptions observe) {
    return Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(), Map.of())
        .withObserve(observe), System.out);
  }

  private static List<Http.Sample> scrape(Http http) throws Exception {
    HttpResponse<String> res = http.get("/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
    return Http.parse(res.body());
  }

  private static double requests(List<Http.Sample> s, String route, String method, String status) {
    return Http.value(s, "polysync_http_server_requests_seconds_count",
        Map.of("route", route, "method", method, "status", status));
  }

  @Test
  void metrics_afterCouchAndKintoRequests_countByRouteTemplateWithoutIds() throws Exception {
    try (Server server = start(ObserveOptions.defaults())) {
      Http http = new Http(server);
      assertThat(http.send("PUT", "/secretdb", BOSS, null).statusCode()).isEqualTo(201);
      assertThat(http.send("PUT", "/secretdb/doc-id-one", BOSS, "{\"a\":1}").statusCode()).isEqualTo(201);
      assertThat(http.send("POST", "/secretdb/_bulk_docs", BOSS,
          "{\"docs\":[{\"_id\":\"doc-id-two\"},{\"_id\":\"doc-id-three\"}]}").statusCode()).isEqualTo(201);
      assertThat(http.send("GET", "/secretdb/_changes", BOSS, null).statusCode()).isEqualTo(200);
      assertThat(http.send("GET", "/secretdb/_changes?since=0", BOSS, null).statusCode()).isEqualTo(200);
      assertThat(http.send("GET", "/secretdb/doc-id-one", BOSS, null).statusCode()).isEqualTo(200);
      assertThat(http.send("GET", "/secretdb/doc-id-missing", BOSS, null).statusCode()).isEqualTo(404);
      assertThat(http.send("GET", "/secretdb/_all_docs", BOSS, null).statusCode()).isEqualTo(200);
      assertThat(http.send("GET", "/secretdb/_all_docs", null, null).statusCode()).isEqualTo(401);

      assertThat(http.send("PUT", "/v1/buckets/secretbucket", BOSS, null).statusCode()).isEqualTo(201);
      assertThat(http.send("PUT", "/v1/buckets/secretbucket/collections/secretcoll", BOSS, null).statusCode())
          .isEqualTo(201);
      assertThat(http.send("PUT", "/v1/buckets/secretbucket/collections/secretcoll/records/rec-id-one", BOSS,
          "{\"data\":{\"title\":\"x\"}}").statusCode()).isEqualTo(201);
      assertThat(http.send("GET", "/v1/buckets/secretbucket/collections/secretcoll/records", BOSS, null)
          .statusCode()).isEqualTo(200);

      HttpResponse<String> raw = http.get("/metrics");
      for (String id : List.of("secretdb", "doc-id", "secretbucket", "secretcoll", "rec-id")) {
        assertThat(raw.body()).doesNotContain(id);
      }
      List<Http.Sample> s = scrape(http);
      assertThat(requests(s, "couch:/{db}", "PUT", "201")).isEqualTo(1);
      assertThat(requests(s, "couch:/{db}/{docid}", "PUT", "201")).isEqualTo(1);
      assertThat(requests(s, "couch:/{db}/_bulk_docs", "POST", "201")).isEqualTo(1);
      assertThat(requests(s, "couch:/{db}/_changes", "GET", "200")).isEqualTo(2);
      assertThat(requests(s, "couch:/{db}/{docid}", "GET", "200")).isEqualTo(1);
      assertThat(requests(s, "couch:/{db}/{docid}", "GET", "404")).isEqualTo(1);
      assertThat(requests(s, "couch:/{db}/_all_docs", "GET", "200")).isEqualTo(1);
      assertThat(requests(s, "couch:/{db}/_all_docs", "GET", "401")).isEqualTo(1);
      assertThat(requests(s, "kinto:/buckets/{bid}", "PUT", "201")).isEqualTo(1);
      assertThat(requests(s, "kinto:/buckets/{bid}/collections/{cid}", "PUT", "201")).isEqualTo(1);
      assertThat(requests(s, "kinto:/buckets/{bid}/collections/{cid}/records/{rid}", "PUT", "201")).isEqualTo(1);
      assertThat(requests(s, "kinto:/buckets/{bid}/collections/{cid}/records", "GET", "200")).isEqualTo(1);
      // The first scrape, answered before it was counted.
      assertThat(requests(s, "server:/metrics", "GET", "200")).isEqualTo(1);

      // The latency histogram: cumulative buckets up to +Inf, which equals the count.
      Map<String, String> changes = Map.of("route", "couch:/{db}/_changes", "method", "GET", "status", "200");
      List<Http.Sample> buckets = s.stream()
          .filter(x -> x.name().equals("polysync_http_server_requests_seconds_bucket")
              && x.labels().entrySet().containsAll(changes.entrySet()))
          .toList();
      assertThat(buckets).hasSizeGreaterThan(10);
      assertThat(buckets.stream().map(b -> b.labels().get("le"))).contains("0.001", "0.1", "60.0", "+Inf");
      assertThat(buckets.get(buckets.size() - 1).value()).isEqualTo(2);
      assertThat(Http.value(s, "polysync_http_server_requests_seconds_sum", changes)).isPositive();

      assertThat(Http.value(s, "polysync_documents_in_total", Map.of("protocol", "couch"))).isEqualTo(3);
      assertThat(Http.value(s, "polysync_documents_in_total", Map.of("protocol", "kinto"))).isEqualTo(1);
      // Two feeds of three rows each; one document read; three _all_docs rows.
      assertThat(Http.value(s, "polysync_documents_out_total", Map.of("protocol", "couch", "via", "feed")))
          .isEqualTo(6);
      assertThat(Http.value(s, "polysync_documents_out_total", Map.of("protocol", "couch", "via", "read")))
          .isEqualTo(1);
      assertThat(Http.value(s, "polysync_documents_out_total", Map.of("protocol", "couch", "via", "list")))
          .isEqualTo(3);
      assertThat(Http.value(s, "polysync_documents_out_total", Map.of("protocol", "kinto", "via", "list")))
          .isEqualTo(1);
    }
  }

  @Test
  void storageMetrics_timeEachOperationOfTheAdapter() throws Exception {
    try (Server server = start(ObserveOptions.defaults())) {
      Http http = new Http(server);
      assertThat(http.send("PUT", "/db", BOSS, null).statusCode()).isEqualTo(201);
      assertThat(http.send("PUT", "/db/doc", BOSS, "{}").statusCode()).isEqualTo(201);
      assertThat(http.send("GET", "/db/_changes", BOSS, null).statusCode()).isEqualTo(200);
      assertThat(http.send("PUT", "/db/_local/checkpoint", BOSS, "{}").statusCode()).isEqualTo(201);

      List<Http.Sample> s = scrape(http);
      for (String operation : List.of("namespaces.create", "namespaces.get", "documents.write",
          "documents.changes", "documents.getAll", "locals.put")) {
        Map<String, String> labels = Map.of("adapter", "sql", "operation", operation, "outcome", "ok");
        assertThat(Http.value(s, "polysync_storage_operation_seconds_count", labels))
            .as(operation).isGreaterThanOrEqualTo(1);
        assertThat(Http.value(s, "polysync_storage_operation_seconds_bucket",
            Map.of("adapter", "sql", "operation", operation, "outcome", "ok", "le", "+Inf")))
            .as(operation).isEqualTo(Http.value(s, "polysync_storage_operation_seconds_count", labels));
      }
      // Operations never called are there at zero, so dashboards need no special case.
      assertThat(s).anyMatch(x -> x.name().equals("polysync_storage_operation_seconds_count")
          && x.labels().get("operation").equals("blobs.delete") && x.value() == 0);
    }
  }

  @Test
  void feedsGauge_countsALongpollWhileItWaits() throws Exception {
    try (Server server = start(ObserveOptions.defaults())) {
      Http http = new Http(server);
      assertThat(http.send("PUT", "/db", BOSS, null).statusCode()).isEqualTo(201);
      Map<String, String> longpoll = Map.of("protocol", "couch", "kind", "longpoll");
      CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return http.send("GET", "/db/_changes?feed=longpoll&since=now&timeout=60000", BOSS, null);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      awaitGauge(http, longpoll, 1);
      assertThat(http.send("PUT", "/db/wake", BOSS, "{}").statusCode()).isEqualTo(201);
      assertThat(waiting.get().statusCode()).isEqualTo(200);
      assertThat(waiting.get().body()).contains("\"wake\"");
      awaitGauge(http, longpoll, 0);
    }
  }

  /** Waits (without a time bound of its own: the feed's timeout ends it) for the gauge to read {@code expected}. */
  private static void awaitGauge(Http http, Map<String, String> labels, double expected) throws Exception {
    for (int i = 0; i < 2000; i++) {
      if (Http.value(scrape(http), "polysync_feeds_open", labels) == expected) {
        return;
      }
      Thread.sleep(Duration.ofMillis(10));
    }
    throw new AssertionError("polysync_feeds_open" + labels + " never became " + expected);
  }

  @Test
  void metricsAccess_adminNeedsServerAdminCredentials() throws Exception {
    try (Server server = start(new ObserveOptions(ObserveOptions.MetricsAccess.ADMIN, false,
        ObserveOptions.DEFAULT_READINESS_TIMEOUT))) {
      Http http = new Http(server);
      HttpResponse<String> anonymous = http.get("/metrics");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"metrics\"");
      assertThat(http.send("GET", "/metrics", Http.basic("boss", "wrong"), null).statusCode()).isEqualTo(401);
      assertThat(http.send("PUT", "/_users/org.couchdb.user:alice", null,
          "{\"name\":\"alice\",\"password\":\"pw\",\"roles\":[],\"type\":\"user\"}").statusCode()).isEqualTo(201);
      assertThat(http.send("GET", "/metrics", Http.basic("alice", "pw"), null).statusCode()).isEqualTo(403);
      HttpResponse<String> admin = http.send("GET", "/metrics", BOSS, null);
      assertThat(admin.statusCode()).isEqualTo(200);
      assertThat(admin.body()).contains("polysync_http_server_requests_seconds_count");
    }
  }

  @Test
  void metricsAccess_offLeavesThePathToCouchDb() throws Exception {
    try (Server server = start(new ObserveOptions(ObserveOptions.MetricsAccess.OFF, false,
        ObserveOptions.DEFAULT_READINESS_TIMEOUT))) {
      Http http = new Http(server);
      assertThat(http.send("PUT", "/metrics", BOSS, null).statusCode()).isEqualTo(201);
      HttpResponse<String> db = http.send("GET", "/metrics", BOSS, null);
      assertThat(db.statusCode()).isEqualTo(200);
      assertThat(db.body()).contains("\"db_name\":\"metrics\"").doesNotContain("polysync_http");
    }
  }

  @Test
  void loopback_onlyLoopbackAddresses() throws Exception {
    assertThat(Observability.loopback(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1))).isTrue();
    assertThat(Observability.loopback(new InetSocketAddress(InetAddress.getByName("::1"), 1))).isTrue();
    assertThat(Observability.loopback(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 1))).isFalse();
    assertThat(Observability.loopback(new InetSocketAddress(InetAddress.getByName("192.168.0.7"), 1))).isFalse();
  }
}
