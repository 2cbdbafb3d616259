package io.polysync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in key providers: the key file above all. */
final class KeyProviderTest {
  private static final byte[] CONTEXT = "context".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private static void assertKeyUnavailable(Runnable call, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(SyncException.class, e -> {
      assertThat(e.errorCode()).isEqualTo(EngineError.KEY_UNAVAILABLE);
      assertThat(e.getMessage()).contains(message);
    });
  }

  @Test
  void file_absent_isCreatedOwnerOnly_withOneKey_andReusedAfterwards() throws Exception {
    Path file = dir.resolve("sub/polysync.key");
    KeyProvider first = KeyProvider.file(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    List<String> keys = Files.readAllLines(file).stream().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    assertThat(keys).hasSize(1);
    assertThat(first.currentKeyId()).isEqualTo(KeyProvider.keyId(keys.get(0))).matches("[0-9a-f]{16}");
    assertThat(KeyProvider.file(file).currentKeyId()).isEqualTo(first.currentKeyId());
    assertThat(dir.resolve("sub").toFile().list()).containsExactly("polysync.key");
  }

  @Test
  void wrap_unwrap_roundTrips_onlyWithTheSameContext() {
    KeyProvider keys = KeyProvider.file(dir.resolve("k"));
    byte[] secret = new byte[32];
    secret[0] = 7;
    WrappedKey wrapped = keys.wrap(secret, CONTEXT);

    assertThat(wrapped.keyId()).isEqualTo(keys.currentKeyId());
    assertThat(keys.unwrap(wrapped, CONTEXT)).isEqualTo(secret);
    assertThatThrownBy(() -> keys.unwrap(wrapped, "other".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(SyncException.class,
            e -> assertThat(e.errorCode()).isEqualTo(EngineError.CORRUPT_STATE));
  }

  @Test
  void file_readableByOthers_isRefused() throws Exception {
    Path file = dir.resolve("k");
    KeyProvider.file(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertKeyUnavailable(() -> KeyProvider.file(file), "chmod 600");
  }

  @Test
  void file_malformedOrEmpty_isRefusedNotReplaced() throws Exception {
    Path file = dir.resolve("k");
    Files.writeString(file, "# nothing here\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertKeyUnavailable(() -> KeyProvider.file(file), "holds no key");
    Files.writeString(file, "c2hvcnQ=\n");
    assertKeyUnavailable(() -> KeyProvider.file(file), "not a 256-bit key");
    assertThat(Files.readString(file)).isEqualTo("c2hvcnQ=\n");
  }

  @Test
  void rotation_aRunningProviderFollowsTheFile() throws Exception {
    Path file = dir.resolve("k");
    KeyProvider running = KeyProvider.file(file);
    String old = running.currentKeyId();
    WrappedKey underOld = running.wrap(new byte[32], CONTEXT);

    String added = KeyProvider.addKeyToFile(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    KeyProvider fresh = KeyProvider.file(file);
    assertThat(fresh.currentKeyId()).isEqualTo(added).isNotEqualTo(old);
    assertThat(fresh.unwrap(underOld, CONTEXT)).hasSize(32);
    // A process that started before the rotation unwraps what the new key wrapped (it reads the
    // file again on an unknown id) and wraps under the new key within a second.
    WrappedKey underNew = fresh.wrap(new byte[32], CONTEXT);
    assertThat(running.unwrap(underNew, CONTEXT)).hasSize(32);
    Thread.sleep(1100);
    assertThat(running.currentKeyId()).isEqualTo(added);

    assertThat(KeyProvider.dropOlderKeysFromFile(file)).containsExactly(old);
    assertKeyUnavailable(() -> KeyProvider.file(file).unwrap(underOld, CONTEXT), old);
  }

  @Test
  void ofKeys_firstIsCurrent_othersUnwrap() {
    String a = KeyProvider.generateKey();
    String b = KeyProvider.generateKey();
    WrappedKey underB = KeyProvider.ofKeys(b).wrap(new byte[32], CONTEXT);
    KeyProvider both = KeyProvider.ofKeys(a + ", " + b);

    assertThat(both.currentKeyId()).isEqualTo(KeyProvider.keyId(a));
    assertThat(both.unwrap(underB, CONTEXT)).hasSize(32);
    assertKeyUnavailable(() -> KeyProvider.ofKeys(a).unwrap(underB, CONTEXT), KeyProvider.keyId(b));
    assertKeyUnavailable(() -> KeyProvider.ofKeys("not base64!"), "not base64");
  }
}
