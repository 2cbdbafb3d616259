package io.polysync.bootstrap;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PermissionMatrix} on the embedded default, SQLite; {@link PermissionMatrixIT} runs it on the other backends. */
final class PermissionMatrixTest {
  static {
    java.util.logging.Logger.getLogger("io.helidon").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.polysync").setLevel(java.util.logging.Level.SEVERE);
  }

  @TempDir Path dir;

  @Test
  void everyRoleAgainstEveryOperation_matchesTheTable_onSqlite() throws Exception {
    PermissionMatrix.check(dir, Optional.empty());
  }
}
