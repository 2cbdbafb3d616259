package io.polysync.engine;

import static io.polysync.engine.TestDocs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.JsonValue;
import io.polysync.spi.KeyRange;
import io.polysync.spi.LocalDocument;
import io.polysync.spi.NamespaceInfo;
import io.polysync.spi.Query;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.SyncException;
import io.polysync.spi.WriteItem;
import io.polysync.spi.tck.ForwardingStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Encryption at rest seen from both sides: what the engine returns, and what the storage below it
 * holds (read through the SPI on the same in-memory database).
 */
final class SealingTest {
  private static final String MARKER = "MARKER-7f3a";
  private static final KeyProvider OTHER_KEY = KeyProvider.ofKeys("HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=");

  private final String uri = TestStorages.freshUri();
  private final Storage raw = Storages.open(StorageConfig.of(uri));
  private final List<SyncEngine> engines = new ArrayList<>();

  @AfterEach
  void close() {
    engines.forEach(SyncEngine::close);
    raw.close();
  }

  private SyncEngine engine(EngineOptions options) {
    SyncEngine e = SyncEngine.open(StorageConfig.of(uri), options);
    engines.add(e);
    return e;
  }

  private static SyncException thrown(Runnable call) {
    try {
      call.run();
    } catch (SyncException e) {
      return e;
    }
    throw new AssertionError("no SyncException");
  }

  /** Writes a marker into every kind of value the engine stores. */
  private static void writeMarkers(SyncEngine engine) {
    Database db = engine.createDatabase("notes");
    db.put(json("{'_id':'n1','text':'" + MARKER + "'}"));
    db.putAttachment("n2", null, "a.txt", "text/plain", (MARKER + " in an attachment").getBytes(StandardCharsets.UTF_8));
    db.putLocal("_local/checkpoint", json("{'session_id':'" + MARKER + "'}"));
    db.setSecurity(new SecurityObject(List.of(), List.of(MARKER + "-admin-role"), List.of(), List.of()));
    db.setMetadata("app.note", MARKER);
    engine.users().create("alice", "pw", List.of(MARKER + "-role"));
  }

  /** Every byte the storage holds for the namespaces, as text, as the SPI returns it. */
  private String everythingStored() {
    StringBuilder all = new StringBuilder();
    for (NamespaceInfo ns : raw.namespaces().list("", 1000)) {
      all.append(ns.name()).append(ns.metadata());
      for (StoredDocument sd : raw.documents().range(ns.name(), new KeyRange(Optional.empty(), Optional.empty(),
          true, false, true, 1000))) {
        all.append(sd.id()).append(new String(sd.state(), StandardCharsets.ISO_8859_1));
      }
      for (String local : List.of("checkpoint", "alice", "bob")) {
        raw.locals().get(ns.name(), local).ifPresent(ld -> all.append(new String(ld.body(), StandardCharsets.ISO_8859_1)));
      }
    }
    return all.toString();
  }

  @Test
  void sealedWrites_storageHoldsNoMarker_engineReadsThemBack() {
    SyncEngine engine = engine(TestStorages.options());
    writeMarkers(engine);

    assertThat(everythingStored()).doesNotContain(MARKER).doesNotContain("pbkdf2");
    Database db = engine.database("notes");
    assertThat(db.get("n1", ReadOptions.defaults()).json().get("text").asText()).isEqualTo(MARKER);
    assertThat(new String(db.attachment("n2", "a.txt").data(), StandardCharsets.UTF_8)).startsWith(MARKER);
    assertThat(db.getLocal("_local/checkpoint").orElseThrow().get("session_id").asText()).isEqualTo(MARKER);
    assertThat(db.security().adminRoles()).containsExactly(MARKER + "-admin-role");
    assertThat(db.metadata("app.note")).contains(MARKER);
    assertThat(engine.users().authenticate("alice", "pw")).isPresent();
    // The blob is not under its content digest, which would name the content.
    String digest = db.get("n2", ReadOptions.defaults()).json().at("/_attachments/a.txt/digest").asText();
    assertThat(raw.blobs().get("notes", digest)).isEmpty();
  }

