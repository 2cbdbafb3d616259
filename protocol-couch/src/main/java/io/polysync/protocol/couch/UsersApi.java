package io.polysync.protocol.couch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.User;
import io.polysync.engine.UserContext;
import io.polysync.engine.UserStore;
import io.polysync.protocol.spi.PerUserDatabases;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * CouchDB's {@code _users} database over the engine's {@link UserStore}: {@code
 * /_users/org.couchdb.user:NAME} documents only. Passwords and hashes are never shown; {@code _rev}
 * is derived from the account's version and not checked on writes (the store's compare-and-set
 * already keeps concurrent changes whole).
 */
final class UsersApi {
  static final String DATABASE = "_users";
  static final String PREFIX = "org.couchdb.user:";

  private final UserStore users;
  private final PerUserDatabases perUser;

  UsersApi(UserStore users, PerUserDatabases perUser) {
    this.users = users;
    this.perUser = perUser;
  }

  void handle(Exchange ex, UserContext caller, List<String> rest) {
    if (rest.size() == 1 && rest.get(0).startsWith(PREFIX)) {
      String name = rest.get(0).substring(PREFIX.length());
      switch (ex.method) {
        case "GET", "HEAD" -> get(ex, caller, name);
        case "PUT" -> put(ex, caller, name);
        case "DELETE" -> delete(ex, caller, name);
        default -> CouchRouter.requireMethod(ex, "GET", "HEAD", "PUT", "DELETE");
      }
      return;
    }
    if (!caller.isServerAdmin()) {
      throw CouchRouter.denied(caller, "You are not a server admin.");
    }
    if (rest.size() == 1 && rest.get(0).equals("_all_docs")) {
      CouchRouter.requireMethod(ex, "GET", "HEAD");
      allDocs(ex);
      return;
    }
    throw CouchException.notFound("missing");
  }

  private void get(Exchange ex, UserContext caller, String name) {
    if (!mayManage(caller, name)) {
      throw CouchRouter.denied(caller, "You may only read your own user document.");
    }
    User user = users.get(name).orElseThrow(() -> CouchException.notFound("missing"));
    ex.send(200, render(user));
  }

  private void put(Exchange ex, UserContext caller, String name) {
    ObjectNode body = ex.jsonObjectBody();
    if (body.has("name") && !body.path("name").asText().equals(name)) {
      throw CouchException.badRequest("The name must match the document id: " + PREFIX + name);
    }
    if (body.has("type") && !"user".equals(body.path("type").asText())) {
      throw new CouchException(403, "forbidden", "doc.type must be user");
    }
    Optional<String> password = body.path("password").isTextual()
        ? Optional.of(body.get("password").textValue()) : Optional.empty();
    Optional<List<String>> roles = roles(body);
    Optional<User> existing = users.get(name);
    User written;
    if (existing.isEmpty()) {
      // Sign-up is open, as in CouchDB, but only a server admin hands out roles.
      if (!caller.isServerAdmin() && roles.isPresent() && !roles.get().isEmpty()) {
        throw new CouchException(403, "forbidden", "Only server admins may set roles.");
      }
      String pw = password.orElseThrow(() -> CouchException.badRequest("A new user needs a password."));
      written = users.create(name, pw, roles.orElse(List.of()));
      perUser.userCreated(name);
    } else {
      if (!mayManage(caller, name)) {
        if (!caller.authenticated()) {
          throw new CouchException(409, "conflict", "Document update conflict.");
        }
        throw CouchRouter.denied(caller, "You may only update your own user document.");
      }
      boolean rolesChange = roles.isPresent() && !roles.get().equals(existing.get().roles());
      if (rolesChange && !caller.isServerAdmin()) {
        throw new CouchException(403, "forbidden", "Only server admins may change roles.");
      }
      written = existing.get();
      if (password.isPresent()) {
        written = users.setPassword(name, password.get());
      }
      if (rolesChange) {
        written = users.setRoles(name, roles.get());
      }
    }
    ex.send(201, Exchange.object().put("ok", true).put("id", PREFIX + name).put("rev", rev(written)));
  }

  private void delete(Exchange ex, UserContext caller, String name) {
    if (!mayManage(caller, name)) {
      throw CouchRouter.denied(caller, "You may only delete your own user document.");
    }
    User user = users.get(name).orElseThrow(() -> CouchException.notFound("missing"));
    users.delete(name);
    perUser.userDeleted(name);
    ex.send(200, Exchange.object().put("ok", true).put("id", PREFIX + name).put("rev", rev(user)));
  }

  private void allDocs(Exchange ex) {
    List<User> all = new ArrayList<>();
    String after = "";
    while (true) {
      List<User> page = users.list(after, 1000);
      all.addAll(page);
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).name();
    }
    ObjectNode body = Exchange.object().put("total_rows", all.size()).put("offset", 0);
    ArrayNode rows = body.putArray("rows");
    for (User user : all) {
      ObjectNode row = rows.addObject().put("id", PREFIX + user.name()).put("key", PREFIX + user.name());
      row.putObject("value").put("rev", rev(user));
      if (ex.flag("include_docs")) {
        row.set("doc", render(user));
      }
    }
    ex.send(200, body);
  }

  private static boolean mayManage(UserContext caller, String name) {
    return caller.isServerAdmin() || caller.authenticated() && caller.name().equals(name);
  }

  private static Optional<List<String>> roles(ObjectNode body) {
    JsonNode node = body.get("roles");
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isArray()) {
      throw new CouchException(403, "forbidden", "doc.roles must be an array");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode role : node) {
      if (!role.isTextual()) {
        throw new CouchException(403, "forbidden", "doc.roles can only contain strings");
      }
      out.add(role.textValue());
    }
    return Optional.of(out);
  }

  private static ObjectNode render(User user) {
    ObjectNode doc = Exchange.object();
    doc.put("_id", PREFIX + user.name());
    doc.put("_rev", rev(user));
    doc.put("name", user.name());
    user.roles().forEach(doc.putArray("roles")::add);
    doc.put("type", "user");
    doc.put("created_at", Instant.ofEpochMilli(user.created()).toString());
    doc.put("updated_at", Instant.ofEpochMilli(user.updated()).toString());
    return doc;
  }

  /** A CouchDB-shaped revision: the version as generation, a hash of name and version as id. */
  static String rev(User user) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((user.name() + ":" + user.version()).getBytes(StandardCharsets.UTF_8));
      return user.version() + "-" + HexFormat.of().formatHex(hash, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
