package io.polysync.adapter.sql;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/**
 * The tables, declared by hand because the adapter does not generate code. Every field is
 * table-qualified: unqualified names turn ambiguous in the upserts and joins some dialects emulate.
 * Names render unquoted, so H2's upper-casing of the DDL's unquoted names matches them.
 */
final class SqlTables {
  private SqlTables() {}

  static final Table<Record> SCHEMA = table(name("polysync_schema"));
  static final Field<Integer> SCHEMA_VERSION =
      field(name("polysync_schema", "version"), SQLDataType.INTEGER);
  static final Field<Long> SCHEMA_APPLIED_AT =
      field(name("polysync_schema", "applied_at"), SQLDataType.BIGINT);

  static final Table<Record> NAMESPACES = table(name("polysync_namespaces"));
  static final Field<Long> NS_ID = field(name("polysync_namespaces", "id"), SQLDataType.BIGINT);
  static final Field<byte[]> NS_NAME =
      field(name("polysync_namespaces", "name"), SQLDataType.VARBINARY);
  static final Field<String> NS_METADATA =
      field(name("polysync_namespaces", "metadata"), SQLDataType.CLOB);
  static final Field<Long> NS_LAST_SEQ =
      field(name("polysync_namespaces", "last_seq"), SQLDataType.BIGINT);
  static final Field<Long> NS_LAST_TS =
      field(name("polysync_namespaces", "last_ts"), SQLDataType.BIGINT);
  static final Field<Long> NS_DOC_COUNT =
      field(name("polysync_namespaces", "doc_count"), SQLDataType.BIGINT);
  static final Field<Long> NS_DELETED_COUNT =
      field(name("polysync_namespaces", "deleted_count"), SQLDataType.BIGINT);

  /** False once a query body could not be stored exactly; body push-down is then off for good. */
  static final Field<Boolean> NS_BODIES_EXACT =
      field(name("polysync_namespaces", "bodies_exact"), SQLDataType.BOOLEAN);

  static final Table<Record> DOCUMENTS = table(name("polysync_documents"));
  static final Field<Long> DOC_NS = field(name("polysync_documents", "ns_id"), SQLDataType.BIGINT);
  static final Field<byte[]> DOC_ID =
      field(name("polysync_documents", "doc_id"), SQLDataType.VARBINARY);
  static final Field<Long> DOC_SEQ = field(name("polysync_documents", "seq"), SQLDataType.BIGINT);
  static final Field<Long> DOC_TS = field(name("polysync_documents", "ts"), SQLDataType.BIGINT);
  static final Field<String> DOC_REV =
      field(name("polysync_documents", "winning_rev"), SQLDataType.VARCHAR);
  static final Field<Boolean> DOC_DELETED =
      field(name("polysync_documents", "deleted"), SQLDataType.BOOLEAN);
  static final Field<byte[]> DOC_STATE =
      field(name("polysync_documents", "state"), SQLDataType.VARBINARY);
  static final Field<String> DOC_BODY =
      field(name("polysync_documents", "query_body"), SQLDataType.CLOB);

  static final Table<Record> LOCALS = table(name("polysync_locals"));
  static final Field<Long> LOCAL_NS = field(name("polysync_locals", "ns_id"), SQLDataType.BIGINT);
  static final Field<byte[]> LOCAL_ID = field(name("polysync_locals", "id"), SQLDataType.VARBINARY);
  static final Field<Long> LOCAL_VERSION =
      field(name("polysync_locals", "version"), SQLDataType.BIGINT);
  static final Field<byte[]> LOCAL_BODY =
      field(name("polysync_locals", "body"), SQLDataType.VARBINARY);

  static final Table<Record> BLOBS = table(name("polysync_blobs"));
  static final Field<Long> BLOB_NS = field(name("polysync_blobs", "ns_id"), SQLDataType.BIGINT);
  static final Field<byte[]> BLOB_KEY =
      field(name("polysync_blobs", "blob_key"), SQLDataType.VARBINARY);
  static final Field<byte[]> BLOB_DATA =
      field(name("polysync_blobs", "data"), SQLDataType.VARBINARY);
}
