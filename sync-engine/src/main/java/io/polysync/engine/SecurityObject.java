package io.polysync.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Who may use a database, in CouchDB's {@code _security} shape: {@code admins} and {@code members},
 * each with {@code names} and {@code roles}.
 *
 * <p>The rules, as CouchDB 3 with its default {@code admin_only} security:
 *
 * <ul>
 *   <li>a server administrator ({@link UserContext#SERVER_ADMIN}) may do everything;
 *   <li>a database admin (by name or role) may read and write everything, design documents and the
 *       security object included;
 *   <li>a member (by name or role) may read and write documents other than design documents;
 *   <li>when {@code members} names nobody, only admins may use the database. To open a database to
 *       everyone, name the role {@value UserContext#EVERYONE} (or {@value UserContext#AUTHENTICATED}
 *       for any signed-in user) among the members' roles. CouchDB instead makes a database whose
 *       stored {@code _security} has empty members public; Polysync never opens a database
 *       implicitly.
 * </ul>
 *
 * <p>{@code owned} switches on owned documents (Polysync's extension, kept in a {@code polysync}
 * member CouchDB ignores: {@code "polysync": {"owned": true}}): each document belongs to the user
 * who created it, and a member who is not an admin reads only the documents it owns or is named a
 * reader of, and writes only its own. See docs/protocols/owned-documents.md.
 *
 * @param owned whether documents are owned; admins still see and write everything
 */
public record SecurityObject(
    List<String> adminNames, List<String> adminRoles, List<String> memberNames, List<String> memberRoles,
    boolean owned) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What a database without a stored security object has: server administrators only. */
  public static final SecurityObject EMPTY = new SecurityObject(List.of(), List.of(), List.of(), List.of());

  public SecurityObject {
    adminNames = List.copyOf(adminNames);
    adminRoles = List.copyOf(adminRoles);
    memberNames = List.copyOf(memberNames);
    memberRoles = List.copyOf(memberRoles);
  }

  /** A security object without owned documents. */
  public SecurityObject(
      List<String> adminNames, List<String> adminRoles, List<String> memberNames, List<String> memberRoles) {
    this(adminNames, adminRoles, memberNames, memberRoles, false);
  }

  /** This object with owned documents switched on or off. */
  public SecurityObject withOwned(boolean value) {
    return new SecurityObject(adminNames, adminRoles, memberNames, memberRoles, value);
  }

  /**
   * Whether {@code user} sees and writes every document: a server or database admin, or anyone on a
   * database whose documents are not owned.
   */
  public boolean seesEverything(UserContext user) {
    return !owned || user.isServerAdmin() || isAdmin(user);
  }

  /** Whether {@code user} has {@code permission} on a database with this security object. */
  public boolean allows(UserContext user, Permission permission) {
    if (user.isServerAdmin()) {
      return true;
    }
    if (isAdmin(user)) {
      return true;
    }
    return permission != Permission.ADMIN && isMember(user);
  }

  private boolean isAdmin(UserContext user) {
    return matches(user, adminNames, adminRoles);
  }

  private boolean isMember(UserContext user) {
    return matches(user, memberNames, memberRoles);
  }

  private static boolean matches(UserContext user, List<String> names, List<String> roles) {
    if (user.authenticated() && names.contains(user.name())) {
      return true;
    }
    return containsAny(roles, user.principalRoles());
  }

  private static boolean containsAny(List<String> values, Collection<String> candidates) {
    for (String candidate : candidates) {
      if (values.contains(candidate)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses CouchDB's {@code _security} JSON. Members other than {@code admins}, {@code members} and
   * {@code polysync} are ignored; a missing section or list is empty.
   *
   * @throws SyncException {@link EngineError#BAD_REQUEST} when a section is not an object, a list
   *     holds anything but strings, or {@code polysync.owned} is not a boolean
   */
  public static SecurityObject fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new SyncException(EngineError.BAD_REQUEST, "the security object must be a JSON object");
    }
    return new SecurityObject(
        list(node, "admins", "names"), list(node, "admins", "roles"),
        list(node, "members", "names"), list(node, "members", "roles"), owned(node));
  }

  private static boolean owned(JsonNode root) {
    JsonNode part = root.get("polysync");
    if (part == null || part.isNull()) {
      return false;
    }
    if (!part.isObject()) {
      throw new SyncException(EngineError.BAD_REQUEST, "polysync must be a JSON object");
    }
    JsonNode owned = part.get("owned");
    if (owned == null || owned.isNull()) {
      return false;
    }
    if (!owned.isBoolean()) {
      throw new SyncException(EngineError.BAD_REQUEST, "polysync.owned must be true or false");
    }
    return owned.booleanValue();
  }

  public static SecurityObject fromJson(String json) {
    try {
      return fromJson(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new SyncException(EngineError.BAD_REQUEST, "the security object is not valid JSON", e);
    }
  }

  private static List<String> list(JsonNode root, String section, String key) {
    JsonNode part = root.get(section);
    if (part == null || part.isNull()) {
      return List.of();
    }
    if (!part.isObject()) {
      throw new SyncException(EngineError.BAD_REQUEST, section + " must be a JSON object");
    }
    JsonNode values = part.get(key);
    if (values == null || values.isNull()) {
      return List.of();
    }
    if (!values.isArray()) {
      throw new SyncException(EngineError.BAD_REQUEST, section + "." + key + " must be a JSON list of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode value : values) {
      if (!value.isTextual()) {
        throw new SyncException(EngineError.BAD_REQUEST, section + "." + key + " must be a JSON list of strings");
      }
      out.add(value.textValue());
    }
    return out;
  }

  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode admins = root.putObject("admins");
    adminNames.forEach(admins.putArray("names")::add);
    adminRoles.forEach(admins.putArray("roles")::add);
    ObjectNode members = root.putObject("members");
    memberNames.forEach(members.putArray("names")::add);
    memberRoles.forEach(members.putArray("roles")::add);
    if (owned) {
      root.putObject("polysync").put("owned", true);
    }
    return root;
  }
}
