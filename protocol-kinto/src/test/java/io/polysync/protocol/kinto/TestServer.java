package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import io.polysync.engine.EngineOptions;
import io.polysync.engine.SyncEngine;
import io.polysync.protocol.spi.Authenticator;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.Principal;
import io.polysync.spi.StorageConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Kinto front-end on a real Helidon server over SQLite in a temporary directory. */
final class TestServer implements AutoCloseable {
  static final String ADMIN = "admin";
  static final String PASSWORD = "s3cret";
  static final String SERVER_ID = "0123456789abcdef0123456789abcdef";
  private static final java.util.logging.Logger HELIDON = java.util.logging.Logger.getLogger("io.helidon");

  static {
    HELIDON.setLevel(java.util.logging.Level.WARNING);
  }

  final SyncEngine engine;
  final WebServer web;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  TestServer(Path dir, Map<String, String> settings) {
    engine = SyncEngine.open(StorageConfig.of("sqlite:" + dir.resolve("test.db")),
        EngineOptions.defaults().withKeyFile(dir.resolve("test.key")));
    if (engine.users().get(ADMIN).isEmpty()) {
      engine.users().create(ADMIN, PASSWORD, List.of(Principal.ADMIN_ROLE));
    }
    FrontEndContext context = new FrontEndContext(engine, SERVER_ID, new StoreAuthenticator(engine), settings);
    web = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
        .routing(r -> new KintoFrontEnd().mount(r, context))
        .build()
        .start();
  }

  TestServer(Path dir) {
    this(dir, Map.of());
  }

  static String basic(String name, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static String admin() {
    return basic(ADMIN, PASSWORD);
  }

  /** A response with its body parsed (null when empty). */
  record Answer(int status, java.net.http.HttpHeaders headers, JsonNode json, String text) {
    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  Answer call(String authorization, String method, String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + path))
        .timeout(Duration.ofSeconds(60));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (body != null && headers.length == 0) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = res.body().isEmpty() ? null : Json.MAPPER.readTree(res.body());
      return new Answer(res.statusCode(), res.headers(), json, res.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    web.stop();
    engine.close();
  }

  /** The engine's user store; sessions are not used by Kinto. */
  static final class StoreAuthenticator implements Authenticator {
    private final SyncEngine engine;

    StoreAuthenticator(SyncEngine engine) {
      this.engine = engine;
    }

    @Override
    public Optional<Principal> authenticate(String name, String password) {
      return engine.users().authenticate(name, password).map(u -> new Principal(u.name(), u.roles()));
    }

    @Override
    public String issueSession(Principal principal) {
      return "token-" + principal.name();
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
