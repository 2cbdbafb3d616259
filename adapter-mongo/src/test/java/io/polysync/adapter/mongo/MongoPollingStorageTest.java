package io.polysync.adapter.mongo;

import io.polysync.spi.StorageConfig;
import io.polysync.spi.tck.MultiInstanceTck;
import io.polysync.spi.tck.SignalsTck;
import org.junit.jupiter.api.Nested;

/**
 * The signal parts of the kit against a stand-in without its oplog: the adapter finds no change
 * streams and polls, and declares so.
 */
final class MongoPollingStorageTest {
  @Nested
  final class Signals extends SignalsTck {
    private final StorageConfig config =
        StorageConfig.of(StandInServer.freshUriWithoutChangeStreams("polling_signals"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  @Nested
  final class MultiInstance extends MultiInstanceTck {
    private final StorageConfig config =
        StorageConfig.of(StandInServer.freshUriWithoutChangeStreams("polling_multi"));

    @Override
    protected StorageConfig config() {
      return config;
    }
  }
}
