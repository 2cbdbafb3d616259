package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A document's revision forest, CouchDB style, held as a map from revision to parent revision.
 *
 * <p>A parent map rather than CouchDB's list of paths makes merging order-independent by
 * construction: the edges known are the union of the edges of every merged path, whatever the order
 * in which the paths came. A node whose parent is unknown (never seen, or stemmed away) is a root;
 * a node no other node names as parent is a leaf. Leaves keep their body and attachment metadata;
 * interior nodes keep neither, as in CouchDB after compaction.
 *
 * <p>Not thread-safe: each update works on its own copy decoded from storage.
 */
final class RevTree {
  /** Highest first: non-deleted before deleted, then by generation, then by hash. */
  public static final Comparator<Node> WINNER_FIRST =
      Comparator.comparing((Node n) -> !n.deleted).thenComparing(n -> n.rev).reversed();

  /** One revision. Mutable only through {@link RevTree}. */
  public static final class Node {
    final Rev rev;
    Rev parent;
    boolean deleted;
    ObjectNode body;
    Map<String, AttachmentMeta> attachments;

    Node(Rev rev, Rev parent, boolean deleted, ObjectNode body, Map<String, AttachmentMeta> attachments) {
      this.rev = rev;
      this.parent = parent;
      this.deleted = deleted;
      this.body = body;
      this.attachments = attachments;
    }

    public Rev rev() {
      return rev;
    }

    public Optional<Rev> parent() {
      return Optional.ofNullable(parent);
    }

    public boolean deleted() {
      return deleted;
    }

    /** The body without special members, present on leaves only. */
    public Optional<ObjectNode> body() {
      return Optional.ofNullable(body);
    }

    /** Attachment metadata by name; empty on interior nodes. */
    public Map<String, AttachmentMeta> attachments() {
      return attachments == null ? Map.of() : attachments;
    }
  }

  private final Map<Rev, Node> nodes;
  private Set<Rev> parentsCache;
  /** The user who created the document, kept on an owned database; null when none was recorded. */
  private String owner;

  public RevTree() {
    this.nodes = new HashMap<>();
  }

  private RevTree(Map<Rev, Node> nodes) {
    this.nodes = nodes;
  }

  /** A deep copy of the structure; bodies are shared, as nothing mutates them. */
  public RevTree copy() {
    Map<Rev, Node> copy = new HashMap<>(nodes.size() * 2);
    for (Node n : nodes.values()) {
      copy.put(n.rev, new Node(n.rev, n.parent, n.deleted, n.body, n.attachments));
    }
    RevTree out = new RevTree(copy);
    out.owner = owner;
    return out;
  }

  /** The user who created the document, recorded by the engine on an owned database. */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  public void setOwner(String value) {
    owner = value;
  }

  public boolean isEmpty() {
    return nodes.isEmpty();
  }

  public int size() {
    return nodes.size();
  }

  public Optional<Node> node(Rev rev) {
    return Optional.ofNullable(nodes.get(rev));
  }

