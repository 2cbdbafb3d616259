package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.ChangesRange;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Storage;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nothing acknowledged is lost across a process kill and restart (invariant 4).
 *
 * <p>A child JVM ({@link DurabilityWriter}, started with the current {@code java} and class path)
 * opens the storage with {@link io.polysync.spi.Storages#open} on {@link #config()} and writes
 * documents (creates, rewrites, deletions), local documents and blobs without end, printing a line
 * after each write returned. After at least 500 documents, 20 local documents and 20 blobs were
 * acknowledged, the parent kills it with {@link Process#destroyForcibly()} (SIGKILL on Linux: no
 * shutdown hook, no flush), opens the storage again and checks that every acknowledged write is
 * there with its content, that the feed and counters cover them, and that new writes continue
 * above the old sequence numbers and timestamps.
 *
 * <p>Subclass it for each durable backend and implement {@link #config()}; the configuration must
 * be usable from a second process (a file path relative to the working directory, a server
 * address). In-memory storages are not durable and do not subclass it.
 */
public abstract class DurabilityTck extends StorageTck {
  private static final int DOCUMENTS = 500;
  private static final int LOCALS = 20;
  private static final int BLOBS = 20;
  private static final long TIME_LIMIT_SECONDS = 120;

  private record DocAck(long seq, long timestamp, boolean deleted, String rev) {}

  @Test
  protected void kill_afterAcknowledgedWrites_everyAcknowledgedWriteSurvivesRestart() throws Exception {
    String ns = newNamespace();
    Path settings = Files.createTempFile("polysync-durability-", ".properties");
    Path stderr = Files.createTempFile("polysync-durability-", ".err");
    Properties p = new Properties();
    p.setProperty("uri", config().uri());
    p.setProperty("namespace", ns);
    config().options().forEach((k, v) -> p.setProperty("option." + k, v));
    try (OutputStream out = Files.newOutputStream(settings)) {
      p.store(out, null);
    }
    Map<String, DocAck> docs = new HashMap<>();
    Map<String, Long> locals = new HashMap<>();
    Set<String> blobs = new HashSet<>();
    Process child = start(settings, stderr);
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread pump = new Thread(() -> pump(child, lines), "durability-child-output");
      pump.setDaemon(true);
      pump.start();

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIME_LIMIT_SECONDS);
      while (docs.size() < DOCUMENTS || locals.size() < LOCALS || blobs.size() < BLOBS) {
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null || line.equals("<eof>")) {
          child.destroyForcibly();
          child.waitFor(30, TimeUnit.SECONDS);
          throw new AssertionError((line == null ? "the writer made too little progress in "
              + TIME_LIMIT_SECONDS + " s" : "the writer exited with " + child.exitValue())
              + " (" + docs.size() + " documents, " + locals.size() + " local documents, "
              + blobs.size() + " blobs acknowledged); its standard error:\n" + Files.readString(stderr));
        }
        accept(line, docs, locals, blobs);
      }
      // Killed while it is still writing, with no chance to flush or close.
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed writer exited").isTrue();
      // Lines printed between the last read and the kill are acknowledged writes too.
      pump.join(10_000);
      for (String line; (line = lines.poll()) != null; ) {
        if (!line.equals("<eof>")) {
          accept(line, docs, locals, blobs);
        }
      }
    } finally {
      child.destroyForcibly();
      Files.deleteIfExists(settings);
      Files.deleteIfExists(stderr);
    }

    try (Storage reopened = open()) {
      verify(reopened, ns, docs, locals, blobs);
    }
  }

  /** Reads the child's output, passing on only complete lines: a kill can cut the last one. */
  private static void pump(Process child, BlockingQueue<String> lines) {
    try (InputStream in = child.getInputStream()) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b; (b = in.read()) >= 0; ) {
        if (b == '\n') {
          lines.add(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(b);
        }
      }
    } catch (IOException e) {
      // The pipe broke with the kill: every complete line was passed on.
    }
    lines.add("<eof>");
  }

  private static void accept(
      String line, Map<String, DocAck> docs, Map<String, Long> locals, Set<String> blobs) {
    String[] f = line.split(" ");
    switch (f[0]) {
      case "doc" -> docs.put(DurabilityWriter.decode(f[5]),
          new DocAck(Long.parseLong(f[1]), Long.parseLong(f[2]), Boolean.parseBoolean(f[3]), f[4]));
      case "local" -> locals.put(DurabilityWriter.decode(f[2]), Long.parseLong(f[1]));
      case "blob" -> blobs.add(DurabilityWriter.decode(f[1]));
      case "ready" -> { }
      default -> throw new AssertionError("unexpected line from the writer: " + line);
    }
  }

  private Process start(Path settings, Path stderr) throws IOException {
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(
        java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"),
        DurabilityWriter.class.getName(), settings.toString()));
    return new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
        .start();
  }

  private static void verify(
      Storage storage, String ns, Map<String, DocAck> docs, Map<String, Long> locals, Set<String> blobs) {
    long maxSeq = 0;
    long maxTimestamp = 0;
    List<String> lost = new ArrayList<>();
    for (var e : docs.entrySet()) {
      String id = e.getKey();
      DocAck ack = e.getValue();
      maxSeq = Math.max(maxSeq, ack.seq());
      maxTimestamp = Math.max(maxTimestamp, ack.timestamp());
      var stored = storage.documents().get(ns, id);
      if (stored.isEmpty() || stored.get().seq() < ack.seq()) {
        lost.add(id + " acknowledged at seq " + ack.seq() + ", stored "
            + stored.map(d -> "at seq " + d.seq()).orElse("nowhere"));
        continue;
      }
      StoredDocument d = stored.get();
      if (d.seq() == ack.seq()) {
        // A later seq is a write made after this ack whose own ack the kill cut off.
        assertThat(d.timestamp()).as("timestamp of %s", id).isEqualTo(ack.timestamp());
        assertThat(d.winningRev()).as("winningRev of %s", id).isEqualTo(ack.rev());
        assertThat(d.deleted()).as("deleted of %s", id).isEqualTo(ack.deleted());
        assertThat(d.state()).as("state of %s", id).isEqualTo(StorageTck.state(id, ack.rev()));
      }
    }
    assertThat(lost).as("acknowledged documents lost by the kill (of %d)", docs.size()).isEmpty();

    NamespaceInfo info = storage.namespaces().get(ns).orElseThrow();
    assertThat(info.lastSeq()).isGreaterThanOrEqualTo(maxSeq);
    assertThat(info.lastTimestamp()).isGreaterThanOrEqualTo(maxTimestamp);
    assertThat(info.documentCount() + info.deletedCount()).isGreaterThanOrEqualTo(docs.size());

    Set<String> inFeed = new HashSet<>();
    long since = 0;
    while (true) {
      List<StoredDocument> page = storage.documents().changes(ns, ChangesRange.after(since, 500));
      if (page.isEmpty()) {
        break;
      }
      page.forEach(d -> inFeed.add(d.id()));
      since = page.getLast().seq();
    }
    assertThat(inFeed).as("the changes feed after restart").containsAll(docs.keySet());

    for (var e : locals.entrySet()) {
      LocalDocument local = storage.locals().get(ns, e.getKey()).orElse(null);
      assertThat(local).as("local document %s acknowledged at version %d", e.getKey(), e.getValue()).isNotNull();
      assertThat(local.version()).isGreaterThanOrEqualTo(e.getValue());
      if (local.version() == e.getValue()) {
        assertThat(local.body()).isEqualTo(DurabilityWriter.localBody(e.getKey(), e.getValue()));
      }
    }
    for (String key : blobs) {
      assertThat(storage.blobs().get(ns, key))
          .as("blob %s", key)
          .hasValueSatisfying(b -> assertThat(b).isEqualTo(DurabilityWriter.blob(key)));
    }

    // After a restart the sequence and the clock go on from where they were, never back.
    WriteResult result = storage.documents().write(ns, List.of(StorageTck.item("after-restart", "1-a", 0))).get(0);
    assertThat(result).isInstanceOf(WriteResult.Written.class);
    WriteResult.Written w = (WriteResult.Written) result;
    assertThat(w.seq()).isGreaterThan(info.lastSeq());
    assertThat(w.timestamp()).isGreaterThan(info.lastTimestamp());
  }
}
