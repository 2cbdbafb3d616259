package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer JWTs from an OpenID Connect issuer that the test serves itself (discovery document and
 * JWKS on the JDK's HTTP server), through both protocols.
 */
final class JwtAuthenticationTest {
  private static final String AUDIENCE = "polysync-app";
  private static final String ADMIN = TestHttp.basic("boss", "secret");
  private static final String COUCH_401 = "{\"error\":\"unauthorized\",\"reason\":\"The credentials are not valid.\"}";

  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.WARNING);
  }

  @TempDir Path dir;
  private HttpServer issuerServer;
  private String issuer;
  /** The keys the issuer publishes; replaced to rotate. */
  private final List<JWK> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicInteger discoveryFetches = new AtomicInteger();
  private RSAKey rsa;

  @BeforeEach
  void startIssuer() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
    published.add(rsa.toPublicJWK());
    issuerServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    issuer = "http://127.0.0.1:" + issuerServer.getAddress().getPort() + "/realms/test";
    issuerServer.createContext("/realms/test/.well-known/openid-configuration", exchange -> {
      discoveryFetches.incrementAndGet();
      respond(exchange, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer
          + "/protocol/openid-connect/certs\",\"authorization_endpoint\":\"" + issuer + "/auth\"}");
    });
    issuerServer.createContext("/realms/test/protocol/openid-connect/certs", exchange -> {
      jwksFetches.incrementAndGet();
      respond(exchange, new JWKSet(new ArrayList<>(published)).toString(true));
    });
    issuerServer.start();
  }

  @AfterEach
  void stopIssuer() {
    issuerServer.stop(0);
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private Server start(Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of(
        "auth.jwt.issuer", issuer,
        "auth.jwt.audience", AUDIENCE,
        "auth.jwt.user_claim", "preferred_username",
        "auth.jwt.roles_claim", "realm_access.roles"));
    settings.putAll(extra);
    return Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(), settings),
        System.out);
  }

  private JWTClaimsSet.Builder claims(String user) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(AUDIENCE)
        .subject("f3a1c2d4-0000-4000-8000-" + user.hashCode())
        .claim("preferred_username", user)
        .claim("realm_access", Map.of("roles", List.of("staff", "offline_access")))
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  private static String sign(JWSSigner signer, JWSAlgorithm algorithm, String kid, JWTClaimsSet claims)
      throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).type(JOSEObjectType.JWT).build(),
        claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private String token(JWTClaimsSet claims) throws Exception {
    return sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, rsa.getKeyID(), claims);
  }

  /** A database only alice may use, with one document. */
  private static void notesDatabase(TestHttp http) {
    assertThat(http.put("/notes", null, ADMIN).statusCode()).isEqualTo(201);
    assertThat(http.put("/notes/_security", "{\"members\":{\"names\":[\"alice\"]}}", ADMIN).statusCode())
        .isEqualTo(200);
    assertThat(http.put("/notes/n1", "{\"text\":\"hello\"}", ADMIN).statusCode()).isEqualTo(201);
  }

  @Test
  void validToken_worksThroughCouchAndKinto() throws Exception {
    try (Server server = start(Map.of())) {
      TestHttp http = new TestHttp(server.port());
      notesDatabase(http);
      String alice = TestHttp.bearer(token(claims("alice").build()));

      assertThat(http.get("/notes/n1", null).statusCode()).isEqualTo(401);
      HttpResponse<String> doc = http.get("/notes/n1", alice);
      assertThat(doc.statusCode()).isEqualTo(200);
      assertThat(TestHttp.json(doc).get("text").asText()).isEqualTo("hello");
      // Bob's token is valid, but the database is alice's.
      assertThat(http.get("/notes/n1", TestHttp.bearer(token(claims("bob").build()))).statusCode())
          .isEqualTo(403);

      JsonNode session = TestHttp.json(http.get("/_session", alice));
      assertThat(session.at("/userCtx/name").asText()).isEqualTo("alice");
      assertThat(session.at("/userCtx/roles").toString()).isEqualTo("[\"staff\",\"offline_access\"]");
      assertThat(session.at("/info/authenticated").asText()).isEqualTo("jwt");
      assertThat(session.at("/info/authentication_handlers").toString())
          .isEqualTo("[\"jwt\",\"default\",\"cookie\"]");

      JsonNode root = TestHttp.json(http.get("/v1/", alice));
      assertThat(root.at("/user/id").asText()).isEqualTo("account:alice");
      assertThat(root.at("/capabilities/openid/providers/0/issuer").asText()).isEqualTo(issuer);
      assertThat(root.at("/capabilities/openid/providers/0/client_id").asText()).isEqualTo(AUDIENCE);
      HttpResponse<String> record = http.put("/v1/buckets/default/collections/tasks/records/t1",
          "{\"data\":{\"title\":\"write tests\"}}", alice);
      assertThat(record.statusCode()).isEqualTo(201);
      HttpResponse<String> read = http.get("/v1/buckets/default/collections/tasks/records/t1", alice);
      assertThat(TestHttp.json(read).at("/data/title").asText()).isEqualTo("write tests");
      // A /batch sub-request carrying its own token runs as that user.
      HttpResponse<String> batch = http.send("POST", "/v1/batch", "{\"requests\":[{\"method\":\"GET\","
          + "\"path\":\"/buckets/default/collections/tasks/records/t1\",\"headers\":{\"Authorization\":\""
          + alice + "\"}}]}", Map.of());
      assertThat(batch.statusCode()).isEqualTo(200);
      assertThat(TestHttp.json(batch).at("/responses/0/status").asInt()).isEqualTo(200);
      assertThat(TestHttp.json(batch).at("/responses/0/body/data/title").asText()).isEqualTo("write tests");
      // Anonymous callers have no default bucket.
      assertThat(http.get("/v1/buckets/default/collections/tasks/records/t1", null).statusCode()).isEqualTo(401);
      assertThat(discoveryFetches.get()).isEqualTo(1);
      assertThat(jwksFetches.get()).isEqualTo(1);
    }
  }

  @Test
  void userPrefix_keepsTokenUsersApartFromStoredAccounts() throws Exception {
    try (Server server = start(Map.of("auth.jwt.user_prefix", "oidc:"))) {
      TestHttp http = new TestHttp(server.port());
      // A stranger signs up locally with the name the provider gives alice...
      assertThat(http.put("/_users/org.couchdb.user:alice",
          "{\"name\":\"alice\",\"password\":\"guess\",\"roles\":[],\"type\":\"user\"}", null).statusCode())
          .isEqualTo(201);
      String alice = TestHttp.bearer(token(claims("alice").build()));
      assertThat(TestHttp.json(http.get("/_session", alice)).at("/userCtx/name").asText()).isEqualTo("oidc:alice");
      assertThat(TestHttp.json(http.get("/v1/", alice)).at("/user/id").asText()).isEqualTo("account:oidc:alice");
      // ...but gets a different user, and a different default bucket.
      assertThat(TestHttp.json(http.get("/v1/", TestHttp.basic("alice", "guess"))).at("/user/bucket").asText())
          .isNotEqualTo(TestHttp.json(http.get("/v1/", alice)).at("/user/bucket").asText());
    }
  }

  @Test
  void ecSignedToken_isAccepted() throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    published.add(ec.toPublicJWK());
    try (Server server = start(Map.of())) {
      TestHttp http = new TestHttp(server.port());
      String token = sign(new ECDSASigner(ec), JWSAlgorithm.ES256, "e1", claims("erin").build());
      JsonNode session = TestHttp.json(http.get("/_session", TestHttp.bearer(token)));
      assertThat(session.at("/userCtx/name").asText()).isEqualTo("erin");
    }
  }

  @Test
  void badTokens_are401WithABodyThatSaysNothing() throws Exception {
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
    RSAKey unpublished = new RSAKeyGenerator(2048).keyID("k9").generate();
    Instant now = Instant.now();
    Map<String, String> bad = new java.util.LinkedHashMap<>();
    bad.put("expired", token(claims("alice").issueTime(Date.from(now.minusSeconds(900)))
        .expirationTime(Date.from(now.minusSeconds(600))).build()));
    bad.put("not yet valid", token(claims("alice").notBeforeTime(Date.from(now.plusSeconds(600))).build()));
    bad.put("no exp", token(claims("alice").expirationTime(null).build()));
    bad.put("wrong audience", token(claims("alice").audience("another-app").build()));
    bad.put("wrong issuer", token(claims("alice").issuer("https://evil.example/realms/test").build()));
    bad.put("no user claim", token(claims("alice").claim("preferred_username", null).build()));
    bad.put("bad signature", sign(new RSASSASigner(stranger), JWSAlgorithm.RS256, "k1", claims("alice").build()));
    bad.put("unknown kid", sign(new RSASSASigner(unpublished), JWSAlgorithm.RS256, "k9", claims("alice").build()));
    bad.put("HMAC with the public key", sign(new MACSigner(rsa.toPublicJWK().toRSAPublicKey().getEncoded()),
        JWSAlgorithm.HS256, "k1", claims("alice").build()));
    bad.put("not a JWT", "not.a.jwt");
    String good = token(claims("alice").build());
    bad.put("tampered payload", good.substring(0, good.indexOf('.') + 1)
        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
            claims("boss").build().toString().getBytes(StandardCharsets.UTF_8))
        + good.substring(good.lastIndexOf('.')));
    try (Server server = start(Map.of("auth.jwt.jwks_refresh_min_seconds", "0"))) {
      TestHttp http = new TestHttp(server.port());
      notesDatabase(http);
      assertThat(http.get("/notes/n1", TestHttp.bearer(good)).statusCode()).isEqualTo(200);
      for (Map.Entry<String, String> e : bad.entrySet()) {
        String auth = TestHttp.bearer(e.getValue());
        HttpResponse<String> couch = http.get("/notes/n1", auth);
        assertThat(couch.statusCode()).as(e.getKey()).isEqualTo(401);
        assertThat(couch.body()).as(e.getKey()).isEqualTo(COUCH_401);
        assertThat(couch.headers().firstValue("WWW-Authenticate")).as(e.getKey())
            .contains("Bearer error=\"invalid_token\"");
        assertThat(http.get("/_session", auth).statusCode()).as(e.getKey()).isEqualTo(401);
        HttpResponse<String> kinto = http.get("/v1/", auth);
        assertThat(kinto.statusCode()).as(e.getKey()).isEqualTo(401);
        JsonNode body = TestHttp.json(kinto);
        assertThat(body.at("/message").asText()).as(e.getKey())
            .isEqualTo("Please authenticate yourself to use this endpoint.");
        assertThat(body.properties()).as(e.getKey()).extracting(Map.Entry::getKey)
            .containsExactly("code", "errno", "error", "message", "info");
        assertThat(body.at("/info").asText()).as(e.getKey()).isEqualTo("/_polysync/errors#kinto-105");
      }
    }
  }

  @Test
  void rotatedKey_isFetchedOnItsFirstToken_andUnknownIdsAreRateLimited() throws Exception {
    try (Server server = start(Map.of("auth.jwt.jwks_refresh_min_seconds", "3600",
        "auth.jwt.jwks_cache_seconds", "7200"))) {
      TestHttp http = new TestHttp(server.port());
      assertThat(TestHttp.json(http.get("/_session", TestHttp.bearer(token(claims("alice").build()))))
          .at("/userCtx/name").asText()).isEqualTo("alice");
      assertThat(jwksFetches.get()).isEqualTo(1);

      // The issuer rotates: a new key with a new id replaces the old one.
      RSAKey next = new RSAKeyGenerator(2048).keyID("k2").generate();
      published.clear();
      published.add(next.toPublicJWK());
      String rotated = sign(new RSASSASigner(next), JWSAlgorithm.RS256, "k2", claims("alice").build());
      assertThat(TestHttp.json(http.get("/_session", TestHttp.bearer(rotated))).at("/userCtx/name").asText())
          .isEqualTo("alice");
      assertThat(jwksFetches.get()).isEqualTo(2);

      // Made-up key ids cannot make the server fetch the keys again and again.
      RSAKey forged = new RSAKeyGenerator(2048).keyID("k3").generate();
      String unknown = sign(new RSASSASigner(forged), JWSAlgorithm.RS256, "k3", claims("alice").build());
      for (int i = 0; i < 3; i++) {
        assertThat(http.get("/_session", TestHttp.bearer(unknown)).statusCode()).isEqualTo(401);
      }
      assertThat(jwksFetches.get()).isEqualTo(2);
      // Tokens of the current key still work from the cache.
      assertThat(http.get("/_session", TestHttp.bearer(rotated)).statusCode()).isEqualTo(200);
      assertThat(jwksFetches.get()).isEqualTo(2);
    }
  }

  @Test
  void issuerAway_is503NotA401() throws Exception {
    String token = token(claims("alice").build());
    issuerServer.stop(0);
    try (Server server = start(Map.of())) {
      TestHttp http = new TestHttp(server.port());
      assertThat(http.get("/_session", TestHttp.bearer(token)).statusCode()).isEqualTo(503);
      assertThat(http.get("/v1/", TestHttp.bearer(token)).statusCode()).isEqualTo(503);
    }
  }

  @Test
  void jwksUriSetting_skipsDiscovery() throws Exception {
    try (Server server = start(Map.of("auth.jwt.jwks_uri", issuer + "/protocol/openid-connect/certs"))) {
      TestHttp http = new TestHttp(server.port());
      assertThat(TestHttp.json(http.get("/_session", TestHttp.bearer(token(claims("alice").build()))))
          .at("/userCtx/name").asText()).isEqualTo("alice");
      assertThat(discoveryFetches.get()).isZero();
    }
  }

  @Test
  void incompleteSettings_stopTheStart() {
    assertThatThrownBy(() -> start(Map.of("auth.jwt.audience", "")))
        .isInstanceOf(StartupException.class).hasMessageContaining("auth.jwt.audience");
    assertThatThrownBy(() -> start(Map.of("auth.jwt.algorithms", "HS256")))
        .isInstanceOf(StartupException.class).hasMessageContaining("HMAC");
    assertThatThrownBy(() -> start(Map.of("auth.jwt.jwks_refresh_min_seconds", "600")))
        .isInstanceOf(StartupException.class).hasMessageContaining("less than auth.jwt.jwks_cache_seconds");
    assertThatThrownBy(() -> start(Map.of("auth.jwt.issuer", "http://idp.example.com/realms/test")))
        .isInstanceOf(StartupException.class).hasMessageContaining("must be https");
  }
}
