package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polysync.protocol.spi.RateLimiter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The abuse limits of both front-ends: body size, JSON shape and request rate, on a real server. */
final class LimitsTest {
  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.SEVERE);
  }

  private static final String BOSS = basic("boss", "boss-secret");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  private Server start(Map<String, String> settings) {
    return Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:boss-secret"), Optional.empty(),
        settings), System.out);
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> send(Server server, String method, String path, String auth, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Content-Type", "application/json");
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void ok(HttpResponse<String> res) {
    assertThat(res.statusCode()).as(res.request().method() + " " + res.request().uri() + ": " + res.body())
        .isBetween(200, 299);
  }

  private static String nested(int depth) {
    return "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
  }

  @Test
  void bodyOverTheServerWideLimit_is413InEachProtocolsFormat() throws Exception {
    try (Server server = start(Map.of("limits.max_request_bytes", "100000"))) {
      ok(send(server, "PUT", "/db", BOSS, null));
      ok(send(server, "PUT", "/v1/buckets/b", BOSS, "{}"));
      ok(send(server, "PUT", "/v1/buckets/b/collections/c", BOSS, "{}"));
      String big = "{\"text\":\"" + "x".repeat(150_000) + "\"}";

      HttpResponse<String> couch = send(server, "PUT", "/db/doc", BOSS, big);
      assertThat(couch.statusCode()).isEqualTo(413);
      assertThat(json.readTree(couch.body()).get("error").asText()).isEqualTo("too_large");
      ok(send(server, "PUT", "/db/doc", BOSS, "{\"text\":\"" + "x".repeat(50_000) + "\"}"));

      HttpResponse<String> kinto = send(server, "PUT", "/v1/buckets/b/collections/c/records/r", BOSS,
          "{\"data\":" + big + "}");
      assertThat(kinto.statusCode()).isEqualTo(413);
      JsonNode k = json.readTree(kinto.body());
      assertThat(k.get("code").asInt()).isEqualTo(413);
      assertThat(k.get("errno").asInt()).isEqualTo(113);
      assertThat(k.get("error").asText()).isEqualTo("Request Entity Too Large");
    }
  }

  @Test
  void jsonNestedTooDeep_is400WithAClearMessage_inBothProtocols() throws Exception {
    try (Server server = start(Map.of("limits.json.max_depth", "20"))) {
      ok(send(server, "PUT", "/db", BOSS, null));
      ok(send(server, "PUT", "/v1/buckets/b", BOSS, "{}"));
      ok(send(server, "PUT", "/v1/buckets/b/collections/c", BOSS, "{}"));
      ok(send(server, "PUT", "/db/shallow", BOSS, nested(10)));

      HttpResponse<String> couch = send(server, "PUT", "/db/deep", BOSS, nested(30));
      assertThat(couch.statusCode()).isEqualTo(400);
      JsonNode c = json.readTree(couch.body());
      assertThat(c.get("error").asText()).isEqualTo("bad_request");
      assertThat(c.get("reason").asText()).contains("nesting depth").contains("(20)").doesNotContain("`")
          .doesNotContain("StreamReadConstraints");

      HttpResponse<String> bulk = send(server, "POST", "/db/_bulk_docs", BOSS, "{\"docs\":[" + nested(30) + "]}");
      assertThat(bulk.statusCode()).isEqualTo(400);

      HttpResponse<String> kinto = send(server, "PUT", "/v1/buckets/b/collections/c/records/r", BOSS,
          "{\"data\":" + nested(30) + "}");
      assertThat(kinto.statusCode()).isEqualTo(400);
      JsonNode k = json.readTree(kinto.body());
      assertThat(k.get("errno").asInt()).isEqualTo(106);
      assertThat(k.get("message").asText()).contains("nesting depth").doesNotContain("StreamReadConstraints");
      ok(send(server, "PUT", "/v1/buckets/b/collections/c/records/r", BOSS, "{\"data\":" + nested(10) + "}"));
    }
  }

  @Test
  void overlongNumbersAndStrings_are400_inBothProtocols() throws Exception {
    try (Server server = start(Map.of("limits.json.max_string_length", "1000"))) {
      ok(send(server, "PUT", "/db", BOSS, null));
      ok(send(server, "PUT", "/v1/buckets/b", BOSS, "{}"));
      ok(send(server, "PUT", "/v1/buckets/b/collections/c", BOSS, "{}"));
      String longNumber = "{\"n\":" + "9".repeat(150) + "}";
      String longString = "{\"s\":\"" + "y".repeat(2000) + "\"}";
      for (String body : new String[] {longNumber, longString}) {
        HttpResponse<String> couch = send(server, "PUT", "/db/d", BOSS, body);
        assertThat(couch.statusCode()).as(couch.body()).isEqualTo(400);
        assertThat(json.readTree(couch.body()).get("reason").asText()).contains("exceeds the maximum allowed");
        HttpResponse<String> kinto = send(server, "PUT", "/v1/buckets/b/collections/c/records/r", BOSS,
            "{\"data\":" + body + "}");
        assertThat(kinto.statusCode()).as(kinto.body()).isEqualTo(400);
        assertThat(json.readTree(kinto.body()).get("message").asText()).contains("exceeds the maximum allowed");
      }
    }
  }

  @Test
  void userOverItsRate_gets429WithRetryAfter_sharedAcrossBothProtocols() throws Exception {
    try (Server server = start(Map.of("limits.rate.per_user", "0.01", "limits.rate.per_user.burst", "4",
        "limits.rate.per_address", "0"))) {
      // Four requests in the burst; a refill of one per 100 s may add one more, never two.
      int allowed = 0;
      HttpResponse<String> couch = null;
      for (int i = 0; i < 8; i++) {
        couch = send(server, "GET", "/_all_dbs", BOSS, null);
        if (couch.statusCode() != 200) {
          break;
        }
        allowed++;
      }
      assertThat(allowed).isBetween(4, 5);
      assertThat(couch.statusCode()).isEqualTo(429);
      JsonNode c = json.readTree(couch.body());
      assertThat(c.get("error").asText()).isEqualTo("too_many_requests");
      assertThat(Long.parseLong(couch.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 100L);

      HttpResponse<String> kinto = send(server, "GET", "/v1/buckets", BOSS, null);
      assertThat(kinto.statusCode()).isEqualTo(429);
      JsonNode k = json.readTree(kinto.body());
      assertThat(k.get("code").asInt()).isEqualTo(429);
      assertThat(k.get("errno").asInt()).isEqualTo(117);
      assertThat(k.get("error").asText()).isEqualTo("Too Many Requests");
      assertThat(kinto.headers().firstValue("Retry-After")).isPresent();
      assertThat(kinto.headers().firstValue("Backoff")).isEqualTo(kinto.headers().firstValue("Retry-After"));

      // Another user, and anonymous callers, have allowances of their own.
      assertThat(send(server, "GET", "/", null, null).statusCode()).isEqualTo(200);
      assertThat(send(server, "GET", "/v1/", null, null).statusCode()).isEqualTo(200);
      // Health checks are never counted.
      assertThat(send(server, "GET", "/_up", null, null).statusCode()).isEqualTo(200);
      assertThat(send(server, "GET", "/v1/__lbheartbeat__", null, null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void addressOverItsRate_gets429_evenWithWrongPasswords() throws Exception {
    try (Server server = start(Map.of("limits.rate.per_address", "0.01", "limits.rate.per_address.burst", "3",
        "limits.rate.per_user", "0"))) {
      int refused = 0;
      for (int i = 0; i < 8; i++) {
        HttpResponse<String> res = send(server, "GET", i % 2 == 0 ? "/_session" : "/v1/buckets",
            basic("boss", "wrong-" + i), null);
        if (res.statusCode() == 429) {
          refused++;
          assertThat(res.headers().firstValue("Retry-After")).isPresent();
        } else {
          assertThat(res.statusCode()).isEqualTo(401);
        }
      }
      assertThat(refused).isBetween(4, 5);
      assertThat(send(server, "GET", "/_up", null, null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void defaults_letAReplicationSizedBurstThrough() {
    RateLimiter limiter = TokenBucketRateLimiter.fromSettings(Map.of());
    for (int i = 0; i < 3_000; i++) {
      assertThat(limiter.acquireUser("alice")).isEmpty();
      assertThat(limiter.acquireAddress("127.0.0.1")).isEmpty();
    }
  }

  @Test
  void bucketMap_staysWithinItsBound() {
    TokenBucketRateLimiter limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiter.Limit(1, 5),
        new TokenBucketRateLimiter.Limit(1, 5), 100);
    for (int i = 0; i < 1_000; i++) {
      assertThat(limiter.acquireAddress("10.0." + (i / 256) + "." + (i % 256))).isEmpty();
    }
    assertThat(limiter.tracked()).isLessThanOrEqualTo(101);
    assertThat(RateLimiter.retryAfterSeconds(Duration.ofMillis(1500))).isEqualTo(2);
    assertThat(RateLimiter.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
  }

  @Test
  void badLimitSettings_stopTheStart() {
    assertThatThrownBy(() -> start(Map.of("limits.rate.per_user", "lots")))
        .isInstanceOf(StartupException.class).hasMessageContaining("limits.rate.per_user");
    assertThatThrownBy(() -> start(Map.of("limits.json.max_depth", "0")))
        .isInstanceOf(StartupException.class).hasMessageContaining("JSON limits");
  }
}
