package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.EngineError;
import io.polysync.spi.SyncException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Format 1: a version byte {@code 0x01}, then JSON {@code {"n":[node...]}} with each node as
 * {@code {"r":rev, "p":parent?, "d":true?, "b":body?, "a":{name:{"t","g","l","r","k","e"?,"n"?}}?}}.
 * Nodes are written in revision order so equal trees give equal bytes. On an owned database the
 * root also holds {@code "o": owner} (the creating user); states without it have no owner.
 */
final class JsonStateCodec implements StateCodec {
  static final byte FORMAT_1 = 1;

  /** Resolved once: {@code ObjectMapper.readTree} looks the tree type up on every call. */
  private static final ObjectReader READER = Json.MAPPER.reader();

  @Override
  public byte[] encode(RevTree tree) {
    ArrayNode nodes = Json.NODES.arrayNode();
    List<RevTree.Node> sorted = new ArrayList<>(tree.nodes());
    sorted.sort(Comparator.comparing(RevTree.Node::rev));
    for (RevTree.Node n : sorted) {
      ObjectNode o = nodes.addObject();
      o.put("r", n.rev().toString());
      n.parent().ifPresent(p -> o.put("p", p.toString()));
      if (n.deleted()) {
        o.put("d", true);
      }
      n.body().ifPresent(b -> o.set("b", b));
      if (!n.attachments().isEmpty()) {
        ObjectNode atts = o.putObject("a");
        n.attachments().forEach((name, m) -> {
          ObjectNode a = atts.putObject(name);
          a.put("t", m.contentType());
          a.put("g", m.digest());
          a.put("l", m.length());
          a.put("r", m.revpos());
          a.put("k", m.blobKey());
          m.encoding().ifPresent(enc -> {
            a.put("e", enc);
            a.put("n", m.encodedLength());
          });
        });
      }
    }
    ObjectNode root = Json.object();
    root.set("n", nodes);
    tree.owner().ifPresent(o -> root.put("o", o));
    return withVersion(root);
  }

  @Override
  public RevTree decode(byte[] state) {
    JsonNode root = read(state);
    RevTree tree = new RevTree();
    if (root.path("o").isTextual()) {
      tree.setOwner(root.get("o").textValue());
    }
    for (JsonNode o : root.path("n")) {
      Map<String, AttachmentMeta> atts = null;
      if (o.has("a")) {
        atts = new LinkedHashMap<>();
        for (var e : o.get("a").properties()) {
          JsonNode a = e.getValue();
          atts.put(e.getKey(), new AttachmentMeta(
              a.path("t").asText(), a.path("g").asText(), a.path("l").asLong(), a.path("r").asLong(),
              a.has("e") ? Optional.of(a.get("e").asText()) : Optional.empty(),
              a.path("n").asLong(), a.path("k").asText()));
        }
      }
      tree.restore(
          Rev.parse(o.path("r").asText()),
          o.has("p") ? Rev.parse(o.get("p").asText()) : null,
          o.path("d").asBoolean(false),
          o.has("b") ? (ObjectNode) o.get("b") : null,
          atts);
    }
    return tree;
  }

  @Override
  public byte[] encodeLocal(ObjectNode body) {
    return withVersion(body);
  }

  @Override
  public ObjectNode decodeLocal(byte[] bytes) {
    return (ObjectNode) read(bytes);
  }

  private static byte[] withVersion(JsonNode node) {
    try {
      byte[] json = Json.MAPPER.writeValueAsBytes(node);
      byte[] out = new byte[json.length + 1];
      out[0] = FORMAT_1;
      System.arraycopy(json, 0, out, 1, json.length);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  private static JsonNode read(byte[] bytes) {
    if (bytes.length < 2 || bytes[0] != FORMAT_1) {
      throw new SyncException(
          EngineError.CORRUPT_STATE,
          "unknown stored state format " + (bytes.length == 0 ? "(empty)" : Integer.toString(bytes[0])));
    }
    try {
      JsonNode node = READER.readTree(bytes, 1, bytes.length - 1);
      if (!node.isObject()) {
        throw new SyncException(EngineError.CORRUPT_STATE, "stored state is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new SyncException(EngineError.CORRUPT_STATE, "stored state is not valid JSON", e);
    }
  }
}
