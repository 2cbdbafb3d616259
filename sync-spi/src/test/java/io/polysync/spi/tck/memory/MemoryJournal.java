package io.polysync.spi.tck.memory;

import io.polysync.spi.JsonValue;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An append-only log of every committed change of a memory database, so that a journaled memory
 * storage survives a process kill: {@code open} replays it. Records are appended and forced to
 * disk inside the lock of the change they describe, so the log's order is the commit order and
 * nothing is acknowledged before it is on disk.
 *
 * <p>A record is a length-prefixed block; a torn last record (the process died mid-append) is
 * ignored on replay. Strings are written as UTF-16 units, so every Java string round-trips.
 */
class MemoryJournal implements AutoCloseable {
  /** Journals nothing: the plain in-memory database. */
  static final MemoryJournal NONE = new MemoryJournal();

  private static final byte CREATE = 1;
  private static final byte DROP = 2;
  private static final byte METADATA = 3;
  private static final byte DOCUMENT = 4;
  private static final byte LOCAL_PUT = 5;
  private static final byte LOCAL_DELETE = 6;
  private static final byte BLOB_PUT = 7;
  private static final byte BLOB_DELETE = 8;

  private final FileOutputStream file;
  private final OutputStream out;
  private final boolean force;

  private MemoryJournal() {
    this.file = null;
    this.out = null;
    this.force = false;
  }

  /**
   * @param force whether each record is forced to disk before the change is acknowledged; false
   *     only for the self-test of the durability kit, which needs a storage that loses writes
   */
  MemoryJournal(Path path, boolean force) {
    try {
      this.file = new FileOutputStream(path.toFile(), true);
    } catch (IOException e) {
      throw new SyncException(StorageError.UNAVAILABLE, "cannot open journal " + path + ": " + e.getMessage(), e);
    }
    this.force = force;
    // Without forcing, records wait in a process-local buffer, as in an adapter that acknowledges
    // before it flushes: a kill loses them.
    this.out = force ? file : new java.io.BufferedOutputStream(file, 1 << 20);
  }

  void created(String ns, Map<String, String> metadata) {
    appendForced(d -> {
      d.writeByte(CREATE);
      string(d, ns);
      d.writeInt(metadata.size());
      for (var e : metadata.entrySet()) {
        string(d, e.getKey());
        string(d, e.getValue());
      }
    });
  }

  void dropped(String ns) {
    appendForced(d -> {
      d.writeByte(DROP);
      string(d, ns);
    });
  }

  void metadata(String ns, String key, String value) {
    appendForced(d -> {
      d.writeByte(METADATA);
      string(d, ns);
      string(d, key);
      d.writeBoolean(value != null);
      if (value != null) {
        string(d, value);
      }
    });
  }

  void documents(String ns, List<MemoryNamespace.Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    append(d -> {
      for (MemoryNamespace.Entry e : entries) {
        StoredDocument doc = e.document();
        d.writeByte(DOCUMENT);
        string(d, ns);
        string(d, doc.id());
        d.writeLong(doc.seq());
        d.writeLong(doc.timestamp());
        string(d, doc.winningRev());
        d.writeBoolean(doc.deleted());
        bytes(d, doc.state());
        json(d, e.queryBody());
      }
    });
  }

  void localPut(String ns, LocalDocument doc) {
    append(d -> {
      d.writeByte(LOCAL_PUT);
      string(d, ns);
      string(d, doc.id());
      d.writeLong(doc.version());
      bytes(d, doc.body());
    });
  }

  void localDeleted(String ns, String id) {
    append(d -> {
      d.writeByte(LOCAL_DELETE);
      string(d, ns);
      string(d, id);
    });
  }

  void blobPut(String ns, String key, byte[] data) {
    append(d -> {
      d.writeByte(BLOB_PUT);
      string(d, ns);
      string(d, key);
      bytes(d, data);
    });
  }

  void blobDeleted(String ns, String key) {
    append(d -> {
      d.writeByte(BLOB_DELETE);
      string(d, ns);
      string(d, key);
    });
  }

  private interface Body {
    void write(DataOutputStream d) throws IOException;
  }

  private void append(Body body) {
    append(body, force);
  }

  /** Namespace changes are rare: even the unforced journal forces them. */
  private void appendForced(Body body) {
    append(body, true);
  }

  private void append(Body body, boolean forceThis) {
    if (out == null) {
      return;
    }
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      DataOutputStream d = new DataOutputStream(buffer);
      d.writeInt(0);
      body.write(d);
      d.flush();
      byte[] record = buffer.toByteArray();
      int length = record.length - 4;
      record[0] = (byte) (length >>> 24);
      record[1] = (byte) (length >>> 16);
      record[2] = (byte) (length >>> 8);
      record[3] = (byte) length;
      synchronized (this) {
        out.write(record);
        if (forceThis) {
          out.flush();
          file.getChannel().force(false);
        }
      }
    } catch (IOException e) {
      throw new SyncException(StorageError.UNAVAILABLE, "journal write failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    if (out == null) {
      return;
    }
    try {
      out.close();
    } catch (IOException e) {
      throw new SyncException(StorageError.UNAVAILABLE, "journal close failed: " + e.getMessage(), e);
    }
  }

