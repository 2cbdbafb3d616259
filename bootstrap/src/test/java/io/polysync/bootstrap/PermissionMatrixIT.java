package io.polysync.bootstrap;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PermissionMatrix} on every other backend: PostgreSQL and MariaDB (a scratch database
 * each, dropped afterwards), Redis (a random key prefix, deleted afterwards) and MongoDB through
 * its stand-in, mongo-java-server, in this JVM (docs/adapters/mongo.md says what it lacks).
 */
final class PermissionMatrixIT {
  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.SEVERE);
  }

  private static MongoServer mongo;

  @TempDir Path dir;

  @AfterAll
  static void stopMongo() {
    if (mongo != null) {
      mongo.shutdownNow();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"postgresql", "mariadb", "redis"})
  void everyRoleAgainstEveryOperation_matchesTheTable(String backend) throws Exception {
    try (RawStore store = RawStore.create(backend, dir)) {
      PermissionMatrix.check(dir, Optional.of(store.storageUri()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mongodb stand-in"})
  void everyRoleAgainstEveryOperation_matchesTheTable_onMongo(String backend) throws Exception {
    synchronized (PermissionMatrixIT.class) {
      if (mongo == null) {
        mongo = new MongoServer(new MemoryBackend());
        mongo.enableOplog();
        mongo.bind("127.0.0.1", 0);
      }
    }
    InetSocketAddress address = mongo.getLocalAddress();
    String uri = "mongodb://127.0.0.1:" + address.getPort() + "/matrix_" + UUID.randomUUID().toString().substring(0, 8);
    PermissionMatrix.check(dir, Optional.of(uri));
  }
}
