/**
 * The SQL storage adapter: SQLite, H2, PostgreSQL and MariaDB/MySQL behind one implementation of
 * the storage SPI, written with jOOQ's DSL (no generated code) over a HikariCP pool.
 *
 * <p>Only {@link io.polysync.adapter.sql.SqlStorageProvider} is public; it is found with {@link
 * java.util.ServiceLoader}. What differs between backends (URIs, column types, locking, change
 * signals, JSON push-down) lives in one {@code SqlDialectSupport} per backend; everything else is
 * shared. Writers serialize per namespace by locking the namespace row (SQLite: the database write
 * lock) from sequence allocation to commit, which is what keeps the changes feed gap-free. Ids,
 * namespace names and blob keys are stored as their UTF-8 bytes in binary columns, so every backend
 * orders them by Unicode code point and none pads or folds them (MariaDB's {@code utf8mb4_bin} is a
 * PAD SPACE collation, H2 orders strings by UTF-16 unit).
 */
package io.polysync.adapter.sql;
