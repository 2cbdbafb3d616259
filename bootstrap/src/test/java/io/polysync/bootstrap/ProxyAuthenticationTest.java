package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CouchDB's proxy authentication headers, through both protocols. */
final class ProxyAuthenticationTest {
  private static final String SECRET = "a shared secret of the proxy";
  private static final String ADMIN = TestHttp.basic("boss", "secret");

  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;

  private Server start(Map<String, String> settings) {
    return Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(), settings),
        System.out);
  }

  /** The token a proxy computes, as CouchDB documents it: hex HMAC of the user name. */
  static String token(String mac, String secret, String user) throws Exception {
    Mac m = Mac.getInstance(mac);
    m.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), mac));
    return HexFormat.of().formatHex(m.doFinal(user.getBytes(StandardCharsets.UTF_8)));
  }

  private static Map<String, String> proxied(String user, String roles, String token) {
    Map<String, String> h = new HashMap<>();
    h.put("X-Auth-CouchDB-UserName", user);
    if (roles != null) {
      h.put("X-Auth-CouchDB-Roles", roles);
    }
    if (token != null) {
      h.put("X-Auth-CouchDB-Token", token);
    }
    return h;
  }

  @Test
  void signedHeaders_authenticateCouchAndKinto() throws Exception {
    try (Server server = start(Map.of("auth.proxy.secret", SECRET))) {
      TestHttp http = new TestHttp(server.port());
      assertThat(http.put("/shared", null, ADMIN).statusCode()).isEqualTo(201);
      assertThat(http.put("/shared/_security", "{\"members\":{\"roles\":[\"staff\"]}}", ADMIN).statusCode())
          .isEqualTo(200);
      assertThat(http.put("/shared/d1", "{\"v\":1}", ADMIN).statusCode()).isEqualTo(201);

      // CouchDB 3's HMAC-SHA1 and the newer SHA-256 are both accepted.
      for (String mac : new String[] {"HmacSHA1", "HmacSHA256"}) {
        Map<String, String> headers = proxied("carol", "staff,reader", token(mac, SECRET, "carol"));
        HttpResponse<String> doc = http.send("GET", "/shared/d1", null, headers);
        assertThat(doc.statusCode()).as(mac).isEqualTo(200);
        JsonNode session = TestHttp.json(http.send("GET", "/_session", null, headers));
        assertThat(session.at("/userCtx/name").asText()).isEqualTo("carol");
        assertThat(session.at("/userCtx/roles").toString()).isEqualTo("[\"staff\",\"reader\"]");
        assertThat(session.at("/info/authenticated").asText()).isEqualTo("proxy");
        assertThat(session.at("/info/authentication_handlers").toString())
            .isEqualTo("[\"proxy\",\"default\",\"cookie\"]");
        JsonNode root = TestHttp.json(http.send("GET", "/v1/", null, headers));
        assertThat(root.at("/user/id").asText()).isEqualTo("account:carol");
        assertThat(root.at("/capabilities/openid").isMissingNode()).isTrue();
      }
      // Without the role the database stays closed.
      Map<String, String> noRole = proxied("carol", null, token("HmacSHA256", SECRET, "carol"));
      assertThat(http.send("GET", "/shared/d1", null, noRole).statusCode()).isEqualTo(403);
      // A Kinto write as the proxied user lands in their default bucket.
      Map<String, String> write = new HashMap<>(noRole);
      assertThat(http.send("PUT", "/v1/buckets/default/collections/c/records/r1", "{\"data\":{\"x\":1}}", write)
          .statusCode()).isEqualTo(201);
    }
  }

  @Test
  void missingOrWrongToken_is401() throws Exception {
    try (Server server = start(Map.of("auth.proxy.secret", SECRET, "auth.proxy.hash_algorithms", "sha256"))) {
      TestHttp http = new TestHttp(server.port());
      String sha1 = token("HmacSHA1", SECRET, "carol");
      String forOther = token("HmacSHA256", SECRET, "dave");
      String otherSecret = token("HmacSHA256", "not the shared secret", "carol");
      for (Map<String, String> headers : new Map[] {proxied("carol", "_admin", null),
          proxied("carol", "_admin", sha1), proxied("carol", "_admin", forOther),
          proxied("carol", "_admin", otherSecret), proxied("", null, forOther)}) {
        HttpResponse<String> couch = http.send("GET", "/_all_dbs", null, headers);
        assertThat(couch.statusCode()).isEqualTo(401);
        assertThat(couch.body()).isEqualTo("{\"error\":\"unauthorized\",\"reason\":\"The credentials are not valid.\"}");
        assertThat(http.send("GET", "/v1/", null, headers).statusCode()).isEqualTo(401);
      }
      // The token is case-insensitive hex, and roles ride along: here the proxy makes an admin.
      Map<String, String> admin = proxied("carol", "_admin", token("HmacSHA256", SECRET, "carol").toUpperCase());
      assertThat(http.send("GET", "/_all_dbs", null, admin).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void configuredHeaderNames_areRead() throws Exception {
    try (Server server = start(Map.of("auth.proxy.secret", SECRET, "auth.proxy.username_header", "X-Forwarded-User",
        "auth.proxy.token_header", "X-Forwarded-Token", "auth.proxy.roles_header", "X-Forwarded-Groups"))) {
      TestHttp http = new TestHttp(server.port());
      Map<String, String> headers = Map.of("X-Forwarded-User", "erin",
          "X-Forwarded-Token", token("HmacSHA256", SECRET, "erin"), "X-Forwarded-Groups", "ops");
      JsonNode session = TestHttp.json(http.send("GET", "/_session", null, headers));
      assertThat(session.at("/userCtx/name").asText()).isEqualTo("erin");
      assertThat(session.at("/userCtx/roles").toString()).isEqualTo("[\"ops\"]");
      // CouchDB's default names mean nothing now.
      JsonNode anonymous = TestHttp.json(http.send("GET", "/_session", null,
          proxied("erin", null, token("HmacSHA256", SECRET, "erin"))));
      assertThat(anonymous.at("/userCtx/name").isNull()).isTrue();
    }
  }

  @Test
  void unsignedMode_isOnlyOnRequest() throws Exception {
    try (Server server = start(Map.of())) {
      TestHttp http = new TestHttp(server.port());
      // Proxy authentication is off: the headers are ignored.
      JsonNode session = TestHttp.json(http.send("GET", "/_session", null, proxied("mallory", "_admin", null)));
      assertThat(session.at("/userCtx/name").isNull()).isTrue();
      assertThat(session.at("/info/authentication_handlers").toString()).isEqualTo("[\"default\",\"cookie\"]");
    }
    try (Server server = start(Map.of("auth.proxy.allow_unsigned", "true"))) {
      TestHttp http = new TestHttp(server.port());
      JsonNode session = TestHttp.json(http.send("GET", "/_session", null, proxied("trusted", "ops", null)));
      assertThat(session.at("/userCtx/name").asText()).isEqualTo("trusted");
    }
    assertThatThrownBy(() -> start(Map.of("auth.proxy.secret", SECRET, "auth.proxy.allow_unsigned", "true")))
        .isInstanceOf(StartupException.class).hasMessageContaining("contradict");
    assertThatThrownBy(() -> start(Map.of("auth.proxy.secret", "short")))
        .isInstanceOf(StartupException.class).hasMessageContaining("at least 16");
    assertThatThrownBy(() -> start(Map.of("auth.proxy.secret", SECRET, "auth.proxy.hash_algorithms", "md5")))
        .isInstanceOf(StartupException.class).hasMessageContaining("md5");
  }
}
