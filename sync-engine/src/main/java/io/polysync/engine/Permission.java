package io.polysync.engine;

/** What a caller may do with a database; each level includes the ones before it. */
public enum Permission {
  /** Read documents, attachments, local documents, the changes feed and the database's info. */
  READ,
  /** Write documents other than design documents, attachments and local documents. */
  WRITE,
  /** Write design documents and the security object; everything {@link #WRITE} allows. */
  ADMIN
}
