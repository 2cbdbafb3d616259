package io.polysync.protocol.couch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.polysync.protocol.spi.AuthResult;
import io.polysync.protocol.spi.Authenticator;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.Principal;
import io.polysync.protocol.spi.RequestHeaders;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Authentication by the server's chain of {@link HttpAuthenticator}s (Basic, the {@code
 * AuthSession} cookie, and whatever else is on: bearer tokens, a trusted proxy), and {@code
 * /_session}.
 */
final class SessionApi {
  private static final System.Logger LOG = System.getLogger(SessionApi.class.getName());
  static final String COOKIE = FrontEndContext.SESSION_COOKIE;

  private final Authenticator authenticator;
  private final List<HttpAuthenticator> chain;

  SessionApi(Authenticator authenticator, List<HttpAuthenticator> chain) {
    this.authenticator = authenticator;
    this.chain = List.copyOf(chain);
  }

  /**
   * The caller, by the first authenticator that finds its credentials; wrong credentials of any
   * kind are a 401 even with a good cookie, as in CouchDB. The 401 says nothing of why.
   */
  Optional<Principal> authenticate(Exchange ex) {
    return authenticated(ex).map(AuthResult.Authenticated::principal);
  }

  private Optional<AuthResult.Authenticated> authenticated(Exchange ex) {
    AuthResult result = HttpAuthenticator.first(chain, headers(ex));
    if (result instanceof AuthResult.Rejected rejected) {
      LOG.log(System.Logger.Level.DEBUG, () -> "credentials rejected by " + rejected.handler() + ": "
          + rejected.detail());
      throw new CouchException(401, "unauthorized", rejected.handler().equals("default")
          ? "Name or password is incorrect." : "The credentials are not valid.");
    }
    return result instanceof AuthResult.Authenticated a ? Optional.of(a) : Optional.empty();
  }

  static RequestHeaders headers(Exchange ex) {
    return name -> ex.req.headers().all(HeaderNames.create(name), List::of);
  }

  static boolean hasCookie(Exchange ex) {
    return cookie(ex).isPresent();
  }

  private static Optional<String> cookie(Exchange ex) {
    for (String header : ex.req.headers().values(HeaderNames.COOKIE)) {
      for (String part : header.split(";")) {
        String p = part.trim();
        if (p.startsWith(COOKIE + "=")) {
          String value = p.substring(COOKIE.length() + 1);
          return value.isEmpty() ? Optional.empty() : Optional.of(value);
        }
      }
    }
    return Optional.empty();
  }

  void handle(Exchange ex) {
    switch (ex.method) {
      case "GET", "HEAD" -> {
        // Wrong Basic credentials are a 401 here too, as in CouchDB.
        Optional<AuthResult.Authenticated> who = authenticated(ex);
        Optional<Principal> principal = who.map(AuthResult.Authenticated::principal);
        ObjectNode body = Exchange.object().put("ok", true);
        ObjectNode userCtx = body.putObject("userCtx");
        if (principal.isPresent()) {
          userCtx.put("name", principal.get().name());
          principal.get().roles().forEach(userCtx.putArray("roles")::add);
        } else {
          userCtx.putNull("name");
          userCtx.putArray("roles");
        }
        ObjectNode info = body.putObject("info");
        ArrayNode handlers = info.putArray("authentication_handlers");
        chain.forEach(h -> handlers.add(h.name()));
        who.ifPresent(a -> info.put("authenticated", a.handler()));
        ex.send(200, body);
      }
      case "POST" -> login(ex);
      case "DELETE" -> {
        ex.res.header(HeaderNames.SET_COOKIE, COOKIE + "=; Version=1; Path=/; HttpOnly; Max-Age=0");
        ex.sendOk(200);
      }
      default -> CouchRouter.requireMethod(ex, "GET", "HEAD", "POST", "DELETE");
    }
  }

  private void login(Exchange ex) {
    String type = ex.contentType();
    String name;
    String password;
    if (type.startsWith("application/x-www-form-urlencoded")) {
      Map<String, String> form = form(new String(ex.body(), StandardCharsets.UTF_8));
      name = form.get("name");
      password = form.get("password");
    } else if (type.startsWith(Exchange.JSON_TYPE)) {
      JsonNode body = ex.parseJson(ex.body());
      name = body.path("name").isTextual() ? body.get("name").textValue() : null;
      password = body.path("password").isTextual() ? body.get("password").textValue() : null;
    } else {
      throw new CouchException(415, "bad_content_type",
          "Content-Type must be application/x-www-form-urlencoded or application/json");
    }
    if (name == null || password == null) {
      throw new CouchException(401, "unauthorized", "Name or password is incorrect.");
    }
    Principal principal = authenticator.authenticate(name, password)
        .orElseThrow(() -> new CouchException(401, "unauthorized", "Name or password is incorrect."));
    String token = authenticator.issueSession(principal);
    ex.res.header(HeaderNames.SET_COOKIE, COOKIE + "=" + token + "; Version=1; Path=/; HttpOnly; Max-Age="
        + authenticator.sessionLifetime().toSeconds());
    ObjectNode body = Exchange.object().put("ok", true).put("name", principal.name());
    principal.roles().forEach(body.putArray("roles")::add);
    ex.send(200, body);
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        try {
          out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw CouchException.badRequest("Invalid form encoding");
        }
      }
    }
    return out;
  }
}