  @Test
  void encryptionOff_storageHoldsTheMarkers() {
    SyncEngine engine = engine(EngineOptions.defaults().withEncryption(false));
    writeMarkers(engine);

    assertThat(everythingStored()).contains(MARKER + "-admin-role", MARKER + "-role",
        "\"text\":\"" + MARKER + "\"", "\"session_id\":\"" + MARKER + "\"", "pbkdf2");
    String digest = engine.database("notes").get("n2", ReadOptions.defaults()).json()
        .at("/_attachments/a.txt/digest").asText();
    assertThat(raw.blobs().get("notes", digest)).isPresent();
  }

  @Test
  void clearDataWrittenBefore_staysReadable_newWritesAreSealed() {
    SyncEngine before = engine(EngineOptions.defaults().withEncryption(false));
    writeMarkers(before);
    before.close();
    engines.remove(before);

    SyncEngine after = engine(TestStorages.options());
    Database db = after.database("notes");
    assertThat(db.get("n1", ReadOptions.defaults()).json().get("text").asText()).isEqualTo(MARKER);
    assertThat(new String(db.attachment("n2", "a.txt").data(), StandardCharsets.UTF_8)).startsWith(MARKER);
    assertThat(db.getLocal("_local/checkpoint").orElseThrow().get("session_id").asText()).isEqualTo(MARKER);
    assertThat(db.security().adminRoles()).containsExactly(MARKER + "-admin-role");
    assertThat(after.users().authenticate("alice", "pw")).isPresent();

    String rev = db.get("n1", ReadOptions.defaults()).rev();
    db.put(json("{'_id':'n1','_rev':'" + rev + "','text':'NEW-" + MARKER + "'}"));
    db.putLocal("_local/checkpoint", json("{'_rev':'0-1','session_id':'NEW-" + MARKER + "'}"));
    after.users().setPassword("alice", "pw2");
    assertThat(everythingStored()).doesNotContain("NEW-" + MARKER);
    assertThat(raw.locals().get("_users", "alice").orElseThrow().body()[0]).isEqualTo((byte) 2);
    assertThat(db.get("n1", ReadOptions.defaults()).json().get("text").asText()).isEqualTo("NEW-" + MARKER);
    assertThat(after.users().authenticate("alice", "pw2")).isPresent();
  }

  @Test
  void sealClearUserRecords_sealsThePasswordHashesWrittenBefore_once() {
    SyncEngine clear = engine(EngineOptions.defaults().withEncryption(false));
    clear.users().create("alice", "pw", List.of("r"));
    clear.users().create("bob", "pw2", List.of());
    assertThat(clear.sealClearUserRecords()).isZero();
    assertThat(new String(raw.locals().get("_users", "alice").orElseThrow().body(), StandardCharsets.UTF_8))
        .contains("pbkdf2");

    SyncEngine sealing = engine(TestStorages.options());
    assertThat(sealing.sealClearUserRecords()).isEqualTo(2);
    assertThat(sealing.sealClearUserRecords()).isZero();
    assertThat(everythingStored()).doesNotContain("pbkdf2");
    assertThat(sealing.users().authenticate("alice", "pw")).hasValueSatisfying(
        u -> assertThat(u.roles()).containsExactly("r"));
    assertThat(sealing.users().authenticate("bob", "pw2")).isPresent();
  }

  @Test
  void sealedState_movedToAnotherId_doesNotOpen() {
    SyncEngine engine = engine(TestStorages.options());
    Database db = engine.createDatabase("notes");
    db.put(json("{'_id':'a','v':1}"));
    db.put(json("{'_id':'b','v':2}"));
    StoredDocument a = raw.documents().get("notes", "a").orElseThrow();
    StoredDocument b = raw.documents().get("notes", "b").orElseThrow();
    // A DBA copies a's sealed state into b's row, keeping b's clear columns.
    raw.documents().write("notes", List.of(new WriteItem("b", b.winningRev(), false, a.state(), b.seq(),
        Optional.empty())));

    SyncException e = thrown(() -> db.get("b", ReadOptions.defaults()));
    assertThat(e.errorCode()).isEqualTo(EngineError.CORRUPT_STATE);
    assertThat(e.getMessage()).contains("does not open");
  }

