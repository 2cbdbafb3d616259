package io.polysync.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.Storages;
import io.polysync.spi.SyncException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RedisSettingsTest {

  private static RedisSettings parse(String uri) {
    return RedisSettings.parse(StorageConfig.of(uri));
  }

  private static SyncException refused(StorageConfig config) {
    return catchThrowableOfType(SyncException.class, () -> RedisSettings.parse(config));
  }

  @Test
  void parse_hostPortDatabase_defaults() {
    RedisSettings s = parse("redis://127.0.0.1:6379/3");
    assertThat(s.uri().getHost()).isEqualTo("127.0.0.1");
    assertThat(s.uri().getPort()).isEqualTo(6379);
    assertThat(s.uri().getDatabase()).isEqualTo(3);
    assertThat(s.uri().isSsl()).isFalse();
    assertThat(s.prefix()).isEqualTo("polysync:");
    assertThat(s.password()).isEmpty();
    assertThat(s.inlineBytes()).isEqualTo(RedisSettings.DEFAULT_INLINE_BYTES);
    assertThat(s.display()).isEqualTo("redis://127.0.0.1:6379/3");
  }

  @Test
  void parse_noPortNoDatabase_redisDefaults() {
    RedisSettings s = parse("redis://cache.example");
    assertThat(s.uri().getPort()).isEqualTo(6379);
    assertThat(s.uri().getDatabase()).isZero();
  }

  @Test
  void parse_rediss_tls() {
    RedisSettings s = parse("rediss://:secret@cache.example:6380/1");
    assertThat(s.uri().isSsl()).isTrue();
    assertThat(s.uri().getPort()).isEqualTo(6380);
    assertThat(s.display()).isEqualTo("rediss://cache.example:6380/1").doesNotContain("secret");
  }

  @Test
  void parse_passwordAndUser_keptOutOfDisplay() {
    RedisSettings s = parse("redis://app:s3cr%40t@10.0.0.5:6379/2?prefix=app1:");
    assertThat(s.password()).contains("s3cr@t");
    assertThat(s.prefix()).isEqualTo("app1:");
    assertThat(s.display()).isEqualTo("redis://app@10.0.0.5:6379/2 (prefix app1:)");
    assertThat(s.toString()).doesNotContain("s3cr");
  }

  @Test
  void parse_passwordOption_winsAndIsSensitive() {
    RedisSettings s =
        RedisSettings.parse(
            new StorageConfig("redis://:old@host/0?password=older", Map.of("password", "newest")));
    assertThat(s.password()).contains("newest");
    assertThat(new RedisStorageProvider().sensitiveOptions()).contains("password");
  }

  @Test
  void redactedUri_everyPasswordForm_hidden() {
    for (String uri :
        new String[] {"redis://:hunter2@host:6379/0", "rediss://user:hunter2@host/1",
            "redis://host/0?password=hunter2&prefix=x:"}) {
      StorageConfig config = StorageConfig.of(uri);
      assertThat(config.redactedUri()).doesNotContain("hunter2");
      assertThat(parse(uri).display()).doesNotContain("hunter2");
    }
  }

  @Test
  void parse_passwordWithoutColon_refusedWithoutShowingIt() {
    SyncException e = refused(StorageConfig.of("redis://hunter2@host:6379/0"));
    assertThat(e.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    assertThat(e.getMessage()).doesNotContain("hunter2").contains("://:PASSWORD@host");
  }

  @Test
  void parse_optionsOverQuery_prefixAndInlineBytes() {
    RedisSettings s =
        RedisSettings.parse(
            new StorageConfig(
                "redis://host/0?prefix=fromUri:&inline.bytes=10",
                Map.of("prefix", "fromOptions:", "inline.bytes", "2048")));
    assertThat(s.prefix()).isEqualTo("fromOptions:");
    assertThat(s.inlineBytes()).isEqualTo(2048);
  }

  @Test
  void parse_percentEncodedPrefix_decodedPlusKept() {
    assertThat(parse("redis://host/0?prefix=a%20b+c%3A").prefix()).isEqualTo("a b+c:");
  }

  @Test
  void parse_lettuceOptions_passedOn() {
    RedisSettings s = parse("redis://host/0?timeout=5s&clientName=polysync-a&prefix=p:");
    assertThat(s.uri().getTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.uri().getClientName()).isEqualTo("polysync-a");
    assertThat(s.prefix()).isEqualTo("p:");
  }

  @Test
  void parse_otherSchemesAndShapes_invalidConfiguration() {
    for (String uri :
        new String[] {"redis:host", "redis-socket:///run/redis/redis.sock", "redis:///0",
            "redis://host/0?inline.bytes=lots", "redis://user:@host/0"}) {
      SyncException e = refused(StorageConfig.of(uri));
      assertThat(e).as(uri).isNotNull();
      assertThat(e.errorCode()).as(uri).isEqualTo(StorageError.INVALID_CONFIGURATION);
    }
  }

  @Test
  void provider_registeredForBothSchemes() {
    assertThat(Storages.provider(StorageConfig.of("redis://h/0"), getClass().getClassLoader()))
        .isInstanceOf(RedisStorageProvider.class);
    assertThat(Storages.provider(StorageConfig.of("rediss://h/0"), getClass().getClassLoader()))
        .isInstanceOf(RedisStorageProvider.class);
    assertThat(new RedisStorageProvider().schemes()).containsExactlyInAnyOrder("redis", "rediss");
  }

  @Test
  void scrub_driverMessage_passwordReplaced() {
    RedisSettings s = parse("redis://:hunter2@host/0");
    assertThat(s.scrub("AUTH hunter2 failed")).isEqualTo("AUTH *** failed");
  }

  @Test
  void refuseEviction_allkeysPolicy_invalidConfiguration() {
    RedisSettings s = parse("redis://host/0");
    String info = "# Memory\r\nused_memory:100\r\nmaxmemory_policy:allkeys-lru\r\n";
    SyncException e =
        catchThrowableOfType(SyncException.class, () -> RedisStorage.refuseEviction(info, s));
    assertThat(e.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    assertThat(e.getMessage()).contains("allkeys-lru");
    RedisStorage.refuseEviction("maxmemory_policy:noeviction\r\n", s);
    RedisStorage.refuseEviction("maxmemory_policy:volatile-lru\r\n", s);
  }
}
