package io.polysync.adapter.redis;

import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageProvider;
import java.util.Set;

/**
 * Opens Redis storages: {@code redis://[[user]:password@]host[:port][/database][?options]} and
 * {@code rediss://...} for TLS, as Lettuce's {@code RedisURI} reads them. The query option and
 * config option {@code prefix} (default {@code polysync:}) starts every key and channel, so several
 * deployments can share one database; {@code password} may be given as an option instead of in the
 * URI. Every other query option goes to Lettuce ({@code timeout}, {@code clientName}, {@code
 * verifyPeer}, ...). See {@code docs/adapters/redis.md}.
 */
public final class RedisStorageProvider implements StorageProvider {
  private static final Set<String> SCHEMES = Set.of("redis", "rediss");

  public RedisStorageProvider() {}

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public Set<String> schemes() {
    return SCHEMES;
  }

  @Override
  public Storage open(StorageConfig config) {
    return new RedisStorage(RedisSettings.parse(config));
  }
}
