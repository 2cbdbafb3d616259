package io.polysync.protocol.couch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.polysync.protocol.spi.Authenticator;
import io.polysync.protocol.spi.Principal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Basic and cookie ({@code AuthSession}) authentication, and {@code /_session}. */
final class SessionApi {
  static final String COOKIE = "AuthSession";

  private final Authenticator authenticator;

  SessionApi(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  /** Basic credentials when sent (wrong ones are a 401 even with a cookie), else the session cookie. */
  Optional<Principal> authenticate(Exchange ex) {
    Optional<String> authorization = ex.header(HeaderNames.AUTHORIZATION);
    if (authorization.isPresent() && authorization.get().regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(authorization.get().substring(6).trim()),
            StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new CouchException(401, "unauthorized", "Name or password is incorrect.");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new CouchException(401, "unauthorized", "Name or password is incorrect.");
      }
      Optional<Principal> principal =
          authenticator.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
      if (principal.isEmpty()) {
        throw new CouchException(401, "unauthorized", "Name or password is incorrect.");
      }
      return principal;
    }
    return cookie(ex).flatMap(authenticator::verifySession);
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
        Optional<Principal> principal = authenticate(ex);
        String how = principal.isPresent() && ex.header(HeaderNames.AUTHORIZATION).isEmpty() ? "cookie" : "default";
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
        info.putArray("authentication_handlers").add("cookie").add("default");
        if (principal.isPresent()) {
          info.put("authenticated", how);
        }
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
