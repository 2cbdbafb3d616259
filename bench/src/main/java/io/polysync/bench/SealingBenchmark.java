package io.polysync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.ChangesOptions;
import io.polysync.engine.ChangesResult;
import io.polysync.engine.Database;
import io.polysync.engine.DocumentWrite;
import io.polysync.engine.EngineOptions;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.WriteOutcome;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What encryption at rest costs, through the engine: the same workload with encryption off and on,
 * on one storage per backend, rounds alternating so warm-up and background noise fall on both; the
 * best round of each is kept. Figures print; nothing is asserted.
 *
 * <ul>
 *   <li>write: documents per second for {@code bulkDocs} of new documents (~300-byte bodies) in
 *       batches of 1,000, as a CouchDB push does;
 *   <li>update: the same documents again with their revisions;
 *   <li>read: the changes feed with {@code include_docs}, pages of 1,000, as a CouchDB pull reads;
 *   <li>feed: the changes feed without documents, as a replication first asks;
 *   <li>attachments: MiB per second putting, then reading, attachments of 64 KiB.
 * </ul>
 *
 * <p>{@code h2-mem} (in memory, not in the default list) shows the CPU cost with the least I/O
 * around it. A first line gives AES-256-GCM alone on this JVM (1 KiB values), the floor of the cost. Each
 * side gets one smaller untimed round first.
 *
 * <pre>
 * ./polysync bench sealing [--backends sqlite,h2,postgresql,mariadb,redis,h2-mem] [--docs 20000]
 *                          [--rounds 3] [--attachments 100] [--postgresql URI] [--mariadb URI]
 *                          [--redis URI]
 * </pre>
 */
