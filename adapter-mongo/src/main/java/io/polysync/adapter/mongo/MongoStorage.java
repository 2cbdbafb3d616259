package io.polysync.adapter.mongo;

import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.ReadConcern;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.polysync.spi.BlobStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.Capability;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.LocalStore;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.bson.Document;

/**
 * One open MongoDB database: the client, the collections and their indexes, what the server offers
 * (transactions, change streams), and the SPI parts over them.
 */
final class MongoStorage implements Storage {
  private static final System.Logger LOG = System.getLogger(MongoStorage.class.getName());

  /** The largest value stored: above MongoDB's 16 MiB document limit, so values are chunked. */
  static final long MAX_VALUE_BYTES = 32L << 20;
  static final int MAX_BATCH = 10_000;

  final MongoSettings settings;
  final MongoServerFeatures features;
  final MongoClient client;
  final MongoDatabase db;
  final MongoCollection<Document> namespaceCollection;
  final MongoCollection<Document> documentCollection;
  final MongoCollection<Document> localCollection;
  final MongoCollection<Document> blobCollection;
  final MongoCollection<Document> chunkCollection;
  final MongoCollection<Document> dropCollection;
  final MongoValues values;
  /** Names this storage in lease documents, for people reading them. */
  final String owner = UUID.randomUUID().toString();
  final boolean transactions;
  final boolean changeStreams;

  private final Capabilities capabilities;
  private final AtomicBoolean closed = new AtomicBoolean();
  final MongoNamespaceStore namespaces;
  final MongoDocumentStore documents;
  private final MongoLocalStore locals;
  private final MongoBlobStore blobs;
  private final MongoQueryStore queries;
  final MongoChangeSignals signals;
  final MongoLeases leases;
  final MongoWriter writer;

  MongoStorage(MongoSettings settings) {
    this.settings = settings;
    MongoClientSettings.Builder builder =
        MongoClientSettings.builder().applyConnectionString(settings.connection());
    if (settings.connection().getApplicationName() == null) {
      builder.applicationName("polysync");
    }
    MongoClient c;
    try {
      c = MongoClients.create(builder.build());
    } catch (RuntimeException e) {
      throw MongoErrors.translate(e, settings, "connecting to MongoDB");
    }
    this.client = c;
    try {
      this.features = MongoServerFeatures.probe(client.getDatabase("admin"));
      this.transactions = chooseWritePath(settings, features);
      this.db = configure(client.getDatabase(settings.database()), settings, features);
      this.namespaceCollection = db.getCollection("polysync_namespaces");
      this.documentCollection = db.getCollection("polysync_documents");
      this.localCollection = db.getCollection("polysync_locals");
      this.blobCollection = db.getCollection("polysync_blobs");
      this.chunkCollection = db.getCollection("polysync_chunks");
      this.dropCollection = db.getCollection("polysync_drops");
      createIndexes();
      this.changeStreams = chooseSignals();
    } catch (RuntimeException e) {
      client.close();
      if (e instanceof SyncException sync) {
        throw sync;
      }
      throw MongoErrors.translate(e, settings, "opening the MongoDB database");
    }
    this.values = new MongoValues(chunkCollection);
    Set<Capability> flags =
        EnumSet.of(Capability.QUERY_PUSHDOWN, Capability.MULTI_PROCESS, Capability.LOCAL_LISTING);
    if (changeStreams) {
      flags.add(Capability.NATIVE_CHANGE_SIGNALS);
    }
    this.capabilities =
        new Capabilities(
            flags, MAX_VALUE_BYTES, MAX_BATCH, changeStreams ? Duration.ZERO : settings.pollInterval());
    this.namespaces = new MongoNamespaceStore(this);
    this.documents = new MongoDocumentStore(this);
    this.locals = new MongoLocalStore(this);
    this.blobs = new MongoBlobStore(this);
    this.queries = new MongoQueryStore(this);
    this.signals = new MongoChangeSignals(this);
    this.leases = new MongoLeases(this, settings.leaseTimeout());
    this.writer = transactions ? new MongoTransactionWriter(this) : new MongoLeaseWriter(this);
    try {
      namespaces.finishInterruptedDrops();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not finish interrupted namespace drops; retried on next open", e);
    }
    LOG.log(
        Level.DEBUG,
        () -> "opened " + settings.redactedUri() + " on " + features.describe() + "; writes by "
            + (transactions ? "transactions" : "write lease") + ", signals by "
            + (changeStreams ? "change streams" : "polling"));
  }

