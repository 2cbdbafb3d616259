package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.EngineError;
import io.polysync.engine.User;
import io.polysync.spi.SyncException;
import java.util.List;
import java.util.Optional;

/**
 * Kinto's accounts plugin over the engine's user store, so an account is also a CouchDB user:
 * sign-up by {@code PUT /accounts/{id}} (or {@code POST /accounts} with {@code data.id}) for the
 * principals of {@code kinto.account_create_principals}; the owner or a server admin may read it,
 * change its password and delete it. Passwords never appear in answers.
 */
final class Accounts {
  private Accounts() {}

  static KintoResponse handle(KintoApi api, KintoRequest r) {
    List<String> s = r.segments();
    Caller caller = r.caller();
    if (s.size() == 1) {
      return switch (r.method()) {
        case "GET", "HEAD" -> list(api, caller);
        case "POST" -> {
          JsonNode body = r.json();
          String id = body.path("data").path("id").asText("");
          if (id.isEmpty()) {
            throw KintoException.invalid("body", "data.id", "Required");
          }
          yield put(api, r, id);
        }
        default -> {
          KintoApi.requireMethod(r, "HEAD", "GET", "POST");
          yield null;
        }
      };
    }
    if (s.size() != 2) {
      throw KintoException.notFound();
    }
    String id = s.get(1);
    return switch (r.method()) {
      case "GET", "HEAD" -> {
        User user = owned(api, caller, id);
        yield response(200, user);
      }
      case "PUT", "PATCH" -> put(api, r, id);
      case "DELETE" -> {
        User user = owned(api, caller, id);
        api.engine.users().delete(user.name());
        api.perUser.userDeleted(user.name());
        ObjectNode body = Json.object();
        ObjectNode data = body.putObject("data");
        data.put("id", user.name());
        data.put("last_modified", System.currentTimeMillis());
        data.put("deleted", true);
        yield new KintoResponse(200, body);
      }
      default -> {
        KintoApi.requireMethod(r, "GET", "PUT", "PATCH", "DELETE");
        yield null;
      }
    };
  }

  private static KintoResponse list(KintoApi api, Caller caller) {
    if (!caller.authenticated()) {
      throw KintoException.unauthorized();
    }
    ArrayNode data = Json.MAPPER.createArrayNode();
    if (caller.admin()) {
      String after = "";
      while (true) {
        List<User> page = api.engine.users().list(after, 1000);
        for (User u : page) {
          data.add(account(u));
          after = u.name();
        }
        if (page.size() < 1000) {
          break;
        }
      }
    } else {
      api.engine.users().get(caller.account().orElseThrow()).ifPresent(u -> data.add(account(u)));
    }
    ObjectNode body = Json.object();
    body.set("data", data);
    return new KintoResponse(200, body);
  }

  /** The account, when the caller owns it or is an admin; else 401/403 (404 only for an admin). */
  private static User owned(KintoApi api, Caller caller, String id) {
    if (!caller.authenticated()) {
      throw KintoException.unauthorized();
    }
    if (!caller.admin() && !caller.account().orElseThrow().equals(id)) {
      throw KintoException.forbidden();
    }
    return api.engine.users().get(id).orElseThrow(() -> KintoException.missing("account", id));
  }

  private static KintoResponse put(KintoApi api, KintoRequest r, String id) {
    Caller caller = r.caller();
    if (!KintoApi.validAccountId(id)) {
      throw KintoException.invalid("path", "id", "Invalid account id: " + id);
    }
    JsonNode body = r.json();
    JsonNode data = body.path("data");
    if (!data.isObject()) {
      throw KintoException.invalid("body", "data", "Required");
    }
    if (data.hasNonNull("id") && !data.get("id").asText().equals(id)) {
      throw KintoException.invalid("body", "data.id", "Does not match the id in the URL: " + data.get("id").asText());
    }
    JsonNode password = data.get("password");
    if (password == null || !password.isTextual() || password.asText().isEmpty()) {
      throw KintoException.invalid("body", "data.password", "Required");
    }
    Optional<User> existing = api.engine.users().get(id);
    try {
      if (existing.isPresent()) {
        if (!caller.authenticated()) {
          throw KintoException.unauthorized();
        }
        if (!caller.admin() && !caller.account().orElseThrow().equals(id)) {
          throw KintoException.forbidden();
        }
        return response(200, api.engine.users().setPassword(id, password.asText()));
      }
      boolean may = caller.admin() || api.settings.accountCreatePrincipals().stream()
          .anyMatch(caller.principals()::contains);
      if (!may) {
        throw KintoApi.denied(caller);
      }
      User created = api.engine.users().create(id, password.asText(), List.of());
      api.perUser.userCreated(id);
      return response(201, created);
    } catch (SyncException e) {
      if (e.errorCode() == EngineError.USER_EXISTS) {
        throw new KintoException(412, KintoException.MODIFIED_MEANWHILE, "Resource was modified meanwhile");
      }
      if (e.errorCode() == EngineError.INVALID_USER) {
        throw KintoException.invalid("body", "data", e.getMessage());
      }
      throw e;
    }
  }

  private static ObjectNode account(User u) {
    ObjectNode data = Json.object();
    data.put("id", u.name());
    data.put("last_modified", u.updated());
    return data;
  }

  private static KintoResponse response(int status, User user) {
    ObjectNode body = Json.object();
    body.set("data", account(user));
    ObjectNode perms = body.putObject("permissions");
    perms.putArray("write").add(Caller.ACCOUNT_PREFIX + user.name());
    return new KintoResponse(status, body).etag(user.updated());
  }
}
