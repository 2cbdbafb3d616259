package io.polysync.adapter.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.StorageProvider;
import io.polysync.spi.Storages;
import io.polysync.spi.SyncException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class MongoSettingsTest {

  private static MongoSettings parse(String uri) {
    return MongoSettings.parse(StorageConfig.of(uri));
  }

  private static SyncException error(String uri, Map<String, String> options) {
    return catchThrowableOfType(
        SyncException.class, () -> MongoSettings.parse(new StorageConfig(uri, options)));
  }

  @Test
  void parse_plainUri_databaseFromPathAndDefaults() {
    MongoSettings s = parse("mongodb://db.example:27018/polysync");
    assertThat(s.database()).isEqualTo("polysync");
    assertThat(s.connection().getHosts()).containsExactly("db.example:27018");
    assertThat(s.writePath()).isEqualTo(MongoSettings.WritePath.AUTO);
    assertThat(s.signals()).isEqualTo(MongoSettings.Signals.AUTO);
    assertThat(s.leaseTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.password()).isEmpty();
  }

  @Test
  void parse_replicaSetUriWithDriverOptions_passedToTheDriver() {
    MongoSettings s =
        parse("mongodb://u:p@h1:27017,h2:27017,h3/app?replicaSet=rs0&w=majority&readConcernLevel=majority");
    assertThat(s.connection().getHosts()).containsExactly("h1:27017", "h2:27017", "h3");
    assertThat(s.connection().getRequiredReplicaSetName()).isEqualTo("rs0");
    assertThat(s.connection().getWriteConcern()).isNotNull();
    assertThat(s.connection().getReadConcern()).isNotNull();
    assertThat(s.connection().getUsername()).isEqualTo("u");
    assertThat(s.database()).isEqualTo("app");
  }

  @Test
  void parse_adapterParameters_takenOutOfTheDriverUriOptionsWin() {
    Map<String, String> options = new HashMap<>();
    options.put("leaseTimeout", "2500");
    MongoSettings s =
        MongoSettings.parse(new StorageConfig(
            "mongodb://h/db?polysync.writePath=lease&maxPoolSize=7&polysync.signals=polling"
                + "&polysync.leaseTimeout=999999&polysync.pollInterval=250",
            options));
    assertThat(s.writePath()).isEqualTo(MongoSettings.WritePath.LEASE);
    assertThat(s.signals()).isEqualTo(MongoSettings.Signals.POLLING);
    assertThat(s.leaseTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.connection().getConnectionString()).isEqualTo("mongodb://h/db?maxPoolSize=7");
    assertThat(s.connection().getMaxConnectionPoolSize()).isEqualTo(7);
  }

  @Test
  void parse_optionSpellings_kebabAndCamelCase() {
    assertThat(MongoSettings.parse(new StorageConfig("mongodb://h/db", Map.of("signals", "change-streams"))).signals())
        .isEqualTo(MongoSettings.Signals.CHANGE_STREAMS);
    assertThat(MongoSettings.parse(new StorageConfig("mongodb://h/db", Map.of("signals", "changeStreams"))).signals())
        .isEqualTo(MongoSettings.Signals.CHANGE_STREAMS);
    assertThat(MongoSettings.parse(new StorageConfig("mongodb://h/db", Map.of("writePath", "TRANSACTIONS"))).writePath())
        .isEqualTo(MongoSettings.WritePath.TRANSACTIONS);
  }

  @Test
  void parse_badOptions_invalidConfiguration() {
    for (Map<String, String> bad :
        List.of(
            Map.of("writePath", "sometimes"),
            Map.of("signals", "carrier-pigeon"),
            Map.of("leaseTimeout", "soon"),
            Map.of("leaseTimeout", "10"),
            Map.of("pollInterval", "1"))) {
      assertThat(error("mongodb://h/db", bad).errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    }
  }

  @Test
  void parse_noDatabase_invalidConfigurationNamingTheForm() {
    SyncException e = error("mongodb://u:secret@h:27017", Map.of());
    assertThat(e.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    assertThat(e.getMessage()).contains("must name a database").doesNotContain("secret");
    assertThat(error("mongodb://h:27017/", Map.of()).errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
  }

  @Test
  void parse_malformedUriWithPassword_messageWithoutPassword() {
    for (String uri :
        List.of(
            "mongodb://user:s3cr3t@host:notaport/db",
            "mongodb://user:s3cr3t@/db",
            "mongodb://user:s3cr3t@host/db?authMechanism=NOPE",
            "mongodb+srv://user:s3cr3t@h1:27017/db")) {
      SyncException e = error(uri, Map.of());
      assertThat(e).as(uri).isNotNull();
      assertThat(e.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
      assertThat(e.getMessage()).as(uri).doesNotContain("s3cr3t").contains("***");
    }
  }

  @Test
  void parse_otherScheme_invalidConfiguration() {
    assertThat(error("postgresql://h/db", Map.of()).errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
  }

  @Test
  void redact_passwords_hiddenWhateverTheyHold() {
    assertThat(MongoSettings.redact("mongodb://u:pw@h/db")).isEqualTo("mongodb://u:***@h/db");
    assertThat(MongoSettings.redact("mongodb+srv://u:p%40ss@cluster0.example.net/db?retryWrites=true"))
        .isEqualTo("mongodb+srv://u:***@cluster0.example.net/db?retryWrites=true");
    // Unencoded '/', ':' and '@' in a password (invalid for the driver, but typed by people).
    assertThat(MongoSettings.redact("mongodb://u:a/b:c@d@h1,h2/db")).isEqualTo("mongodb://u:***@h1,h2/db");
    assertThat(MongoSettings.redact("mongodb://h/db?password=x&w=1")).isEqualTo("mongodb://h/db?password=***&w=1");
    assertThat(MongoSettings.redact("mongodb://onlyuser@h/db")).isEqualTo("mongodb://onlyuser@h/db");
    assertThat(MongoSettings.redact("mongodb://h/db")).isEqualTo("mongodb://h/db");
  }

  @Test
  void settings_toStringAndRedactedUri_neverShowThePassword() {
    MongoSettings s = parse("mongodb://admin:hunter2@h/db");
    assertThat(s.redactedUri()).isEqualTo("mongodb://admin:***@h/db");
    assertThat(s.toString()).doesNotContain("hunter2");
    assertThat(s.scrub("auth failed for admin:hunter2")).isEqualTo("auth failed for admin:***");
    assertThat(s.password()).isEqualTo("hunter2");
  }

  @Test
  void scrub_encodedPassword_hiddenInBothForms() {
    MongoSettings s = parse("mongodb://u:p%2Fss@h/db");
    assertThat(s.scrub("p/ss and p%2Fss")).isEqualTo("*** and ***");
  }

  @Test
  void provider_registeredForBothSchemes() {
    StorageProvider p = Storages.provider(StorageConfig.of("mongodb://h/db"), getClass().getClassLoader());
    assertThat(p).isInstanceOf(MongoStorageProvider.class);
    assertThat(p.name()).isEqualTo("mongo");
    assertThat(p.schemes()).containsExactlyInAnyOrder("mongodb", "mongodb+srv");
    assertThat(p.sensitiveOptions()).contains("password");
    assertThat(Storages.provider(StorageConfig.of("mongodb+srv://c.example.net/db"), getClass().getClassLoader()))
        .isInstanceOf(MongoStorageProvider.class);
  }

  @Test
  void open_unreachableServer_unavailableWithoutPassword() {
    SyncException e =
        catchThrowableOfType(
            SyncException.class,
            () -> new MongoStorageProvider().open(StorageConfig.of(
                "mongodb://u:topsecret@127.0.0.1:1/db?serverSelectionTimeoutMS=300&connectTimeoutMS=300")));
    assertThat(e.errorCode()).isEqualTo(StorageError.UNAVAILABLE);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).doesNotContain("topsecret").contains("mongodb://u:***@127.0.0.1:1/db");
  }
}
