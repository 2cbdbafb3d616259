package io.polysync.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.polysync.spi.Capability;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.StorageProvider;
import io.polysync.spi.Storages;
import io.polysync.spi.SyncException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URI parsing, option handling and secrecy of the SQL provider; no server needed. */
final class SqlDialectSupportTest {
  @TempDir Path dir;

  @Test
  void provider_foundByEverySchemeThroughServiceLoader() {
    for (String uri :
        List.of(
            "sqlite:x.db",
            "h2:mem:x",
            "postgresql://h/db",
            "postgres://h/db",
            "mariadb://h/db",
            "mysql://h/db")) {
      StorageProvider provider =
          Storages.provider(StorageConfig.of(uri), getClass().getClassLoader());
      assertThat(provider).isInstanceOf(SqlStorageProvider.class);
    }
  }

  @Test
  void postgresUri_credentialsPortDatabaseAndParameters() {
    SqlDialectSupport s =
        SqlDialectSupport.forConfig(
            StorageConfig.of(
                "postgresql://alice:p%40ss@word@db.example:5433/sync%20db?sslmode=disable&pool.size=3"));
    SqlDialectSupport.Target t = s.target();
    assertThat(s.dialect()).isEqualTo(SQLDialect.POSTGRES);
    assertThat(t.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/sync+db");
    assertThat(t.properties().getProperty("user")).isEqualTo("alice");
    assertThat(t.properties().getProperty("password")).isEqualTo("p@ss@word");
    assertThat(t.properties().getProperty("sslmode")).isEqualTo("disable");
    assertThat(t.properties()).doesNotContainKey("pool.size");
    assertThat(s.intOption("pool.size", 10)).isEqualTo(3);
    assertThat(t.jdbcUrl()).doesNotContain("word");
  }

  @Test
  void serverUri_queryCredentialsAndDefaultPort() {
    SqlDialectSupport s =
        SqlDialectSupport.forConfig(
            new StorageConfig(
                "mysql://db.example/app?user=bob&password=hunter2", Map.of("pool.size", "2")));
    assertThat(s.dialect()).isEqualTo(SQLDialect.MYSQL);
    assertThat(s.target().jdbcUrl()).isEqualTo("jdbc:mariadb://db.example:3306/app");
    assertThat(s.target().properties().getProperty("user")).isEqualTo("bob");
    assertThat(s.target().properties().getProperty("password")).isEqualTo("hunter2");
    assertThat(s.intOption("pool.size", 10)).isEqualTo(2);
    assertThat(SqlDialectSupport.forConfig(StorageConfig.of("mariadb://h/d")).dialect())
        .isEqualTo(SQLDialect.MARIADB);
  }

  @Test
  void malformedUris_invalidConfigurationWithoutPassword() {
    for (String uri :
        List.of(
            "postgresql:nohost",
            "postgresql://u:secretpw@host",
            "mariadb://u:secretpw@:3306/db",
            "mysql://u:secretpw@host:port/db",
            "sqlite:",
            "h2:")) {
      SyncException e =
          catchThrowableOfType(SyncException.class, () -> Storages.open(StorageConfig.of(uri)));
      assertThat(e).as(uri).isNotNull();
      assertThat(e.errorCode()).as(uri).isEqualTo(StorageError.INVALID_CONFIGURATION);
      assertThat(e.getMessage()).as(uri).doesNotContain("secretpw");
    }
  }

  @Test
  void badOptions_invalidConfiguration() {
    String db = "sqlite:" + dir.resolve("opts.db");
    for (Map<String, String> options :
        List.of(
            Map.of("pool.size", "zero"),
            Map.of("pool.size", "-1"),
            Map.of("synchronous", "sometimes"))) {
      SyncException e =
          catchThrowableOfType(
              SyncException.class, () -> Storages.open(new StorageConfig(db, options)));
      assertThat(e).as(options.toString()).isNotNull();
      assertThat(e.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    }
  }

  @Test
  void unreachableServer_unavailableWithoutPassword() {
    SyncException e =
        catchThrowableOfType(
            SyncException.class,
            () ->
                Storages.open(
                    new StorageConfig(
                        "postgresql://postgres:secretpw@127.0.0.1:1/test",
                        Map.of("pool.timeout", "2000"))));
    assertThat(e).isNotNull();
    assertThat(e.errorCode()).isEqualTo(StorageError.UNAVAILABLE);
    assertThat(e.getMessage()).doesNotContain("secretpw").contains("127.0.0.1:1");
  }

  @Test
  void sqlite_createsParentDirectoriesAndSynchronousFullIsAccepted() {
    Path file = dir.resolve("a").resolve("b").resolve("polysync.db");
    try (Storage s = Storages.open(StorageConfig.of("sqlite:" + file + "?synchronous=full"))) {
      s.namespaces().create("n", Map.of("k", "v"));
      assertThat(s.capabilities().has(Capability.MULTI_PROCESS)).isTrue();
      assertThat(s.capabilities().has(Capability.NATIVE_CHANGE_SIGNALS)).isFalse();
    }
    assertThat(Files.exists(file)).isTrue();
    try (Storage s = Storages.open(StorageConfig.of("sqlite:" + file))) {
      assertThat(s.namespaces().get("n").orElseThrow().metadata()).containsEntry("k", "v");
    }
  }

  @Test
  void sqlite_synchronousOptionReachesTheConnections() {
    Path file = dir.resolve("sync.db");
    try (Storage normal = Storages.open(StorageConfig.of("sqlite:" + file))) {
      assertThat(((SqlStorage) normal).dsl.fetchValue("PRAGMA synchronous")).hasToString("1");
      assertThat(((SqlStorage) normal).dsl.fetchValue("PRAGMA journal_mode")).hasToString("wal");
    }
    try (Storage full =
        Storages.open(new StorageConfig("sqlite:" + file, Map.of("synchronous", "FULL")))) {
      assertThat(((SqlStorage) full).dsl.fetchValue("PRAGMA synchronous")).hasToString("2");
    }
  }

  @Test
  void h2File_commitsReachTheFileBeforeReturning() {
    assertThat(SqlDialectSupport.forConfig(StorageConfig.of("h2:data/x")).target().jdbcUrl())
        .contains(";WRITE_DELAY=0");
    assertThat(
            SqlDialectSupport.forConfig(StorageConfig.of("h2:data/x?WRITE_DELAY=100"))
                .target()
                .jdbcUrl())
        .contains(";WRITE_DELAY=100")
        .doesNotContain("WRITE_DELAY=0");
    assertThat(SqlDialectSupport.forConfig(StorageConfig.of("h2:mem:x")).target().jdbcUrl())
        .doesNotContain("WRITE_DELAY");
  }

  @Test
  void h2Memory_sharedWhileOpenGoneAfterLastClose() {
    StorageConfig config = StorageConfig.of("h2:mem:polysync-" + UUID.randomUUID());
    try (Storage first = Storages.open(config)) {
      first.namespaces().create("shared", Map.of());
      try (Storage second = Storages.open(config)) {
        assertThat(second.namespaces().get("shared")).isPresent();
      }
      assertThat(first.namespaces().get("shared"))
          .as("alive while one storage is open")
          .isPresent();
      assertThat(first.capabilities().has(Capability.MULTI_PROCESS)).isFalse();
    }
    try (Storage again = Storages.open(config)) {
      assertThat(again.namespaces().get("shared")).isEmpty();
    }
  }

  @Test
  void metadata_escapedStringsRoundTrip() {
    Map<String, String> meta =
        Map.of("quote\"", "back\\slash", "ctl\u0001", "tab\tnl\n", "\u00e9\uD83D\uDE00", "");
    assertThat(SqlJson.readStringMap(SqlJson.writeStringMap(meta))).isEqualTo(meta);
    assertThat(SqlJson.readStringMap("{}")).isEmpty();
  }
}
