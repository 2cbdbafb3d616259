package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Liveness and readiness on a real server, and how the protocols' own health checks agree with
 * them: {@code /_up} and {@code __lbheartbeat__} are liveness, {@code __heartbeat__} readiness.
 */
final class HealthTest {
  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();

  private Server start() {
    return Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(),
        Map.of()), System.out);
  }

  @Test
  void health_storageUp_liveAndReady() throws Exception {
    try (Server server = start()) {
      Http http = new Http(server);
      HttpResponse<String> live = http.get("/health/live");
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(json.readTree(live.body()).get("status").asText()).isEqualTo("UP");
      HttpResponse<String> ready = http.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonNode body = json.readTree(ready.body());
      assertThat(body.get("status").asText()).isEqualTo("UP");
      assertThat(body.get("checks").get(0).get("name").asText()).isEqualTo("storage");
      assertThat(body.get("checks").get(0).get("status").asText()).isEqualTo("UP");
      assertThat(body.get("checks").get(0).has("error")).isFalse();

      assertThat(http.get("/_up").statusCode()).isEqualTo(200);
      assertThat(http.get("/v1/__lbheartbeat__").statusCode()).isEqualTo(200);
      assertThat(http.get("/v1/__heartbeat__").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void health_storageClosed_readyIs503AndLiveStays200() throws Exception {
    try (Server server = start()) {
      Http http = new Http(server);
      assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
      server.storage().close();

      HttpResponse<String> ready = http.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonNode body = json.readTree(ready.body());
      assertThat(body.get("status").asText()).isEqualTo("DOWN");
      JsonNode check = body.get("checks").get(0);
      assertThat(check.get("name").asText()).isEqualTo("storage");
      assertThat(check.get("status").asText()).isEqualTo("DOWN");
      assertThat(check.get("error").asText()).isNotBlank();
      // Readiness and Kinto's heartbeat both read the storage; liveness and the load balancer
      // checks do not, so the process stays in rotation and answers 503 with Retry-After itself.
      assertThat(http.get("/v1/__heartbeat__").statusCode()).isEqualTo(503);
      assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
      assertThat(http.get("/_up").statusCode()).isEqualTo(200);
      assertThat(http.get("/v1/__lbheartbeat__").statusCode()).isEqualTo(200);
      assertThat(Http.value(Http.parse(http.get("/metrics").body()), "polysync_http_server_requests_seconds_count",
          Map.of("route", "server:/health/ready", "status", "503"))).isEqualTo(1);
    }
  }
}
