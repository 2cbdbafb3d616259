package io.polysync.adapter.mongo;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.polysync.spi.StorageConfig;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;

/**
 * The MongoDB stand-in the tests run against: mongo-java-server with its memory backend, in this
 * JVM, on a random port of the loopback interface, with its oplog enabled so that change streams
 * work. Started once per JVM and never stopped (the JVM's exit ends it); every test class uses a
 * database of its own.
 *
 * <p>What it lacks compared with MongoDB: multi-document transactions and sessions, {@code hello}
 * (it answers {@code isMaster}), correct document keys in change events for updates. A child JVM
 * (the durability kit) reaches it through its port.
 */
final class StandInServer {
  private static MongoServer server;
  private static InetSocketAddress address;
  private static MongoServer plain;
  private static InetSocketAddress plainAddress;

  private StandInServer() {}

  /** The URI of a fresh database on the stand-in with change streams. */
  static synchronized String freshUri(String label) {
    if (server == null) {
      server = new MongoServer(new MemoryBackend());
      server.enableOplog();
      server.bind("127.0.0.1", 0);
      address = server.getLocalAddress();
    }
    return uri(address, label);
  }

  /** The URI of a fresh database on a second stand-in without an oplog (no change streams). */
  static synchronized String freshUriWithoutChangeStreams(String label) {
    if (plain == null) {
      plain = new MongoServer(new MemoryBackend());
      plain.bind("127.0.0.1", 0);
      plainAddress = plain.getLocalAddress();
    }
    return uri(plainAddress, label);
  }

  private static String uri(InetSocketAddress at, String label) {
    String db = "polysync_" + label + "_" + UUID.randomUUID().toString().substring(0, 8);
    return "mongodb://127.0.0.1:" + at.getPort() + "/" + db;
  }

  static StorageConfig config(String uri, Map<String, String> options) {
    return new StorageConfig(uri, options);
  }
}
