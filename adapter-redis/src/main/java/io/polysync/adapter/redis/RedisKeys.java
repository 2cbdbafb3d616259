package io.polysync.adapter.redis;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The keyspace of one deployment, every key starting with its prefix {@code P} ({@code polysync:}
 * unless configured, so the registry is {@code polysync:namespaces}):
 *
 * <pre>
 * Pnamespaces              hash    namespace name → namespace id
 * Pnames                   zset    namespace names, score 0 (listed in byte order)
 * Pnamespace-ids           string  counter of namespace ids
 * Pns:ID:info              hash    seq, ts, live, deleted
 * Pns:ID:meta              hash    metadata key → value
 * Pns:ID:docs              hash    document id → "SEQ:TS:" D REVLEN ":" REV STATE
 * Pns:ID:changes           zset    document id, score = sequence of its latest write
 * Pns:ID:live              zset    ids whose winner is not deleted, score 0
 * Pns:ID:deleted           zset    ids whose winner is deleted, score 0
 * Pns:ID:locals            hash    local id → VERSION ":" BODY
 * Pns:ID:blobs             hash    blob key → bytes
 * Pstage:UUID:N            string  a large state on its way into a write script (expires)
 * Pchanges:NAME            channel sequence numbers of commits to namespace NAME
 * </pre>
 *
 * <p>A namespace's keys hang off an id rather than its name, so a namespace dropped and created
 * again never meets anything of its former life, even from a writer that still held the old id.
 */
final class RedisKeys {
  /** Positions in {@link #namespace}'s array, one-based as Lua's {@code KEYS}. */
  static final int REGISTRY = 1;

  static final int NAMES = 2;
  static final int INFO = 3;
  static final int META = 4;
  static final int DOCS = 5;
  static final int CHANGES = 6;
  static final int LIVE = 7;
  static final int DELETED = 8;
  static final int LOCALS = 9;
  static final int BLOBS = 10;
  static final int COUNT = 10;

  private final String prefix;
  private final byte[] registry;
  private final byte[] names;
  private final byte[] counter;
  private final byte[] channelPrefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
    this.registry = bytes(prefix + "namespaces");
    this.names = bytes(prefix + "names");
    this.counter = bytes(prefix + "namespace-ids");
    this.channelPrefix = bytes(prefix + "changes:");
  }

  String prefix() {
    return prefix;
  }

  byte[] registry() {
    return registry;
  }

  byte[] names() {
    return names;
  }

  byte[] counter() {
    return counter;
  }

  /** Every key of namespace {@code id}, in the order of the constants above. */
  byte[][] namespace(long id) {
    String base = prefix + "ns:" + id + ":";
    return new byte[][] {
      registry,
      names,
      bytes(base + "info"),
      bytes(base + "meta"),
      bytes(base + "docs"),
      bytes(base + "changes"),
      bytes(base + "live"),
      bytes(base + "deleted"),
      bytes(base + "locals"),
      bytes(base + "blobs")
    };
  }

  /** A fresh key for staging one large state. */
  byte[] stage(UUID batch, int n) {
    return bytes(prefix + "stage:" + batch + ":" + n);
  }

  byte[] channel(String namespace) {
    byte[] name = bytes(namespace);
    byte[] out = new byte[channelPrefix.length + name.length];
    System.arraycopy(channelPrefix, 0, out, 0, channelPrefix.length);
    System.arraycopy(name, 0, out, channelPrefix.length, name.length);
    return out;
  }

  /** The namespace a channel of ours names, or null for someone else's channel. */
  String namespaceOf(byte[] channel) {
    if (channel.length < channelPrefix.length) {
      return null;
    }
    for (int i = 0; i < channelPrefix.length; i++) {
      if (channel[i] != channelPrefix[i]) {
        return null;
      }
    }
    return new String(
        channel, channelPrefix.length, channel.length - channelPrefix.length, StandardCharsets.UTF_8);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