  @Test
  void sealedState_withAnotherWinningRevisionBesideIt_doesNotOpen() {
    SyncEngine engine = engine(TestStorages.options());
    Database db = engine.createDatabase("notes");
    db.put(json("{'_id':'a','v':1}"));
    StoredDocument a = raw.documents().get("notes", "a").orElseThrow();
    raw.documents().write("notes", List.of(new WriteItem("a", "9-ffff", false, a.state(), a.seq(),
        Optional.empty())));

    assertThat(thrown(() -> db.get("a", ReadOptions.defaults())).errorCode()).isEqualTo(EngineError.CORRUPT_STATE);
  }

  @Test
  void sealedValues_movedToAnotherNamespace_doNotOpen() {
    SyncEngine engine = engine(TestStorages.options());
    Database one = engine.createDatabase("one");
    Database two = engine.createDatabase("two");
    one.put(json("{'_id':'a','v':1}"));
    one.putLocal("_local/c", json("{'v':1}"));
    two.putLocal("_local/c", json("{'v':2}"));
    StoredDocument a = raw.documents().get("one", "a").orElseThrow();
    raw.documents().write("two", List.of(new WriteItem("a", a.winningRev(), false, a.state(), 0, Optional.empty())));
    LocalDocument local = raw.locals().get("one", "c").orElseThrow();
    raw.locals().put("two", "c", local.body(), 1);

    assertThat(thrown(() -> two.get("a", ReadOptions.defaults())).errorCode()).isEqualTo(EngineError.CORRUPT_STATE);
    assertThat(thrown(() -> two.getLocal("_local/c")).errorCode()).isEqualTo(EngineError.CORRUPT_STATE);
  }

  @Test
  void sealedMetadata_movedToAnotherKey_doesNotOpen() {
    SyncEngine engine = engine(TestStorages.options());
    Database db = engine.createDatabase("notes");
    db.setMetadata("app.a", "secret");
    String sealed = raw.namespaces().get("notes").orElseThrow().metadata().get("app.a");
    assertThat(sealed).startsWith("polysync-sealed:2:").doesNotContain("secret");
    raw.namespaces().putMetadata("notes", "app.b", sealed);

    SyncEngine fresh = engine(TestStorages.options());
    assertThat(thrown(() -> fresh.database("notes").metadata("app.b")).errorCode())
        .isEqualTo(EngineError.CORRUPT_STATE);
  }

  @Test
  void anotherKey_cannotReadSealedData() {
    writeMarkers(engine(TestStorages.options()));
    SyncEngine stranger = engine(TestStorages.options().withKeyProvider(OTHER_KEY));

    SyncException e = thrown(() -> stranger.database("notes").get("n1", ReadOptions.defaults()));
    assertThat(e.errorCode()).isEqualTo(EngineError.KEY_UNAVAILABLE);
    assertThat(e.getMessage()).contains("does not hold");
  }

  @Test
  void encryptionOnWithoutAnyKey_failsAtOpen() {
    SyncException e = thrown(() -> engine(EngineOptions.defaults()));
    assertThat(e.errorCode()).isEqualTo(EngineError.KEY_UNAVAILABLE);
    assertThat(e.getMessage()).contains("withKeyFile", "withEncryption(false)");
  }

  @Test
  void encryptionOffWithoutKey_cannotOpenSealedData_butSaysWhy() {
    writeMarkers(engine(TestStorages.options()));
    SyncEngine clear = engine(EngineOptions.defaults().withEncryption(false));

    SyncException e = thrown(() -> clear.database("notes").get("n1", ReadOptions.defaults()));
    assertThat(e.errorCode()).isEqualTo(EngineError.KEY_UNAVAILABLE);
    assertThat(e.getMessage()).contains("--key-file");
  }

