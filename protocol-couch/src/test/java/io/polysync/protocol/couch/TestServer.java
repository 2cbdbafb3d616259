package io.polysync.protocol.couch;

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

/** The CouchDB front-end on a real Helidon server over SQLite in a temporary directory. */
final class TestServer implements AutoCloseable {
  static final String ADMIN = "admin";
  static final String PASSWORD = "s3cret:with:colons";
  static final String SERVER_ID = "0123456789abcdef0123456789abcdef";
  /** Held so the level sticks: JUL keeps loggers weakly. */
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
    engine.users().create(ADMIN, PASSWORD, List.of(Principal.ADMIN_ROLE));
    FrontEndContext context = new FrontEndContext(engine, SERVER_ID, new StoreAuthenticator(engine), settings);
    web = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
        .routing(r -> new CouchFrontEnd().mount(r, context))
        .build()
        .start();
  }

  TestServer(Path dir) {
    this(dir, Map.of());
  }

  URI uri(String rawPath) {
    return URI.create("http://127.0.0.1:" + web.port() + rawPath);
  }

  static String basic() {
    return "Basic " + Base64.getEncoder().encodeToString((ADMIN + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  }

  HttpRequest.Builder request(String rawPath) {
    return HttpRequest.newBuilder(uri(rawPath)).timeout(Duration.ofSeconds(60)).header("Authorization", basic());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<byte[]> sendBytes(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String rawPath) {
    return send(request(rawPath).GET().build());
  }

  HttpResponse<String> json(String method, String rawPath, String body) {
    return send(request(rawPath).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> delete(String rawPath) {
    return send(request(rawPath).DELETE().build());
  }

  @Override
  public void close() {
    web.stop();
    engine.close();
  }

  static String basic(String name, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** A request as {@code authorization} (a header value, or null for none). */
  HttpResponse<String> as(String authorization, String method, String rawPath, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(rawPath)).timeout(Duration.ofSeconds(60));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** The engine's user store; session tokens are the name with a marker. */
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
      return token.startsWith("token-")
          ? engine.users().get(token.substring(6)).map(u -> new Principal(u.name(), u.roles()))
          : Optional.empty();
    }

    @Override
    public Duration sessionLifetime() {
      return Duration.ofMinutes(10);
    }
  }
}
