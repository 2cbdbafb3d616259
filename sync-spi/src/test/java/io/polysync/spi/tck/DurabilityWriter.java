package io.polysync.spi.tck;

import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The child process of {@link DurabilityTck}: opens the storage with {@link Storages#open}, writes
 * documents, local documents and blobs without end, and prints one line per write after the call
 * that made it returned. The parent kills it at a moment of its choosing.
 *
 * <p>Lines: {@code doc SEQ TIMESTAMP DELETED REV ID}, {@code local VERSION ID} and {@code blob
 * KEY}, ids and keys in Base64 (URL alphabet) of UTF-8. It exits by itself when its standard input
 * closes (the parent is gone) or after ten minutes, so it never outlives a broken test run.
 */
public final class DurabilityWriter {
  private DurabilityWriter() {}

  /** Arguments: a properties file with {@code uri}, {@code namespace} and {@code option.KEY}s. */
  public static void main(String[] args) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      p.load(in);
    }
    Map<String, String> options = new HashMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith("option.")) {
        options.put(key.substring("option.".length()), p.getProperty(key));
      }
    }
    String ns = p.getProperty("namespace");
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    watchParent();
    try (Storage storage = Storages.open(new StorageConfig(p.getProperty("uri"), options))) {
      out.println("ready");
      write(storage, ns, out);
    }
  }

  private static void watchParent() {
    Thread watchdog = new Thread(() -> {
      try (InputStream in = new FileInputStream(FileDescriptor.in)) {
        while (in.read() >= 0) {
          // The parent writes nothing; end of input means it is gone.
        }
      } catch (IOException e) {
        // Same as end of input.
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  static String encode(String s) {
    return Base64.getUrlEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String decode(String s) {
    return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
  }

  static byte[] localBody(String id, long version) {
    return (id + "#" + version).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] blob(String key) {
    return (key + "|").repeat(1 + key.length() % 50).getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Storage storage, String ns, PrintStream out) {
    long stopAt = System.nanoTime() + 600_000_000_000L;
    List<StoredDocument> docs = new ArrayList<>();
    Map<String, Long> locals = new HashMap<>();
    for (int n = 0; System.nanoTime() < stopAt; n++) {
      List<WriteItem> batch = new ArrayList<>();
      for (int i = 0; i <= n % 5; i++) {
        String id = (n % 7 == 0 ? "\u00e9\uD83D\uDE00 " : "doc/") + n + "-" + i;
        batch.add(StorageTck.item(id, "1-c", 0));
      }
      if (n % 3 == 0 && !docs.isEmpty()) {
        StoredDocument old = docs.get(n % docs.size());
        String rev = (Integer.parseInt(old.winningRev().split("-")[0]) + 1) + "-u";
        batch.add(n % 2 == 0
            ? StorageTck.tombstone(old.id(), rev, old.seq())
            : StorageTck.item(old.id(), rev, old.seq()));
      }
      List<WriteResult> results = storage.documents().write(ns, batch);
      for (int i = 0; i < batch.size(); i++) {
        WriteItem item = batch.get(i);
        if (results.get(i) instanceof WriteResult.Written w) {
          StoredDocument doc = new StoredDocument(item.id(), w.seq(), w.timestamp(), item.winningRev(),
              item.deleted(), item.state());
          docs.removeIf(d -> d.id().equals(item.id()));
          docs.add(doc);
          out.println("doc " + w.seq() + " " + w.timestamp() + " " + item.deleted() + " "
              + item.winningRev() + " " + encode(item.id()));
        } else {
          throw new IllegalStateException("write of " + item.id() + " got " + results.get(i));
        }
      }
      if (n % 4 == 0) {
        String id = "_local/checkpoint-" + (n / 4 % 20);
        long expected = locals.getOrDefault(id, 0L);
        long version = storage.locals().put(ns, id, localBody(id, expected + 1), expected);
        if (version != expected + 1) {
          throw new IllegalStateException(id + " went from version " + expected + " to " + version);
        }
        locals.put(id, version);
        out.println("local " + version + " " + encode(id));
      }
      if (n % 6 == 0) {
        String key = "sha256-" + n;
        storage.blobs().put(ns, key, blob(key));
        out.println("blob " + encode(key));
      }
    }
  }
}