  private static boolean chooseWritePath(MongoSettings settings, MongoServerFeatures features) {
    return switch (settings.writePath()) {
      case AUTO -> features.transactions();
      case LEASE -> false;
      case TRANSACTIONS -> {
        if (!features.transactions()) {
          throw new SyncException(
              StorageError.INVALID_CONFIGURATION,
              "writePath=transactions needs multi-document transactions, which "
                  + features.describe() + " does not offer (they need a replica set or a sharded"
                  + " cluster); use writePath=auto or lease: " + settings.redactedUri());
        }
        yield true;
      }
    };
  }

  /**
   * Majority write concern unless the URI says otherwise, so an acknowledged write survives a
   * failover; on replica sets and sharded clusters also majority read concern, so no reader sees
   * (and passes) a sequence number that a failover could roll back.
   */
  private static MongoDatabase configure(
      MongoDatabase database, MongoSettings settings, MongoServerFeatures features) {
    MongoDatabase out = database;
    if (settings.connection().getWriteConcern() == null) {
      out = out.withWriteConcern(WriteConcern.MAJORITY);
    }
    if (settings.connection().getReadConcern() == null && features.replicated()) {
      out = out.withReadConcern(ReadConcern.MAJORITY);
    }
    return out;
  }

  private void createIndexes() {
    IndexOptions unique = new IndexOptions().unique(true);
    documentCollection.createIndex(Indexes.ascending("ns", "k"), unique.name("ns_key"));
    documentCollection.createIndex(
        Indexes.ascending("ns", "s"), new IndexOptions().unique(true).name("ns_seq"));
    documentCollection.createIndex(Indexes.ascending("ns", "o.s"), new IndexOptions().name("ns_old_seq"));
    localCollection.createIndex(Indexes.ascending("ns", "k"), new IndexOptions().unique(true).name("ns_key"));
    blobCollection.createIndex(Indexes.ascending("ns", "k"), new IndexOptions().unique(true).name("ns_key"));
    chunkCollection.createIndex(Indexes.ascending("ns"), new IndexOptions().name("ns"));
    namespaceCollection.createIndex(Indexes.ascending("uid"), new IndexOptions().name("uid"));
  }

  /** Change streams if asked for or available: probed by opening one on the namespaces. */
  private boolean chooseSignals() {
    if (settings.signals() == MongoSettings.Signals.POLLING) {
      return false;
    }
    try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor =
        namespaceCollection.watch().maxAwaitTime(1, TimeUnit.MILLISECONDS).cursor()) {
      cursor.tryNext();
      return true;
    } catch (MongoException e) {
      if (settings.signals() == MongoSettings.Signals.CHANGE_STREAMS) {
        throw new SyncException(
            StorageError.INVALID_CONFIGURATION,
            "signals=change-streams, but " + features.describe() + " refused a change stream ("
                + settings.scrub(e.getMessage()) + "); change streams need a replica set or a"
                + " sharded cluster: " + settings.redactedUri());
      }
      return false;
    }
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public NamespaceStore namespaces() {
    return namespaces;
  }

  @Override
  public DocumentStore documents() {
    return documents;
  }

  @Override
  public LocalStore locals() {
    return locals;
  }

  @Override
  public BlobStore blobs() {
    return blobs;
  }

  @Override
  public QueryStore queries() {
    return queries;
  }

  @Override
  public ChangeSignals signals() {
    return signals;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      signals.close();
      client.close();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  void ensureOpen() {
    if (isClosed()) {
      throw closedError();
    }
  }

  SyncException closedError() {
    return new SyncException(
        StorageError.UNAVAILABLE, "storage " + settings.redactedUri() + " is closed");
  }

  /** Runs {@code work}, translating every driver exception; {@code what} names the operation. */
  <T> T call(String what, Supplier<T> work) {
    ensureOpen();
    try {
      return work.get();
    } catch (SyncException e) {
      throw e;
    } catch (RuntimeException e) {
      if (isClosed()) {
        throw closedError();
      }
      throw MongoErrors.translate(e, settings, what);
    }
  }

  void run(String what, Runnable work) {
    call(
        what,
        () -> {
          work.run();
          return null;
        });
  }

  static SyncException notFound(String namespace) {
    return new SyncException(StorageError.NAMESPACE_NOT_FOUND, "no such namespace: " + namespace);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SyncException(StorageError.UNAVAILABLE, "interrupted", e);
    }
  }

  @Override
  public String toString() {
    return "MongoStorage[" + settings.redactedUri() + "]";
  }
}