  @Test
  void encryptionOffWithTheKey_readsSealedData_writesClear() {
    writeMarkers(engine(TestStorages.options()));
    SyncEngine clear = engine(TestStorages.options().withEncryption(false));
    Database db = clear.database("notes");

    assertThat(db.get("n1", ReadOptions.defaults()).json().get("text").asText()).isEqualTo(MARKER);
    db.put(json("{'_id':'n3','text':'CLEAR-" + MARKER + "'}"));
    assertThat(everythingStored()).contains("CLEAR-" + MARKER);
    // Sealed documents have no body for the adapter to index, so body queries stay in the engine.
    QueryResult found = db.query(new Query(new Query.Filter.Compare(Query.Field.body("text"), Query.Op.EQ,
        new JsonValue.JsonString(MARKER)), List.of(), Optional.empty(), 10, false));
    assertThat(found.documents()).extracting(Document::id).containsExactly("n1");
  }

  @Test
  void sealedWrites_carryNoQueryBody_andBodyQueriesAreEvaluatedByTheEngine() {
    List<WriteItem> seen = new CopyOnWriteArrayList<>();
    List<Query> pushed = new CopyOnWriteArrayList<>();
    Storage recording = new RecordingStorage(Storages.open(StorageConfig.of(uri)), seen, pushed);
    SyncEngine engine = SyncEngine.create(recording, TestStorages.options());
    engines.add(engine);
    Database db = engine.createDatabase("notes");
    for (int i = 0; i < 20; i++) {
      db.put(json("{'_id':'d" + i + "','n':" + i + "}"));
    }

    assertThat(seen).isNotEmpty().allSatisfy(item -> assertThat(item.queryBody()).isEmpty());
    QueryResult byBody = db.query(new Query(new Query.Filter.Compare(Query.Field.body("n"), Query.Op.GE,
        JsonValue.JsonNumber.of(15)), List.of(new Query.SortKey(Query.Field.body("n"), true)), Optional.empty(),
        3, false));
    assertThat(byBody.documents()).extracting(Document::id).containsExactly("d19", "d18", "d17");
    QueryResult byTime = db.query(new Query(Query.Filter.all(),
        List.of(new Query.SortKey(Query.Field.timestamp(), true)), Optional.empty(), 2, false));
    assertThat(byTime.documents()).extracting(Document::id).containsExactly("d19", "d18");
    // Both went to the storage; only the one on timestamps was answered there (see RecordingStorage).
    assertThat(pushed).hasSize(1);
    recording.close();
  }

  @Test
  void longQueryPage_openedAndRenderedInParallel_keepsOrderAndBodies() {
    Database db = engine(TestStorages.options()).createDatabase("notes");
    List<DocumentWrite> writes = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      writes.add(DocumentWrite.of(json("{'_id':'d" + String.format("%04d", i) + "','n':" + i + "}")));
    }
    db.bulkDocs(writes, true);

    QueryResult page = db.query(new Query(Query.Filter.all(),
        List.of(new Query.SortKey(Query.Field.timestamp(), true), new Query.SortKey(Query.Field.id(), true)),
        Optional.empty(), 650, false));

