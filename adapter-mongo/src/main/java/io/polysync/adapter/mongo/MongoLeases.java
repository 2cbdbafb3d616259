package io.polysync.adapter.mongo;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Per-namespace write leases for servers without multi-document transactions, kept in the
 * namespace's own document: {@code leased}, a fencing token {@code leaseToken} that every
 * acquisition increments, a heartbeat {@code leaseBeat} that every renewal increments, and the
 * holder's {@code leaseOwner} for people reading the database.
 *
 * <p>Acquiring is one {@code findOneAndUpdate} on {@code leased: false}, which also returns the
 * namespace's committed counters. The holder commits its counters and releases in one update
 * conditional on its token, so a holder that lost its lease cannot commit.
 *
 * <p>Expiry uses no wall clock, so clock skew between hosts does not matter: a waiter takes a lease
 * over only after it has seen the same (token, beat) for a whole timeout on its own monotonic clock.
 * The holder renews (increments the beat) whenever a third of the timeout has passed since its last
 * acquisition or renewal began, and writes nothing once half of it has passed without a renewal;
 * the other half is the margin for a write delayed between that check and the server.
 */
final class MongoLeases {
  /** How long a writer waits for a lease held by a live holder before it gives up. */
  private static final Duration GIVE_UP = Duration.ofSeconds(60);

  /** A held lease. {@code since} is when its last acquisition or renewal was sent (nanos). */
  static final class Lease {
    final String name;
    final String key;
    final long token;
    final MongoNamespaceStore.Ns ns;
    final boolean takenOver;
    long since;

    Lease(String name, String key, long token, MongoNamespaceStore.Ns ns, boolean takenOver, long since) {
      this.name = name;
      this.key = key;
      this.token = token;
      this.ns = ns;
      this.takenOver = takenOver;
      this.since = since;
    }

    Bson mine() {
      return Filters.and(Filters.eq("_id", key), Filters.eq("leased", true), Filters.eq("leaseToken", token));
    }
  }

  private final MongoStorage storage;
  private final long timeoutNanos;
  private final LongSupplier clock;

  MongoLeases(MongoStorage storage, Duration timeout) {
    this(storage, timeout, System::nanoTime);
  }

  MongoLeases(MongoStorage storage, Duration timeout, LongSupplier clock) {
    this.storage = storage;
    this.timeoutNanos = timeout.toNanos();
    this.clock = clock;
  }

  /**
   * Acquires the lease of namespace {@code name}, waiting for its holder to release it or taking it
   * over once it expired. A lease taken over may have been left with uncommitted writes; the
   * caller must roll them back ({@link Lease#takenOver}) before writing.
   *
   * @throws SyncException NAMESPACE_NOT_FOUND, or UNAVAILABLE after waiting too long
   */
  Lease acquire(String name) {
    String key = MongoNamespaceStore.key(name);
    long started = clock.getAsLong();
    long observedToken = -1;
    long observedBeat = -1;
    long observedAt = 0;
    long pause = 1;
    FindOneAndUpdateOptions after = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);
    while (true) {
      storage.ensureOpen();
      long sent = clock.getAsLong();
      Document doc =
          storage.namespaceCollection.findOneAndUpdate(
              Filters.and(Filters.eq("_id", key), Filters.eq("leased", false)),
              Updates.combine(
                  Updates.set("leased", true),
                  Updates.set("leaseOwner", storage.owner),
                  Updates.inc("leaseToken", 1L)),
              after);
      if (doc != null) {
        MongoNamespaceStore.Ns ns = MongoNamespaceStore.Ns.of(doc);
        return new Lease(name, key, ns.leaseToken(), ns, false, sent);
      }
      Document current = storage.namespaceCollection.find(Filters.eq("_id", key)).first();
      if (current == null) {
        throw MongoStorage.notFound(name);
      }
      MongoNamespaceStore.Ns ns = MongoNamespaceStore.Ns.of(current);
      if (ns.leased()) {
        long now = clock.getAsLong();
        if (ns.leaseToken() != observedToken || ns.leaseBeat() != observedBeat) {
          observedToken = ns.leaseToken();
          observedBeat = ns.leaseBeat();
          observedAt = now;
        } else if (now - observedAt >= timeoutNanos) {
          Lease taken = takeOver(name, key, observedToken, observedBeat);
          if (taken != null) {
            return taken;
          }
        }
        if (now - started > GIVE_UP.toNanos()) {
          throw new SyncException(
              StorageError.UNAVAILABLE,
              "namespace " + name + " stayed locked by another writer for " + GIVE_UP.toSeconds()
                  + " s; try again");
        }
      }
      MongoStorage.sleep(ThreadLocalRandom.current().nextLong(pause, 2 * pause + 1));
      pause = Math.min(pause * 2, 16);
    }
  }

  private Lease takeOver(String name, String key, long token, long beat) {
    long sent = clock.getAsLong();
    Document doc =
        storage.namespaceCollection.findOneAndUpdate(
            Filters.and(
                Filters.eq("_id", key),
                Filters.eq("leased", true),
                Filters.eq("leaseToken", token),
                Filters.eq("leaseBeat", beat)),
            Updates.combine(Updates.set("leaseOwner", storage.owner), Updates.inc("leaseToken", 1L)),
            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
    if (doc == null) {
      return null;
    }
    MongoNamespaceStore.Ns ns = MongoNamespaceStore.Ns.of(doc);
    return new Lease(name, key, ns.leaseToken(), ns, true, sent);
  }

  /**
   * Called before each write made under {@code lease}: renews it when a third of the timeout has
   * passed, and refuses to go on when it could not renew in time.
   *
   * @throws SyncException UNAVAILABLE when the lease was lost
   */
  void ensureHeld(Lease lease) {
    long elapsed = clock.getAsLong() - lease.since;
    if (elapsed < timeoutNanos / 3) {
      return;
    }
    long sent = clock.getAsLong();
    long matched = storage.namespaceCollection
        .updateOne(lease.mine(), Updates.inc("leaseBeat", 1L))
        .getMatchedCount();
    if (matched == 0 || clock.getAsLong() - sent > timeoutNanos / 2) {
      throw lost(lease);
    }
    lease.since = sent;
  }

  /**
   * Sets {@code fields} on the namespace and releases the lease in one update.
   *
   * @throws SyncException UNAVAILABLE when the lease was lost (nothing was committed)
   */
  void commit(Lease lease, Document fields) {
    Document set = new Document(fields).append("leased", false);
    long matched =
        storage.namespaceCollection.updateOne(lease.mine(), new Document("$set", set)).getMatchedCount();
    if (matched == 0) {
      throw lost(lease);
    }
  }

  /** Releases without committing anything; false when the lease was already lost. */
  boolean release(Lease lease) {
    return storage.namespaceCollection
            .updateOne(lease.mine(), Updates.set("leased", false))
            .getMatchedCount()
        > 0;
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  static SyncException lost(Lease lease) {
    return new SyncException(
        StorageError.UNAVAILABLE,
        "lost the write lease of namespace " + lease.name
            + " (taken over or the namespace was dropped); the batch was not committed");
  }
}
