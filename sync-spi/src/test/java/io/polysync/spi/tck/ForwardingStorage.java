package io.polysync.spi.tck;

import io.polysync.spi.BlobStore;
import io.polysync.spi.Capabilities;
import io.polysync.spi.ChangeSignals;
import io.polysync.spi.ChangesRange;
import io.polysync.spi.DocumentStore;
import io.polysync.spi.KeyRange;
import io.polysync.spi.LocalStore;
import io.polysync.spi.NamespaceStore;
import io.polysync.spi.QueryStore;
import io.polysync.spi.Storage;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.List;
import java.util.Optional;

/**
 * A storage that forwards every call to another: a test overrides the part it watches or breaks
 * (the kit's own self-test breaks adapters this way; an engine test can count or fail calls).
 */
public class ForwardingStorage implements Storage {
  protected final Storage delegate;

  public ForwardingStorage(Storage delegate) {
    this.delegate = delegate;
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public NamespaceStore namespaces() {
    return delegate.namespaces();
  }

  @Override
  public DocumentStore documents() {
    return delegate.documents();
  }

  @Override
  public LocalStore locals() {
    return delegate.locals();
  }

  @Override
  public BlobStore blobs() {
    return delegate.blobs();
  }

  @Override
  public QueryStore queries() {
    return delegate.queries();
  }

  @Override
  public ChangeSignals signals() {
    return delegate.signals();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    String name = getClass().getSimpleName();
    return (name.isEmpty() ? "Faulty" : name) + "[" + delegate + "]";
  }

  /** A document store that forwards every call. */
  public static class ForwardingDocuments implements DocumentStore {
    protected final DocumentStore delegate;

    public ForwardingDocuments(DocumentStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<StoredDocument> get(String namespace, String id) {
      return delegate.get(namespace, id);
    }

    @Override
    public List<StoredDocument> getAll(String namespace, List<String> ids) {
      return delegate.getAll(namespace, ids);
    }

    @Override
    public List<StoredDocument> range(String namespace, KeyRange range) {
      return delegate.range(namespace, range);
    }

    @Override
    public List<WriteResult> write(String namespace, List<WriteItem> items) {
      return delegate.write(namespace, items);
    }

    @Override
    public List<StoredDocument> changes(String namespace, ChangesRange range) {
      return delegate.changes(namespace, range);
    }
  }
}