    assertThat(page.documents()).hasSize(650);
    for (int i = 0; i < 650; i++) {
      Document d = page.documents().get(i);
      int n = d.json().get("n").asInt();
      assertThat(d.id()).isEqualTo("d" + String.format("%04d", n));
      assertThat(d.rev()).startsWith("1-");
      if (i > 0) {
        Document before = page.documents().get(i - 1);
        assertThat(before.timestamp() > d.timestamp()
            || before.timestamp() == d.timestamp() && before.id().compareTo(d.id()) > 0).isTrue();
      }
    }
    assertThat(page.documents()).extracting(Document::id).doesNotHaveDuplicates();
  }

  @Test
  void rewrapDataKeys_movesEveryDataKeyToTheNewKey_andTheOldKeyCanGo() {
    writeMarkers(engine(TestStorages.options()));
    String oldKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    String newKey = KeyProvider.generateKey();
    SyncEngine both = engine(EngineOptions.defaults().withKeyProvider(KeyProvider.ofKeys(newKey + "," + oldKey)));

    DataKeyReport before = both.dataKeyReport();
    assertThat(before.allCurrent()).isFalse();
    assertThat(before.dataKeysByKeyId()).containsOnlyKeys(KeyProvider.keyId(oldKey));
    DataKeyReport report = both.rewrapDataKeys();
    assertThat(report.rewrapped()).isEqualTo(before.dataKeysByKeyId().get(KeyProvider.keyId(oldKey)));
    assertThat(report.allCurrent()).isTrue();
    assertThat(both.rewrapDataKeys().rewrapped()).isZero();

    SyncEngine onlyNew = engine(EngineOptions.defaults().withKeyProvider(KeyProvider.ofKeys(newKey)));
    assertThat(onlyNew.database("notes").get("n1", ReadOptions.defaults()).json().get("text").asText())
        .isEqualTo(MARKER);
    assertThat(onlyNew.users().authenticate("alice", "pw")).isPresent();
  }

  @Test
  void legacyNamespace_twoEnginesSealingAtOnce_bothKeysKept_everythingReadable() throws Exception {
    SyncEngine clear = engine(EngineOptions.defaults().withEncryption(false));
    clear.createDatabase("shared");
    SyncEngine one = engine(TestStorages.options());
    SyncEngine two = engine(TestStorages.options());
    Thread a = Thread.ofVirtual().start(() -> {
      for (int i = 0; i < 50; i++) {
        one.database("shared").put(json("{'_id':'a" + i + "'}"));
      }
    });
    Thread b = Thread.ofVirtual().start(() -> {
      for (int i = 0; i < 50; i++) {
        two.database("shared").put(json("{'_id':'b" + i + "'}"));
      }
    });
    a.join();
    b.join();

    SyncEngine reader = engine(TestStorages.options());
    assertThat(reader.database("shared").allDocs(AllDocsOptions.defaults().withIncludeDocs(true)).rows())
        .hasSize(100).allSatisfy(r -> assertThat(r.doc()).isPresent());
  }

  @Test
  void namespaceDroppedAndCreatedAgainElsewhere_laterWritesUseItsNewKey() throws Exception {
    SyncEngine one = engine(TestStorages.options());
    SyncEngine two = engine(TestStorages.options());
    one.createDatabase("db").put(json("{'_id':'before'}"));
    two.deleteDatabase("db");
    two.createDatabase("db");
    Thread.sleep(1100);
    one.database("db").put(json("{'_id':'after'}"));

    SyncEngine reader = engine(TestStorages.options());
    assertThat(reader.database("db").get("after", ReadOptions.defaults()).id()).isEqualTo("after");
  }

  @Test
  void sealing_declaresTheStorageLimitLessItsOverhead() {
    SyncEngine engine = engine(TestStorages.options());
    assertThat(engine.capabilities().maxValueBytes()).isEqualTo(raw.capabilities().maxValueBytes() - 37);
    SyncEngine clear = engine(EngineOptions.defaults().withEncryption(false));
    assertThat(clear.capabilities().maxValueBytes()).isEqualTo(raw.capabilities().maxValueBytes());
  }

  /** Forwards to a storage, keeping the write items it sees and the queries that reach it. */
  private static final class RecordingStorage extends ForwardingStorage {
    private final List<WriteItem> items;
    private final List<Query> queries;

    RecordingStorage(Storage inner, List<WriteItem> items, List<Query> queries) {
      super(inner);
      this.items = items;
      this.queries = queries;
    }

    @Override
    public io.polysync.spi.DocumentStore documents() {
      return new ForwardingDocuments(delegate.documents()) {
        @Override
        public List<io.polysync.spi.WriteResult> write(String namespace, List<WriteItem> batch) {
          items.addAll(batch);
          return delegate.write(namespace, batch);
        }
      };
    }

    @Override
    public io.polysync.spi.QueryStore queries() {
      return (namespace, query) -> {
        queries.add(query);
        return delegate.queries().query(namespace, query);
      };
    }
  }
}
