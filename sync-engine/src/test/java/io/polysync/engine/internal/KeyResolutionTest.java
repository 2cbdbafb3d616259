package io.polysync.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.engine.EngineError;
import io.polysync.engine.EngineOptions;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.WrappedKey;
import io.polysync.spi.SyncException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the engine finds its key provider when the options name none. */
final class KeyResolutionTest {
  @TempDir Path dir;

  /** A plugin as a KMS would be one: found with ServiceLoader, configured by itself. */
  public static final class PluginKeys implements KeyProvider {
    private final KeyProvider keys = KeyProvider.ofKeys("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    @Override
    public String name() {
      return "plugin";
    }

    @Override
    public String description() {
      return "a test plugin";
    }

    @Override
    public String currentKeyId() {
      return keys.currentKeyId();
    }

    @Override
    public WrappedKey wrap(byte[] dataKey, byte[] context) {
      return keys.wrap(dataKey, context);
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, byte[] context) {
      return keys.unwrap(wrapped, context);
    }
  }

  /** A second plugin. */
  public static final class OtherPluginKeys implements KeyProvider {
    private final KeyProvider keys = new PluginKeys();

    @Override
    public String name() {
      return "other";
    }

    @Override
    public String description() {
      return "another test plugin";
    }

    @Override
    public String currentKeyId() {
      return keys.currentKeyId();
    }

    @Override
    public WrappedKey wrap(byte[] dataKey, byte[] context) {
      return keys.wrap(dataKey, context);
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, byte[] context) {
      return keys.unwrap(wrapped, context);
    }
  }

  private ClassLoader withServices(String... classNames) throws Exception {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(KeyProvider.class.getName()), String.join("\n", classNames) + "\n");
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  void givenProvider_winsOverPlugins() throws Exception {
    KeyProvider given = KeyProvider.ofKeys(KeyProvider.generateKey());
    assertThat(DefaultSyncEngine.keyProvider(EngineOptions.defaults().withKeyProvider(given),
        withServices(PluginKeys.class.getName()))).containsSame(given);
  }

  @Test
  void onePlugin_isTaken() throws Exception {
    assertThat(DefaultSyncEngine.keyProvider(EngineOptions.defaults(), withServices(PluginKeys.class.getName())))
        .hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("plugin"));
  }

  @Test
  void twoPlugins_areRefused() throws Exception {
    ClassLoader loader = withServices(PluginKeys.class.getName(), OtherPluginKeys.class.getName());
    assertThatThrownBy(() -> DefaultSyncEngine.keyProvider(EngineOptions.defaults(), loader))
        .isInstanceOfSatisfying(SyncException.class, e -> {
          assertThat(e.errorCode()).isEqualTo(EngineError.KEY_UNAVAILABLE);
          assertThat(e.getMessage()).contains("[plugin, other]");
        });
  }

  @Test
  void aPluginThatCannotLoad_isRefusedWithItsName() throws Exception {
    ClassLoader loader = withServices("com.example.MissingKeys");
    assertThatThrownBy(() -> DefaultSyncEngine.keyProvider(EngineOptions.defaults(), loader))
        .isInstanceOfSatisfying(SyncException.class, e -> assertThat(e.getMessage()).contains("MissingKeys"));
  }

  @Test
  void none_withEncryptionOff_isEmpty() throws Exception {
    assertThat(DefaultSyncEngine.keyProvider(EngineOptions.defaults().withEncryption(false), withServices()))
        .isEmpty();
  }
}
