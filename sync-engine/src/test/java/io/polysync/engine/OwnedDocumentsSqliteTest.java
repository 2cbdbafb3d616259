package io.polysync.engine;

import io.polysync.spi.StorageConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Owned documents on SQLite: the per-user indexes as namespaces of a real SQL schema. */
final class OwnedDocumentsSqliteTest extends OwnedDocumentsContract {
  @TempDir
  Path dir;

  @Override
  SyncEngine openEngine() {
    return SyncEngine.open(StorageConfig.of("sqlite:" + dir.resolve("owned.db")), TestStorages.options());
  }
}
