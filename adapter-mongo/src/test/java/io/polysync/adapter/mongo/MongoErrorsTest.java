package io.polysync.adapter.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.WriteError;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

final class MongoErrorsTest {
  private static final MongoSettings SETTINGS =
      MongoSettings.parse(StorageConfig.of("mongodb://app:pa55word@db:27017/polysync"));
  private static final ServerAddress AT = new ServerAddress("db", 27017);

  @Test
  void translate_networkAndTimeouts_unavailableAndRetryable() {
    for (RuntimeException e :
        new RuntimeException[] {
          new MongoSocketReadException("connection reset", AT),
          new MongoTimeoutException("timed out waiting for a server"),
          new MongoCommandException(BsonDocument.parse("{ok: 0, code: 10107, errmsg: 'not primary'}"), AT),
          new MongoCommandException(
              BsonDocument.parse("{ok: 0, code: 112, errmsg: 'write conflict', errorLabels: ['TransientTransactionError']}"), AT),
          new IllegalStateException("state should be: open")
        }) {
      SyncException s = MongoErrors.translate(e, SETTINGS, "reading changes");
      assertThat(s.errorCode()).as(e.toString()).isEqualTo(StorageError.UNAVAILABLE);
      assertThat(s.isRetryable()).isTrue();
      assertThat(s.getMessage()).startsWith("reading changes failed: ").contains("mongodb://app:***@db:27017/polysync");
    }
  }

  @Test
  void translate_badCredentials_invalidConfigurationWithoutPassword() {
    SyncException s =
        MongoErrors.translate(
            new MongoSecurityException(null, "Exception authenticating app with pa55word"), SETTINGS, "opening");
    assertThat(s.errorCode()).isEqualTo(StorageError.INVALID_CONFIGURATION);
    assertThat(s.getMessage()).doesNotContain("pa55word");
  }

  @Test
  void translate_otherServerErrors_internal() {
    SyncException s =
        MongoErrors.translate(
            new MongoCommandException(BsonDocument.parse("{ok: 0, code: 2, errmsg: 'bad value'}"), AT), SETTINGS, "querying");
    assertThat(s.errorCode()).isEqualTo(StorageError.INTERNAL);
    assertThat(s.getMessage()).contains("2").contains("bad value");
  }

  @Test
  void translate_syncException_passedThrough() {
    SyncException original = new SyncException(StorageError.NAMESPACE_NOT_FOUND, "no such namespace: x");
    assertThat(MongoErrors.translate(original, SETTINGS, "x")).isSameAs(original);
  }

  @Test
  void isDuplicateKey_e11000Only() {
    MongoWriteException dup =
        new MongoWriteException(new WriteError(11000, "E11000 duplicate key", new BsonDocument()), AT, java.util.Set.of());
    MongoWriteException other =
        new MongoWriteException(new WriteError(121, "document failed validation", new BsonDocument()), AT, java.util.Set.of());
    assertThat(MongoErrors.isDuplicateKey(dup)).isTrue();
    assertThat(MongoErrors.isDuplicateKey(other)).isFalse();
    assertThat(MongoErrors.isDuplicateKey(new MongoTimeoutException("t"))).isFalse();
  }
}