  public boolean contains(Rev rev) {
    return nodes.containsKey(rev);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  /** Adds a node as decoded from storage; the caller restores a consistent tree. */
  public void restore(Rev rev, Rev parent, boolean deleted, ObjectNode body, Map<String, AttachmentMeta> atts) {
    nodes.put(rev, new Node(rev, parent, deleted, body, atts));
    parentsCache = null;
  }

  public boolean isLeaf(Rev rev) {
    return nodes.containsKey(rev) && !parents().contains(rev);
  }

  /** Every leaf, the winner first, then in descending winner order. */
  public List<Node> leaves() {
    Set<Rev> parents = parents();
    List<Node> leaves = new ArrayList<>();
    for (Node n : nodes.values()) {
      if (!parents.contains(n.rev)) {
        leaves.add(n);
      }
    }
    leaves.sort(WINNER_FIRST);
    return leaves;
  }

  /** The winning leaf; the tree must not be empty. */
  public Node winner() {
    Node best = null;
    Set<Rev> parents = parents();
    for (Node n : nodes.values()) {
      if (!parents.contains(n.rev) && (best == null || WINNER_FIRST.compare(n, best) < 0)) {
        best = n;
      }
    }
    if (best == null) {
      throw new IllegalStateException("empty revision tree");
    }
    return best;
  }

  /** Non-deleted leaves other than the winner, in descending winner order (CouchDB's {@code _conflicts}). */
  public List<Rev> conflicts() {
    return otherLeaves(false);
  }

  /** Deleted leaves other than the winner ({@code _deleted_conflicts}). */
  public List<Rev> deletedConflicts() {
    return otherLeaves(true);
  }

  private List<Rev> otherLeaves(boolean deleted) {
    List<Node> leaves = leaves();
    List<Rev> out = new ArrayList<>();
    for (int i = 1; i < leaves.size(); i++) {
      if (leaves.get(i).deleted == deleted) {
        out.add(leaves.get(i).rev);
      }
    }
    return out;
  }

  /** {@code rev} and its known ancestors, newest first, up to the (possibly stemmed) root. */
  public List<Rev> ancestry(Rev rev) {
    List<Rev> out = new ArrayList<>();
    Node n = nodes.get(rev);
    while (n != null) {
      out.add(n.rev);
      n = n.parent == null ? null : nodes.get(n.parent);
    }
    return out;
  }

  /** The leaves descending from {@code rev} ({@code rev} itself when it is a leaf), winner order. */
  public List<Node> leavesUnder(Rev rev) {
    if (!nodes.containsKey(rev)) {
      return List.of();
    }
    Map<Rev, List<Rev>> children = children();
    List<Node> out = new ArrayList<>();
    ArrayDeque<Rev> todo = new ArrayDeque<>();
    todo.push(rev);
    while (!todo.isEmpty()) {
      Rev r = todo.pop();
      List<Rev> kids = children.get(r);
      if (kids == null) {
        out.add(nodes.get(r));
      } else {
        kids.forEach(todo::push);
      }
    }
    out.sort(WINNER_FIRST);
    return out;
  }

  /**
   * Merges a replicated path (CouchDB {@code new_edits=false}): {@code path} runs newest to oldest
   * with consecutive generations. Its first element becomes a leaf carrying the given content if
   * it is new; a known revision keeps what it has, so merging is idempotent. Older elements are
   * added as interior nodes where unknown, and a known node without a parent (a root, perhaps
   * stemmed) is attached to the next older element of the path: a path overlapping a stemmed tree
   * joins it, even when its newest revision is already known, and a path overlapping nothing
   * becomes a new root.
   *
   * @return whether a node or an edge was added
   */
  public boolean mergePath(
      List<Rev> path, boolean deleted, ObjectNode body, Map<String, AttachmentMeta> attachments) {
    boolean changed = false;
    for (int i = 0; i < path.size(); i++) {
      Rev rev = path.get(i);
      Rev parent = i + 1 < path.size() ? path.get(i + 1) : null;
      Node n = nodes.get(rev);
      if (n == null) {
        n = i == 0 ? new Node(rev, parent, deleted, body, attachments) : new Node(rev, parent, false, null, null);
        nodes.put(rev, n);
        changed = true;
      } else if (n.parent == null && parent != null) {
        n.parent = parent;
        changed = true;
      }
    }
    if (changed) {
      parentsCache = null;
      dropInteriorContent();
    }
    return changed;
  }

  /**
   * Adds an interactive edit: a new leaf {@code rev} under {@code parent} (a current leaf), or a
   * new root when {@code parent} is null.
   */
  public void addLeaf(Rev parent, Rev rev, boolean deleted, ObjectNode body, Map<String, AttachmentMeta> attachments) {
    if (parent != null && !isLeaf(parent)) {
      throw new IllegalStateException(parent + " is not a leaf");
    }
    nodes.put(rev, new Node(rev, parent, deleted, body, attachments));
    parentsCache = null;
    dropInteriorContent();
  }

  /**
   * Keeps each leaf's newest {@code limit} revisions (CouchDB's {@code revs_limit}), as CouchDB's
   * {@code couch_key_tree:stem} does: every leaf-to-root path is cut to its last {@code limit}
   * revisions and the cut paths are put back together, so an edge survives only where some cut
   * path holds both its ends. A revision that lost its parent edge becomes a root.
   */
  public void stem(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive");
    }
    if (nodes.size() <= limit) {
      return;
    }
    Set<Rev> keep = new HashSet<>();
    Set<Rev> keepEdgeFrom = new HashSet<>();
    for (Node leaf : leaves()) {
      Node n = leaf;
      for (int depth = 0; n != null && depth < limit; depth++) {
        keep.add(n.rev);
        Node parent = n.parent == null ? null : nodes.get(n.parent);
        if (parent != null && depth < limit - 1) {
          keepEdgeFrom.add(n.rev);
        }
        n = parent;
      }
    }
    nodes.keySet().retainAll(keep);
    for (Node n : nodes.values()) {
      if (n.parent != null && !keepEdgeFrom.contains(n.rev)) {
        n.parent = null;
      }
    }
    parentsCache = null;
  }

  private void dropInteriorContent() {
    Set<Rev> parents = parents();
    for (Rev p : parents) {
      Node n = nodes.get(p);
      if (n != null) {
        n.body = null;
        n.attachments = null;
      }
    }
  }

  private Set<Rev> parents() {
    if (parentsCache == null) {
      Set<Rev> parents = new HashSet<>();
      for (Node n : nodes.values()) {
        if (n.parent != null && nodes.containsKey(n.parent)) {
          parents.add(n.parent);
        }
      }
      parentsCache = parents;
    }
    return parentsCache;
  }

  private Map<Rev, List<Rev>> children() {
    Map<Rev, List<Rev>> children = new LinkedHashMap<>();
    for (Node n : nodes.values()) {
      if (n.parent != null && nodes.containsKey(n.parent)) {
        children.computeIfAbsent(n.parent, k -> new ArrayList<>()).add(n.rev);
      }
    }
    return children;
  }
}