  /** Rebuilds a database from the journal at {@code path}, if it exists. */
  static void replay(Path path, MemoryDatabase db) {
    if (!Files.exists(path)) {
      return;
    }
    try (InputStream in = Files.newInputStream(path)) {
      DataInputStream records = new DataInputStream(new java.io.BufferedInputStream(in));
      while (true) {
        byte[] record;
        try {
          record = new byte[records.readInt()];
          records.readFully(record);
        } catch (EOFException torn) {
          return;
        }
        DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(record));
        while (d.available() > 0) {
          apply(d, db);
        }
      }
    } catch (IOException e) {
      throw new SyncException(StorageError.INTERNAL, "cannot read journal " + path + ": " + e.getMessage(), e);
    }
  }

  private static void apply(DataInputStream d, MemoryDatabase db) throws IOException {
    byte type = d.readByte();
    String ns = string(d);
    switch (type) {
      case CREATE -> {
        int n = d.readInt();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          metadata.put(string(d), string(d));
        }
        db.create(ns, metadata);
      }
      case DROP -> db.drop(ns);
      case METADATA -> {
        String key = string(d);
        String value = d.readBoolean() ? string(d) : null;
        db.require(ns).putMetadata(key, value);
      }
      case DOCUMENT -> {
        String id = string(d);
        long seq = d.readLong();
        long ts = d.readLong();
        String rev = string(d);
        boolean deleted = d.readBoolean();
        byte[] state = bytes(d);
        JsonValue body = json(d);
        db.require(ns).restore(new MemoryNamespace.Entry(
            new StoredDocument(id, seq, ts, rev, deleted, state), (JsonValue.JsonObject) body));
      }
      case LOCAL_PUT -> {
        String id = string(d);
        long version = d.readLong();
        db.require(ns).restoreLocal(new LocalDocument(id, version, bytes(d)));
      }
      case LOCAL_DELETE -> db.require(ns).restoreLocalDeleted(string(d));
      case BLOB_PUT -> {
        String key = string(d);
        db.require(ns).putBlob(key, bytes(d));
      }
      case BLOB_DELETE -> db.require(ns).deleteBlob(string(d));
      default -> throw new IOException("unknown journal record type " + type);
    }
  }

  private static void string(DataOutputStream d, String s) throws IOException {
    d.writeInt(s.length());
    d.writeChars(s);
  }

  private static String string(DataInputStream d) throws IOException {
    char[] chars = new char[d.readInt()];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = d.readChar();
    }
    return new String(chars);
  }

  private static void bytes(DataOutputStream d, byte[] b) throws IOException {
    d.writeInt(b.length);
    d.write(b);
  }

  private static byte[] bytes(DataInputStream d) throws IOException {
    byte[] b = new byte[d.readInt()];
    d.readFully(b);
    return b;
  }

  private static void json(DataOutputStream d, JsonValue value) throws IOException {
    switch (value) {
      case JsonValue.JsonNull n -> d.writeByte(0);
      case JsonValue.JsonBoolean b -> d.writeByte(b.value() ? 2 : 1);
      case JsonValue.JsonNumber n -> {
        d.writeByte(3);
        string(d, n.value().toString());
      }
      case JsonValue.JsonString s -> {
        d.writeByte(4);
        string(d, s.value());
      }
      case JsonValue.JsonArray a -> {
        d.writeByte(5);
        d.writeInt(a.values().size());
        for (JsonValue v : a.values()) {
          json(d, v);
        }
      }
      case JsonValue.JsonObject o -> {
        d.writeByte(6);
        d.writeInt(o.members().size());
        for (var e : o.members().entrySet()) {
          string(d, e.getKey());
          json(d, e.getValue());
        }
      }
    }
  }

  private static JsonValue json(DataInputStream d) throws IOException {
    byte tag = d.readByte();
    return switch (tag) {
      case 0 -> JsonValue.JsonNull.INSTANCE;
      case 1 -> JsonValue.JsonBoolean.FALSE;
      case 2 -> JsonValue.JsonBoolean.TRUE;
      case 3 -> new JsonValue.JsonNumber(new BigDecimal(string(d)));
      case 4 -> new JsonValue.JsonString(string(d));
      case 5 -> {
        int n = d.readInt();
        List<JsonValue> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          values.add(json(d));
        }
        yield new JsonValue.JsonArray(values);
      }
      case 6 -> {
        int n = d.readInt();
        Map<String, JsonValue> members = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          members.put(string(d), json(d));
        }
        yield new JsonValue.JsonObject(members);
      }
      default -> throw new IOException("unknown JSON tag " + tag);
    };
  }
}
