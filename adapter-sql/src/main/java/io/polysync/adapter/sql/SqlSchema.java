package io.polysync.adapter.sql;

import static io.polysync.adapter.sql.SqlTables.SCHEMA;
import static io.polysync.adapter.sql.SqlTables.SCHEMA_APPLIED_AT;
import static io.polysync.adapter.sql.SqlTables.SCHEMA_VERSION;

import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Creates and migrates the schema, hand-rolled rather than with Flyway: one version table, ordered
 * steps of per-backend DDL, and a per-backend lock so processes that start together migrate once.
 * Each applied step leaves a row in {@code polysync_schema}. A database whose version is newer than
 * this code knows is refused: an older binary must not write to a layout it does not understand.
 */
final class SqlSchema {
  /** The newest schema version this code creates and understands. */
  static final int LATEST = 2;

  private SqlSchema() {}

  static void migrate(DataSource dataSource, SqlDialectSupport support) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      support.withSchemaLock(
          connection,
          c -> {
            DSLContext ctx = DSL.using(c, support.dialect(), SqlStorage.SETTINGS);
            ctx.execute(
                "CREATE TABLE IF NOT EXISTS polysync_schema ("
                    + "version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)");
            Integer found =
                ctx.select(DSL.max(SCHEMA_VERSION)).from(SCHEMA).fetchOne(0, Integer.class);
            int current = found == null ? 0 : found;
            if (current > LATEST) {
              throw new SyncException(
                  StorageError.INVALID_CONFIGURATION,
                  "the database "
                      + support.config.redactedUri()
                      + " has Polysync schema version "
                      + current
                      + ", newer than the "
                      + LATEST
                      + " this version of Polysync knows; upgrade Polysync to open it");
            }
            for (int version = current + 1; version <= LATEST; version++) {
              for (String ddl : support.migration(version)) {
                ctx.execute(ddl);
              }
              ctx.insertInto(SCHEMA, SCHEMA_VERSION, SCHEMA_APPLIED_AT)
                  .values(version, System.currentTimeMillis())
                  .execute();
            }
          });
    }
  }
}
