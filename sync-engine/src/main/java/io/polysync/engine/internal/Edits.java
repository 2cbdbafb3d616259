package io.polysync.engine.internal;

import io.polysync.engine.EngineError;
import io.polysync.spi.SyncException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Applies one parsed write to a revision tree, with CouchDB's rules for each edit mode. */
final class Edits {
  private Edits() {}

  /**
   * An interactive edit ({@code new_edits=true}). The rules of CouchDB's {@code
   * prep_and_validate_update} and {@code merge_rev_tree}: a given {@code _rev} must be a current
   * leaf (any leaf, which is how conflicts get resolved); without one the document must not exist,
   * or its winner must be deleted, in which case a non-deleting edit extends the deleted winner.
   *
   * @param blobs receives the bytes of new attachment content by blob key
   * @return the new revision
   */
  static Rev applyInteractive(RevTree tree, ParsedDoc doc, Map<String, byte[]> blobs) {
    Rev parent;
    if (doc.rev().isPresent()) {
      parent = doc.rev().get();
      if (!tree.isLeaf(parent)) {
        throw conflict();
      }
    } else if (tree.isEmpty()) {
      parent = null;
    } else {
      RevTree.Node winner = tree.winner();
      if (!winner.deleted() || doc.deleted()) {
        throw conflict();
      }
      parent = winner.rev();
    }
    long gen = parent == null ? 1 : parent.gen() + 1;
    Map<String, AttachmentMeta> parentAtts =
        parent == null ? Map.of() : tree.node(parent).orElseThrow().attachments();
    Map<String, AttachmentMeta> atts = resolve(doc, parentAtts, gen, true, blobs);
    Rev rev = new Rev(gen, Digests.revisionHash(parent, doc.deleted(), doc.body(), atts));
    if (tree.contains(rev)) {
      // The same edit already arrived (through replication, on a branch stemmed apart from its parent).
      throw conflict();
    }
    tree.addLeaf(parent, rev, doc.deleted(), doc.body(), atts);
    return rev;
  }

  /**
   * A replicated write ({@code new_edits=false}): merges the {@code _revisions} path (or the lone
   * {@code _rev}) and never fails for a conflict. Stubs refer to the newest revision of the path
   * the tree still holds content for.
   *
   * @return whether the tree changed
   */
  static boolean applyReplicated(RevTree tree, ParsedDoc doc, Map<String, byte[]> blobs) {
    List<Rev> path = doc.path().isEmpty() ? List.of(doc.rev().orElseThrow()) : doc.path();
    if (tree.contains(path.get(0))) {
      // Known revision: its content stays, but the path may still reconnect a stemmed branch.
      return tree.mergePath(path, doc.deleted(), doc.body(), Map.of());
    }
    Map<String, AttachmentMeta> parentAtts = Map.of();
    for (int i = 1; i < path.size(); i++) {
      var node = tree.node(path.get(i));
      if (node.isPresent() && node.get().body().isPresent()) {
        parentAtts = node.get().attachments();
        break;
      }
    }
    Map<String, AttachmentMeta> atts = resolve(doc, parentAtts, path.get(0).gen(), false, blobs);
    return tree.mergePath(path, doc.deleted(), doc.body(), atts);
  }

  private static Map<String, AttachmentMeta> resolve(
      ParsedDoc doc, Map<String, AttachmentMeta> parentAtts, long gen, boolean interactive,
      Map<String, byte[]> blobs) {
    if (doc.attachments().isEmpty()) {
      return Map.of();
    }
    Map<String, AttachmentMeta> out = new LinkedHashMap<>();
    for (var e : doc.attachments().entrySet()) {
      String name = e.getKey();
      switch (e.getValue()) {
        case AttachmentInput.Stub stub -> {
          AttachmentMeta meta = parentAtts.get(name);
          if (meta == null || stub.digest().isPresent() && !stub.digest().get().equals(meta.digest())) {
            throw new SyncException(EngineError.MISSING_STUB, "Invalid attachment stub in " + doc.id() + " for " + name);
          }
          out.put(name, meta);
        }
        case AttachmentInput.Data data -> {
          String blobKey = Digests.attachmentDigest(data.bytes());
          String digest;
          long length;
          long encodedLength;
          if (data.encoding().isEmpty()) {
            if (data.digest().isPresent() && data.digest().get().startsWith("md5-")
                && !data.digest().get().equals(blobKey)) {
              throw new SyncException(
                  EngineError.INVALID_ATTACHMENT, "Attachment " + name + " does not match its digest");
            }
            digest = blobKey;
            length = data.bytes().length;
            encodedLength = 0;
          } else {
            // Encoded bytes arrive from CouchDB's replicator with the digest it computed; it is what
            // clients compare, so it is kept as given. Without one, the digest is that of the bytes.
            digest = data.digest().orElse(blobKey);
            length = data.length().orElse(data.bytes().length);
            encodedLength = data.bytes().length;
          }
          AttachmentMeta previous = parentAtts.get(name);
          long revpos;
          if (interactive) {
            revpos = previous != null && previous.digest().equals(digest) ? previous.revpos() : gen;
          } else {
            revpos = data.revpos().orElse(gen);
          }
          out.put(name, new AttachmentMeta(
              data.contentType(), digest, length, revpos, data.encoding(), encodedLength, blobKey));
          blobs.put(blobKey, data.bytes());
        }
      }
    }
    return out;
  }

  static SyncException conflict() {
    return new SyncException(EngineError.DOCUMENT_CONFLICT, "Document update conflict.");
  }
}
