package io.polysync.adapter.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.KeyRange;
import io.polysync.spi.Names;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Documents: a hash of id → packed document, the changes feed as a sorted set scored by sequence
 * (a rewrite moves the id: each document appears once, at its latest sequence), and two sets of ids
 * by byte order, one for live and one for deleted documents, for id ranges.
 *
 * <p>A write batch is one {@link RedisScripts#WRITE} call, so it commits whole and at once:
 * compare-and-set, sequence and timestamp allocation, the document, the feed, the id sets and the
 * counters. States beyond {@link RedisSettings#inlineBytes()} in one batch are first stored in
 * expiring staging keys that the script reads and deletes, so a batch of large states is still one
 * script without one oversized command.
 */
final class RedisDocumentStore implements DocumentStore {
  /** How long a staged state may wait for its script: far beyond any command timeout. */
  private static final long STAGE_TTL_MILLIS = TimeUnit.MINUTES.toMillis(10);

  private final RedisStorage storage;

  RedisDocumentStore(RedisStorage storage) {
    this.storage = storage;
  }

  @Override
  public Optional<StoredDocument> get(String namespace, String id) {
    Names.checkId(id);
    List<Object> reply =
        storage.inNamespace(
            "reading a document", namespace, RedisScripts.GET,
            () -> new byte[][] {RedisKeys.bytes(id)});
    return RedisStorage.bytes(reply.get(1)).map(v -> decode(id, v));
  }

  @Override
  public List<StoredDocument> getAll(String namespace, List<String> ids) {
    ids.forEach(Names::checkId);
    if (ids.isEmpty()) {
      storage.requireNamespace(namespace, "reading documents");
      return List.of();
    }
    List<Object> reply =
        storage.inNamespace(
            "reading documents", namespace, RedisScripts.GET_ALL,
            () -> ids.stream().map(RedisKeys::bytes).toArray(byte[][]::new));
    List<Object> values = RedisStorage.list(reply.get(1));
    List<StoredDocument> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      if (values.get(i) != null) {
        out.add(decode(ids.get(i), (byte[]) values.get(i)));
      }
    }
    return out;
  }

  @Override
  public List<StoredDocument> range(String namespace, KeyRange range) {
    byte[] low;
    byte[] high;
    if (!range.descending()) {
      low = range.start().map(s -> bound('[', s)).orElse(new byte[] {'-'});
      high = range.end().map(e -> bound(range.inclusiveEnd() ? '[' : '(', e)).orElse(new byte[] {'+'});
    } else {
      high = range.start().map(s -> bound('[', s)).orElse(new byte[] {'+'});
      low = range.end().map(e -> bound(range.inclusiveEnd() ? '[' : '(', e)).orElse(new byte[] {'-'});
    }
    byte[] first = range.descending() ? high : low;
    byte[] second = range.descending() ? low : high;
    List<Object> reply =
        storage.inNamespace(
            "reading an id range", namespace, RedisScripts.RANGE,
            () ->
                new byte[][] {
                  first,
                  second,
                  flag(range.descending()),
                  flag(range.includeDeleted()),
                  RedisKeys.bytes(Integer.toString(range.limit()))
                });
    List<StoredDocument> live = documents(reply.get(1), reply.get(2));
    if (!range.includeDeleted()) {
      return live;
    }
    List<StoredDocument> deleted = documents(reply.get(3), reply.get(4));
    // Both lists are in byte order; merge them (Lua would compare by the server's locale).
    List<StoredDocument> out = new ArrayList<>(Math.min(range.limit(), live.size() + deleted.size()));
    int i = 0;
    int j = 0;
    int sign = range.descending() ? -1 : 1;
    while (out.size() < range.limit() && (i < live.size() || j < deleted.size())) {
      if (j >= deleted.size()
          || i < live.size() && sign * Names.compare(live.get(i).id(), deleted.get(j).id()) < 0) {
        out.add(live.get(i++));
      } else {
        out.add(deleted.get(j++));
      }
    }
    return out;
  }

  @Override
  public List<StoredDocument> changes(String namespace, ChangesRange range) {
    byte[] low = RedisKeys.bytes("(" + range.since());
    byte[] high =
        RedisKeys.bytes(range.until() == Long.MAX_VALUE ? "+inf" : "(" + range.until());
    List<Object> reply =
        storage.inNamespace(
            "reading changes", namespace, RedisScripts.CHANGES,
            () ->
                new byte[][] {
                  range.descending() ? high : low,
                  range.descending() ? low : high,
                  flag(range.descending()),
                  RedisKeys.bytes(Integer.toString(range.limit()))
                });
    return documents(reply.get(1), reply.get(2));
  }

  @Override
  public List<WriteResult> write(String namespace, List<WriteItem> items) {
    if (items.isEmpty()) {
      throw new SyncException(StorageError.INVALID_BATCH, "the batch is empty");
    }
    if (items.size() > RedisStorage.MAX_BATCH) {
      throw new SyncException(
          StorageError.INVALID_BATCH,
          "the batch has " + items.size() + " items; the most is " + RedisStorage.MAX_BATCH);
    }
    Set<String> seen = new HashSet<>();
    for (WriteItem item : items) {
      if (!seen.add(item.id())) {
        throw new SyncException(
            StorageError.INVALID_BATCH, "the batch names document " + item.id() + " twice");
      }
    }

    WriteResult[] results = new WriteResult[items.size()];
    List<Integer> sent = new ArrayList<>();
    List<byte[]> args = new ArrayList<>();
    List<byte[]> staged = new ArrayList<>();
    List<byte[]> stagedValues = new ArrayList<>();
    args.add(storage.keys.channel(namespace));
    long inline = 0;
    UUID batch = null;
    for (int i = 0; i < items.size(); i++) {
      WriteItem item = items.get(i);
      if (item.state().length > RedisStorage.MAX_VALUE_BYTES) {
        results[i] =
            new WriteResult.Rejected(
                item.id(),
                new SyncException(
                    StorageError.VALUE_TOO_LARGE,
                    "document " + item.id() + " has a state of " + item.state().length
                        + " bytes; the most is " + RedisStorage.MAX_VALUE_BYTES));
        continue;
      }
      byte[] payload = payload(item);
      sent.add(i);
      args.add(RedisKeys.bytes(item.id()));
      args.add(RedisKeys.bytes(Long.toString(item.expectedSeq())));
      args.add(flag(item.deleted()));
      if (inline + payload.length > storage.settings.inlineBytes()) {
        if (batch == null) {
          batch = UUID.randomUUID();
        }
        staged.add(storage.keys.stage(batch, staged.size()));
        stagedValues.add(payload);
        args.add(RedisKeys.bytes(Integer.toString(RedisKeys.COUNT + staged.size())));
        args.add(new byte[0]);
      } else {
        inline += payload.length;
        args.add(new byte[] {'0'});
        args.add(payload);
      }
    }
    if (sent.isEmpty()) {
      storage.requireNamespace(namespace, "writing documents");
      return Arrays.asList(results);
    }

    byte[][] stagedKeys = RedisStorage.array(staged);
    boolean done = false;
    try {
      if (!staged.isEmpty()) {
        stage(stagedKeys, stagedValues);
      }
      byte[][] argv = RedisStorage.array(args);
      List<Object> reply =
          storage.inNamespace(
              "writing documents",
              namespace,
              RedisScripts.WRITE,
              new RedisStorage.ScriptCall() {
                @Override
                public byte[][] extraKeys() {
                  return stagedKeys;
                }

                @Override
                public byte[][] args() {
                  return argv;
                }
              });
      if (RedisStorage.status(reply) == 2) {
        throw new SyncException(
            StorageError.UNAVAILABLE,
            "the staged states of a write to " + namespace + " expired before it ran; nothing"
                + " was written");
      }
      done = true;
      for (int k = 0; k < sent.size(); k++) {
        int i = sent.get(k);
        String id = items.get(i).id();
        long first = RedisStorage.number(reply.get(1 + 2 * k));
        long second = RedisStorage.number(reply.get(2 + 2 * k));
        results[i] =
            first == 0 ? new WriteResult.Conflict(id, second) : new WriteResult.Written(id, first, second);
      }
      return Arrays.asList(results);
    } finally {
      if (!done && !staged.isEmpty() && !storage.isClosed()) {
        try {
          storage.commands().del(stagedKeys);
        } catch (RuntimeException e) {
          // They expire on their own.
        }
      }
    }
  }

  /** Stores large states under their staging keys, pipelined, before the write script runs. */
  private void stage(byte[][] keys, List<byte[]> values) {
    storage.command(
        "staging large states",
        () -> {
          List<RedisFuture<String>> futures = new ArrayList<>();
          var async = storage.asyncCommands();
          for (int k = 0; k < keys.length; k++) {
            futures.add(async.set(keys[k], values.get(k), SetArgs.Builder.px(STAGE_TTL_MILLIS)));
          }
          for (RedisFuture<String> f : futures) {
            try {
              f.get(storage.settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new SyncException(StorageError.UNAVAILABLE, "interrupted while staging", e);
            } catch (Exception e) {
              Throwable cause = e.getCause() == null ? e : e.getCause();
              throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
            }
          }
          return null;
        });
  }

  /**
   * The part of a stored document the caller knows: {@code D REVLEN ":" REV STATE}, D being 1 for
   * a deletion. The script puts {@code "SEQ:TS:"} in front.
   */
  static byte[] payload(WriteItem item) {
    byte[] rev = RedisKeys.bytes(item.winningRev());
    byte[] head = RedisKeys.bytes((item.deleted() ? "1" : "0") + rev.length + ":");
    byte[] out = new byte[head.length + rev.length + item.state().length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(rev, 0, out, head.length, rev.length);
    System.arraycopy(item.state(), 0, out, head.length + rev.length, item.state().length);
    return out;
  }

  /** Reads {@code "SEQ:TS:" D REVLEN ":" REV STATE}. */
  static StoredDocument decode(String id, byte[] v) {
    try {
      int[] pos = {0};
      long seq = digits(v, pos);
      long ts = digits(v, pos);
      boolean deleted = v[pos[0]++] == '1';
      int revLength = (int) digits(v, pos);
      String rev = new String(v, pos[0], revLength, StandardCharsets.UTF_8);
      int stateAt = pos[0] + revLength;
      byte[] state = Arrays.copyOfRange(v, stateAt, v.length);
      return new StoredDocument(id, seq, ts, rev, deleted, state);
    } catch (RuntimeException e) {
      throw new SyncException(
          StorageError.INTERNAL, "document " + id + " is stored in a form this adapter cannot read",
          e);
    }
  }

  /** The decimal number at {@code pos[0]}, up to a ':' which is skipped. */
  private static long digits(byte[] v, int[] pos) {
    long n = 0;
    int i = pos[0];
    while (v[i] != ':') {
      int d = v[i] - '0';
      if (d < 0 || d > 9) {
        throw new IllegalArgumentException("not a digit at " + i);
      }
      n = n * 10 + d;
      i++;
    }
    pos[0] = i + 1;
    return n;
  }

  private static List<StoredDocument> documents(Object ids, Object values) {
    List<Object> idList = RedisStorage.list(ids);
    List<Object> valueList = RedisStorage.list(values);
    List<StoredDocument> out = new ArrayList<>(idList.size());
    for (int i = 0; i < idList.size(); i++) {
      Object v = valueList.get(i);
      if (v != null) {
        out.add(decode(RedisStorage.string(idList.get(i)), (byte[]) v));
      }
    }
    return out;
  }

  private static byte[] bound(char kind, String id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(kind);
    out.writeBytes(RedisKeys.bytes(id));
    return out.toByteArray();
  }

  private static byte[] flag(boolean b) {
    return new byte[] {(byte) (b ? '1' : '0')};
  }
}
