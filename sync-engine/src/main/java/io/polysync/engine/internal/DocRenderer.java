package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.EngineError;
import io.polysync.engine.ReadOptions;
import io.polysync.spi.SyncException;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/** Renders a revision of a tree as CouchDB shapes a document. */
final class DocRenderer {
  private DocRenderer() {}

  /**
   * @param blobs reads attachment bytes by blob key, for inline attachments
   */
  static ObjectNode render(
      String id, RevTree tree, RevTree.Node node, ReadOptions options, long seq,
      Function<String, byte[]> blobs) {
    return render(id, tree, node, options, seq, blobs, true);
  }

  /**
   * @param copyBody false when the caller discards {@code tree} after this call, so the rendered
   *     document may share the body's nested values instead of copying them
   */
  static ObjectNode render(
      String id, RevTree tree, RevTree.Node node, ReadOptions options, long seq,
      Function<String, byte[]> blobs, boolean copyBody) {
    ObjectNode json = Json.object();
    json.put("_id", id);
    json.put("_rev", node.rev().toString());
    if (node.deleted()) {
      json.put("_deleted", true);
    }
    node.body().ifPresent(b -> json.setAll(copyBody ? b.deepCopy() : b));
    if (!node.attachments().isEmpty()) {
      long since = attsSinceGen(tree, node, options.attsSince());
      boolean inlineAll = options.attachments();
      ObjectNode atts = json.putObject("_attachments");
      node.attachments().forEach((name, meta) -> {
        ObjectNode a = atts.putObject(name);
        a.put("content_type", meta.contentType());
        a.put("revpos", meta.revpos());
        a.put("digest", meta.digest());
        a.put("length", meta.length());
        meta.encoding().ifPresent(enc -> {
          a.put("encoding", enc);
          a.put("encoded_length", meta.encodedLength());
        });
        if (inlineAll || meta.revpos() > since) {
          a.put("data", Base64.getEncoder().encodeToString(blobs.apply(meta.blobKey())));
        } else {
          a.put("stub", true);
        }
      });
    }
    if (options.conflicts()) {
      addRevs(json, "_conflicts", tree.conflicts());
    }
    if (options.deletedConflicts()) {
      addRevs(json, "_deleted_conflicts", tree.deletedConflicts());
    }
    List<Rev> ancestry = options.revs() || options.revsInfo() ? tree.ancestry(node.rev()) : List.of();
    if (options.revs()) {
      ObjectNode revisions = json.putObject("_revisions");
      revisions.put("start", node.rev().gen());
      ArrayNode ids = revisions.putArray("ids");
      ancestry.forEach(r -> ids.add(r.hash()));
    }
    if (options.revsInfo()) {
      ArrayNode info = json.putArray("_revs_info");
      for (Rev r : ancestry) {
        RevTree.Node n = tree.node(r).orElseThrow();
        String status = n.body().isEmpty() ? "missing" : n.deleted() ? "deleted" : "available";
        info.addObject().put("rev", r.toString()).put("status", status);
      }
    }
    if (options.localSeq()) {
      json.put("_local_seq", seq);
    }
    return json;
  }

  /**
   * The generation after which attachments are inlined for {@code atts_since}: the highest of the
   * given revisions that are ancestors of the one read. With none given: never (stubs); with none
   * known: everything, as CouchDB then cannot assume the reader has any attachment.
   */
  private static long attsSinceGen(RevTree tree, RevTree.Node node, List<String> attsSince) {
    if (attsSince.isEmpty()) {
      return Long.MAX_VALUE;
    }
    List<Rev> ancestry = tree.ancestry(node.rev());
    long best = -1;
    for (String text : attsSince) {
      Rev r = Rev.parse(text);
      if (ancestry.contains(r)) {
        best = Math.max(best, r.gen());
      }
    }
    return best < 0 ? 0 : best;
  }

  private static void addRevs(ObjectNode json, String field, List<Rev> revs) {
    if (!revs.isEmpty()) {
      ArrayNode array = json.putArray(field);
      revs.forEach(r -> array.add(r.toString()));
    }
  }

  static SyncException notFound(String reason) {
    return new SyncException(EngineError.DOCUMENT_NOT_FOUND, reason);
  }
}
