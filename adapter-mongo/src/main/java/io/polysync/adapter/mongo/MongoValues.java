package io.polysync.adapter.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.bson.types.Binary;

/**
 * Byte values (document states, local bodies, blobs) inside their owning MongoDB document when
 * small, in {@code polysync_chunks} when not: a document may not exceed 16 MiB, and a document
 * write under the lease also keeps the previous version beside the new one.
 *
 * <p>An owner holds either {@code v} (the bytes) or {@code c} (a reference: {@code id}, chunk
 * count {@code n}, total length {@code len}). Chunks are immutable and named {@code ID/000000},
 * {@code ID/000001}, ...; they are written before the owner that references them and deleted after
 * the owner stopped referencing them, so a reader that finds a chunk missing re-reads the owner
 * ({@link Missing}).
 */
final class MongoValues {
  /** Values up to this size live in their owner. */
  static final int INLINE_MAX = 4 << 20;
  /** The size of one chunk. */
  static final int CHUNK_BYTES = 4 << 20;

  static final String INLINE = "v";
  static final String CHUNKED = "c";

  /** A chunk of a value was gone: the owner changed under the reader, which must read it again. */
  static final class Missing extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Missing() {
      super(null, null, false, false);
    }
  }

  private final MongoCollection<Document> chunks;

  MongoValues(MongoCollection<Document> chunks) {
    this.chunks = chunks;
  }

  /**
   * The owner fields for {@code data}: {@code {v: bytes}}, or {@code {c: ref}} after writing the
   * chunks (tagged with {@code ns} so that dropping the namespace removes them).
   */
  Document write(String ns, byte[] data) {
    if (data.length <= INLINE_MAX) {
      return new Document(INLINE, new Binary(data));
    }
    String id = UUID.randomUUID().toString();
    int count = (data.length + CHUNK_BYTES - 1) / CHUNK_BYTES;
    List<Document> docs = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      int from = n * CHUNK_BYTES;
      int to = Math.min(data.length, from + CHUNK_BYTES);
      byte[] part = java.util.Arrays.copyOfRange(data, from, to);
      docs.add(new Document("_id", chunkId(id, n)).append("ns", ns).append("data", new Binary(part)));
      if (docs.size() == 4 || n == count - 1) {
        chunks.insertMany(docs);
        docs = new ArrayList<>();
      }
    }
    return new Document(CHUNKED, new Document("id", id).append("n", count).append("len", (long) data.length));
  }

  /** The value held by {@code owner} (a document with {@code v} or {@code c}). */
  byte[] read(Document owner) {
    Object inline = owner.get(INLINE);
    if (inline instanceof Binary b) {
      return b.getData();
    }
    if (inline instanceof byte[] bytes) {
      return bytes;
    }
    Document ref = owner.get(CHUNKED, Document.class);
    if (ref == null) {
      throw new IllegalStateException("a stored value has neither bytes nor chunks");
    }
    String id = ref.getString("id");
    int count = ((Number) ref.get("n")).intValue();
    long length = ((Number) ref.get("len")).longValue();
    byte[] out = new byte[Math.toIntExact(length)];
    int at = 0;
    int seen = 0;
    for (Document chunk :
        chunks.find(Filters.and(Filters.gte("_id", id + "/"), Filters.lt("_id", id + "0")))
            .sort(Sorts.ascending("_id"))) {
      byte[] part = ((Binary) chunk.get("data")).getData();
      if (!chunk.getString("_id").equals(chunkId(id, seen)) || at + part.length > out.length) {
        throw new Missing();
      }
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
      seen++;
    }
    if (seen != count || at != out.length) {
      throw new Missing();
    }
    return out;
  }

  /** Deletes the chunks {@code owner} references, if any. */
  void discard(Document owner) {
    if (owner == null) {
      return;
    }
    Document ref = owner.get(CHUNKED, Document.class);
    if (ref != null) {
      String id = ref.getString("id");
      chunks.deleteMany(Filters.and(Filters.gte("_id", id + "/"), Filters.lt("_id", id + "0")));
    }
  }

  /** The reference of a chunked value, to tell two stored values apart; null when inline. */
  static String chunkRef(Document owner) {
    Document ref = owner == null ? null : owner.get(CHUNKED, Document.class);
    return ref == null ? null : ref.getString("id");
  }

  private static String chunkId(String id, int n) {
    return id + "/" + String.format("%06d", n);
  }
}