public final class SealingBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 1_000;
  private static final int ATTACHMENT_BYTES = 64 * 1024;

  private SealingBenchmark() {}

  record Options(List<String> backends, int docs, int rounds, int attachments, String postgres, String mariadb,
      String redis) {}

  /** Per second: documents written, updated, read with and without bodies; MiB of attachments written, read. */
  record Figures(double write, double update, double read, double feed, double attachmentWrite,
      double attachmentRead) {
    Figures best(Figures o) {
      return o == null ? this : new Figures(Math.max(write, o.write), Math.max(update, o.update),
          Math.max(read, o.read), Math.max(feed, o.feed), Math.max(attachmentWrite, o.attachmentWrite),
          Math.max(attachmentRead, o.attachmentRead));
    }
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Options options = parse(args);
    Path scratch = Files.createTempDirectory("polysync-bench-sealing");
    System.out.printf(Locale.ROOT, "Polysync sealing benchmark: %d documents of ~300-byte bodies in batches of %d,"
        + " %d attachments of %d KiB, best of %d rounds%nJVM %s on %d cores%n%n", options.docs(), BATCH,
        options.attachments(), ATTACHMENT_BYTES / 1024, options.rounds(), Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    aesAlone();
    Map<String, Figures[]> results = new LinkedHashMap<>();
    for (String backend : options.backends()) {
      String uri = switch (backend) {
        case "sqlite" -> "sqlite:" + scratch.resolve("bench.db");
        case "h2" -> "h2:" + scratch.resolve("bench-h2");
        case "h2-mem" -> "h2:mem:bench-sealing";
        case "postgresql" -> options.postgres();
        case "mariadb" -> options.mariadb();
        case "redis" -> options.redis();
        default -> throw new IllegalArgumentException("unknown backend " + backend
            + " (sqlite, h2, h2-mem, postgresql, mariadb, redis)");
      };
      try {
        results.put(backend, run(uri, options));
      } catch (RuntimeException e) {
        System.out.printf("%-11s failed: %s%n", backend, e.getMessage());
      }
    }
    print(results);
    StorageBenchmark.deleteQuietly(scratch);
  }

  /** AES-256-GCM on this JVM, one fresh cipher per 1 KiB value as the engine does. */
  static void aesAlone() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    SecretKeySpec aes = new SecretKeySpec(key, "AES");
    byte[] value = new byte[1024];
    byte[] nonce = new byte[12];
    int n = 200_000;
    byte[] sealed = null;
    double bestSeal = 0;
    double bestOpen = 0;
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        nonce[0] = (byte) i;
        nonce[1] = (byte) (i >> 8);
        nonce[2] = (byte) (i >> 16);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(128, nonce));
        sealed = c.doFinal(value);
      }
      bestSeal = Math.max(bestSeal, n / seconds(start));
      start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, aes, new GCMParameterSpec(128, nonce));
        c.doFinal(sealed);
      }
      bestOpen = Math.max(bestOpen, n / seconds(start));
    }
    System.out.printf(Locale.ROOT, "AES-256-GCM alone, 1 KiB values: %.0f seals/s (%.1f us each), %.0f opens/s"
        + " (%.1f us each)%n%n", bestSeal, 1e6 / bestSeal, bestOpen, 1e6 / bestOpen);
  }

  /** Off and on, alternating rounds, on one storage; returns the best of each. */
  static Figures[] run(String uri, Options options) {
    Figures off = null;
    Figures on = null;
    EngineOptions clear = EngineOptions.defaults().withEncryption(false);
    EngineOptions sealed = EngineOptions.defaults().withKeyProvider(KeyProvider.ofKeys(KeyProvider.generateKey()));
    try (Storage storage = Storages.open(StorageConfig.of(uri))) {
      // One untimed round of each first: JIT, connection pool and caches warm on both sides.
      Options small = new Options(options.backends(), Math.min(options.docs(), 5_000), 1,
          Math.min(options.attachments(), 20), options.postgres(), options.mariadb(), options.redis());
      round(storage, clear, small);
      round(storage, sealed, small);
      for (int round = 0; round < options.rounds(); round++) {
        off = round(storage, clear, options).best(off);
        on = round(storage, sealed, options).best(on);
      }
    }
    return new Figures[] {off, on};
  }

  static Figures round(Storage storage, EngineOptions engineOptions, Options options) {
    String name = "bench_sealing_" + UUID.randomUUID().toString().substring(0, 8);
    try (SyncEngine engine = SyncEngine.create(storage, engineOptions)) {
      Database db = engine.createDatabase(name);
      try {
        Random random = new Random(42);
        List<ObjectNode> docs = new ArrayList<>();
        for (int i = 0; i < options.docs(); i++) {
          docs.add(doc(String.format(Locale.ROOT, "doc%08d", i), random));
        }
        long start = System.nanoTime();
        List<String> revs = new ArrayList<>();
        for (int from = 0; from < docs.size(); from += BATCH) {
          for (WriteOutcome out : db.bulkDocs(docs.subList(from, Math.min(docs.size(), from + BATCH)).stream()
              .map(DocumentWrite::of).toList(), true)) {
            revs.add(((WriteOutcome.Ok) out).rev());
          }
        }
        double write = docs.size() / seconds(start);

        start = System.nanoTime();
        for (int from = 0; from < docs.size(); from += BATCH) {
          List<DocumentWrite> batch = new ArrayList<>();
          for (int i = from; i < Math.min(docs.size(), from + BATCH); i++) {
            batch.add(DocumentWrite.of(docs.get(i).deepCopy().put("_rev", revs.get(i)).put("n", i + 1)));
          }
          db.bulkDocs(batch, true);
        }
        double update = docs.size() / seconds(start);

        start = System.nanoTime();
        long since = 0;
        int read = 0;
        while (true) {
          ChangesResult page = db.changes(ChangesOptions.since(since).withLimit(BATCH).withIncludeDocs(true));
          read += page.results().size();
          if (page.results().isEmpty()) {
            break;
          }
          since = page.lastSeq();
        }
        if (read != docs.size()) {
          throw new IllegalStateException("read " + read + " of " + docs.size() + " documents");
        }
        double readRate = read / seconds(start);

        start = System.nanoTime();
        since = 0;
        read = 0;
        while (true) {
          ChangesResult page = db.changes(ChangesOptions.since(since).withLimit(BATCH));
          read += page.results().size();
          if (page.results().isEmpty()) {
            break;
          }
          since = page.lastSeq();
        }
        double feed = read / seconds(start);

        byte[][] contents = new byte[options.attachments()][];
        for (int i = 0; i < contents.length; i++) {
          contents[i] = new byte[ATTACHMENT_BYTES];
          random.nextBytes(contents[i]);
        }
        start = System.nanoTime();
        for (int i = 0; i < contents.length; i++) {
          db.putAttachment("att" + i, null, "blob.bin", "application/octet-stream", contents[i]);
        }
        double mib = contents.length * (double) ATTACHMENT_BYTES / (1024 * 1024);
        double attachmentWrite = mib / seconds(start);
        start = System.nanoTime();
        for (int i = 0; i < contents.length; i++) {
          if (!Arrays.equals(db.attachment("att" + i, "blob.bin").data(), contents[i])) {
            throw new IllegalStateException("attachment " + i + " came back different");
          }
        }
        double attachmentRead = mib / seconds(start);
        return new Figures(write, update, readRate, feed, attachmentWrite, attachmentRead);
      } finally {
        engine.deleteDatabase(name);
      }
    }
  }

  static ObjectNode doc(String id, Random random) {
    ObjectNode doc = JSON.createObjectNode().put("_id", id).put("type", "note").put("n", 0);
    StringBuilder text = new StringBuilder();
    while (text.length() < 240) {
      text.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append(' ');
    }
    doc.put("text", text.toString());
    doc.putArray("tags").add("bench").add("sealing");
    return doc;
  }

  static void print(Map<String, Figures[]> results) {
    System.out.printf(Locale.ROOT, "%-11s %-4s %12s %12s %12s %12s %15s %15s%n", "backend", "", "write doc/s",
        "update doc/s", "read doc/s", "feed doc/s", "att write MiB/s", "att read MiB/s");
    results.forEach((backend, f) -> {
      Figures off = f[0];
      Figures on = f[1];
      System.out.printf(Locale.ROOT, "%-11s %-4s %12.0f %12.0f %12.0f %12.0f %15.1f %15.1f%n", backend, "off",
          off.write(), off.update(), off.read(), off.feed(), off.attachmentWrite(), off.attachmentRead());
      System.out.printf(Locale.ROOT, "%-11s %-4s %12.0f %12.0f %12.0f %12.0f %15.1f %15.1f%n", "", "on", on.write(),
          on.update(), on.read(), on.feed(), on.attachmentWrite(), on.attachmentRead());
      System.out.printf(Locale.ROOT, "%-11s %-4s %11.0f%% %11.0f%% %11.0f%% %11.0f%% %14.0f%% %14.0f%%%n", "",
          "cost", cost(off.write(), on.write()), cost(off.update(), on.update()), cost(off.read(), on.read()),
          cost(off.feed(), on.feed()), cost(off.attachmentWrite(), on.attachmentWrite()),
          cost(off.attachmentRead(), on.attachmentRead()));
    });
    System.out.println();
    System.out.println("cost: how much lower the rate is with encryption on (negative: higher, i.e. noise).");
  }

  private static double cost(double off, double on) {
    return 100 * (1 - on / off);
  }

  static Options parse(String[] args) {
    List<String> backends = List.of("sqlite", "h2", "postgresql", "mariadb", "redis");
    int docs = 20_000;
    int rounds = 3;
    int attachments = 100;
    String postgres = "postgresql://postgres@127.0.0.1:5432/test";
    String mariadb = "mariadb://root@127.0.0.1:3306/test";
    String redis = "redis://127.0.0.1:6379/0?prefix=polysync-bench-sealing:";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null && !args[i].equals("--help")) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--backends" -> backends = Arrays.asList(value.split(","));
        case "--docs" -> docs = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "--attachments" -> attachments = Integer.parseInt(value);
        case "--postgresql" -> postgres = value;
        case "--mariadb" -> mariadb = value;
        case "--redis" -> redis = value;
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--backends, --docs, --rounds,"
            + " --attachments, --postgresql, --mariadb, --redis)");
      }
      i++;
    }
    return new Options(backends, docs, rounds, attachments, postgres, mariadb, redis);
  }

  private static double seconds(long startNanos) {
    return Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
  }
}
