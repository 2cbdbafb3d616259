package io.polysync.adapter.mongo;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.concurrent.CountDownLatch;

/**
 * The MongoDB stand-in as a process of its own, for runs that start Polysync servers against it
 * (CI's interop runs, the scale-out test): {@code java -cp <adapter-mongo test class path>
 * io.polysync.adapter.mongo.StandInMain PORT}. mongo-java-server with its memory backend and its
 * oplog (change streams), on 127.0.0.1; it prints one line when it listens and runs until killed.
 */
public final class StandInMain {
  private StandInMain() {}

  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 27017;
    MongoServer server = new MongoServer(new MemoryBackend());
    server.enableOplog();
    server.bind("127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-stand-in-stop"));
    System.out.println("mongo stand-in listening on 127.0.0.1:" + server.getLocalAddress().getPort());
    new CountDownLatch(1).await();
  }
}
