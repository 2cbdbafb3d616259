package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An object's permissions: principals by permission name ({@code read}, {@code write}, {@code
 * record:create}, ...), in the JSON shape Kinto shows.
 */
record Perms(Map<String, Set<String>> byName) {
  static final Perms NONE = new Perms(Map.of());

  Perms {
    Map<String, Set<String>> copy = new LinkedHashMap<>();
    byName.forEach((k, v) -> copy.put(k, Set.copyOf(new LinkedHashSet<>(v))));
    byName = java.util.Collections.unmodifiableMap(copy);
  }

  Set<String> get(String name) {
    return byName.getOrDefault(name, Set.of());
  }

  /** Whether any of {@code principals} holds one of {@code names}. */
  boolean grants(Collection<String> names, Set<String> principals) {
    for (String name : names) {
      for (String p : get(name)) {
        if (principals.contains(p)) {
          return true;
        }
      }
    }
    return false;
  }

  boolean isEmpty() {
    return byName.values().stream().allMatch(Set::isEmpty);
  }

  /** These permissions with each permission named in {@code update} replaced by its new list. */
  Perms replacing(Perms update) {
    Map<String, Set<String>> out = new LinkedHashMap<>(byName);
    out.putAll(update.byName);
    return new Perms(out);
  }

  /** These permissions with {@code principal} added to {@code name}. */
  Perms adding(String name, String principal) {
    Map<String, Set<String>> out = new LinkedHashMap<>(byName);
    Set<String> set = new LinkedHashSet<>(out.getOrDefault(name, Set.of()));
    set.add(principal);
    out.put(name, set);
    return new Perms(out);
  }

  ObjectNode toJson() {
    ObjectNode out = Json.object();
    byName.forEach((name, principals) -> {
      ArrayNode list = out.putArray(name);
      principals.stream().sorted().forEach(list::add);
    });
    return out;
  }

  /** Reads stored permissions; anything malformed counts as no grant. */
  static Perms fromStored(JsonNode node) {
    if (node == null || !node.isObject()) {
      return NONE;
    }
    Map<String, Set<String>> out = new LinkedHashMap<>();
    node.properties().forEach(e -> {
      Set<String> set = new LinkedHashSet<>();
      e.getValue().forEach(v -> set.add(v.asText()));
      out.put(e.getKey(), set);
    });
    return new Perms(out);
  }

  /**
   * Parses the {@code permissions} of a request body for an object that allows {@code allowed}
   * permission names: 400 errno 107 for anything else.
   */
  static Perms fromRequest(JsonNode node, List<String> allowed) {
    if (node == null || node.isNull()) {
      return NONE;
    }
    if (!node.isObject()) {
      throw KintoException.invalid("body", "permissions", "must be an object");
    }
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (var e : node.properties()) {
      if (!allowed.contains(e.getKey())) {
        throw KintoException.invalid("body", "permissions", "'" + e.getKey() + "' is not one of " + allowed);
      }
      if (!e.getValue().isArray()) {
        throw KintoException.invalid("body", "permissions." + e.getKey(), "must be a list of principals");
      }
      List<String> list = new ArrayList<>();
      for (JsonNode v : e.getValue()) {
        if (!v.isTextual() || v.asText().isEmpty()) {
          throw KintoException.invalid("body", "permissions." + e.getKey(), "must be a list of principals");
        }
        list.add(v.asText());
      }
      out.put(e.getKey(), new LinkedHashSet<>(list));
    }
    return new Perms(out);
  }
}
