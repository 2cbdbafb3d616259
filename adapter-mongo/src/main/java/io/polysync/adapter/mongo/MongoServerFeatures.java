package io.polysync.adapter.mongo;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;

/**
 * What the server offers, read from its handshake reply ({@code hello}, or the legacy {@code
 * isMaster} for servers without it).
 *
 * <p>Multi-document transactions need a replica set member (wire version 7, MongoDB 4.0) or a
 * {@code mongos} (wire version 8, 4.2), and logical sessions, which the server announces with
 * {@code logicalSessionTimeoutMinutes}; a standalone {@code mongod} has none. Change streams need a
 * replica set or sharded cluster too, but are probed directly (see {@link MongoStorage}), since a
 * server may offer them without either, as the in-process test server does with its oplog enabled.
 *
 * @param replicaSet the server is a replica set member ({@code setName})
 * @param sharded the server is a {@code mongos} ({@code msg: "isdbgrid"})
 * @param sessions the server supports logical sessions
 * @param maxWireVersion the newest wire protocol version the server speaks
 */
record MongoServerFeatures(boolean replicaSet, boolean sharded, boolean sessions, int maxWireVersion) {

  static MongoServerFeatures probe(MongoDatabase admin) {
    Document reply;
    try {
      reply = admin.runCommand(new Document("hello", 1));
    } catch (MongoCommandException e) {
      // Servers before 4.4.2 (and some stand-ins) know only the legacy name.
      reply = admin.runCommand(new Document("isMaster", 1));
    }
    return from(reply);
  }

  static MongoServerFeatures from(Document reply) {
    boolean replicaSet = reply.get("setName") instanceof String name && !name.isEmpty();
    boolean sharded = "isdbgrid".equals(reply.get("msg"));
    boolean sessions = reply.get("logicalSessionTimeoutMinutes") instanceof Number;
    int wire = reply.get("maxWireVersion") instanceof Number n ? n.intValue() : 0;
    return new MongoServerFeatures(replicaSet, sharded, sessions, wire);
  }

  /** Whether multi-document transactions can run on this deployment. */
  boolean transactions() {
    return sessions && (replicaSet && maxWireVersion >= 7 || sharded && maxWireVersion >= 8);
  }

  /** A replica set or a sharded cluster: majority reads and writes mean something there. */
  boolean replicated() {
    return replicaSet || sharded;
  }

  String describe() {
    String kind = sharded ? "a sharded cluster (mongos)" : replicaSet ? "a replica set" : "a standalone server";
    return kind + ", wire version " + maxWireVersion + (sessions ? ", sessions" : ", no sessions");
  }
}
