package io.polysync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.SyncException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class DatabasesTest {
  private final SyncEngine engine = TestStorages.memoryEngine();

  @AfterEach
  void close() {
    engine.close();
  }

  private static void assertCode(Runnable call, EngineError code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(
        SyncException.class, e -> assertThat(e.errorCode()).isEqualTo(code));
  }

  @Test
  void createDatabase_new_existsWithZeroCounters() {
    Database db = engine.createDatabase("notes");
    assertThat(engine.databaseExists("notes")).isTrue();
    DatabaseInfo info = db.info();
    assertThat(info.name()).isEqualTo("notes");
    assertThat(info.docCount()).isZero();
    assertThat(info.updateSeq()).isZero();
  }

  @Test
  void createDatabase_twice_isDatabaseExists() {
    engine.createDatabase("a");
    assertCode(() -> engine.createDatabase("a"), EngineError.DATABASE_EXISTS);
  }

  @Test
  void createDatabase_badNames_areInvalid() {
    for (String name : new String[] {"A", "1abc", "_users", "a b", "", "a".repeat(239), "é"}) {
      assertCode(() -> engine.createDatabase(name), EngineError.INVALID_DATABASE_NAME);
    }
    assertThat(engine.createDatabase("a0_$()+-/z".substring(0, 10)).name()).isEqualTo("a0_$()+-/z");
  }

  @Test
  void database_missing_operationsAreDatabaseNotFound() {
    Database db = engine.database("nope");
    assertCode(db::info, EngineError.DATABASE_NOT_FOUND);
    assertCode(() -> db.put(TestDocs.doc("x")), EngineError.DATABASE_NOT_FOUND);
    assertThat(engine.databaseExists("nope")).isFalse();
  }

  @Test
  void deleteDatabase_existing_removesIt() {
    engine.createDatabase("gone");
    engine.deleteDatabase("gone");
    assertThat(engine.databaseExists("gone")).isFalse();
    assertCode(() -> engine.deleteDatabase("gone"), EngineError.DATABASE_NOT_FOUND);
  }

  @Test
  void listDatabases_paged_inNameOrder() {
    engine.createDatabase("c");
    engine.createDatabase("a");
    engine.createDatabase("b");
    assertThat(engine.listDatabases("", 2)).extracting(DatabaseInfo::name).containsExactly("a", "b");
    assertThat(engine.listDatabases("b", 10)).extracting(DatabaseInfo::name).containsExactly("c");
  }

  @Test
  void info_counts_liveAndDeletedDocuments() {
    Database db = engine.createDatabase("counts");
    db.put(TestDocs.doc("a"));
    WriteOutcome.Ok b = db.put(TestDocs.doc("b"));
    db.delete("b", b.rev());
    DatabaseInfo info = db.info();
    assertThat(info.docCount()).isEqualTo(1);
    assertThat(info.docDelCount()).isEqualTo(1);
    assertThat(info.updateSeq()).isEqualTo(3);
  }

  @Test
  void revsLimit_default_isOneThousandAndSettable() {
    Database db = engine.createDatabase("limits");
    assertThat(db.revsLimit()).isEqualTo(1000);
    db.setRevsLimit(5);
    assertThat(db.revsLimit()).isEqualTo(5);
    assertThat(engine.database("limits").revsLimit()).isEqualTo(5);
    assertCode(() -> db.setRevsLimit(0), EngineError.BAD_REQUEST);
  }

  @Test
  void metadata_setGetRemove_andEngineKeysReserved() {
    Database db = engine.createDatabase("meta");
    db.setMetadata("couch.security", "{\"admins\":{}}");
    assertThat(db.metadata("couch.security")).contains("{\"admins\":{}}");
    db.removeMetadata("couch.security");
    assertThat(db.metadata("couch.security")).isEmpty();
    assertCode(() -> db.setMetadata("engine.revs_limit", "1"), EngineError.BAD_REQUEST);
  }
}
