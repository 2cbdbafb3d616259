package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.spi.Query;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the objects of one Kinto list live: the catalog (buckets, collections, groups) or a collection's records. */
interface Store {
  String resourceName();

  /** The objects of these ids, live or deleted, with their permissions. */
  Map<String, Item> items(List<String> ids);

  default Optional<Item> item(String id) {
    return Optional.ofNullable(items(List.of(id)).get(id));
  }

  /**
   * Writes in order; each write names the revision it replaces, so one that lost a race is
   * refused without effect.
   *
   * @return per write, the stored object, or empty when another writer came first
   */
  List<Optional<Item>> write(List<Write> writes);

  /** One page of the list, in the query's order, from {@code after}. */
  List<Item> page(ListQuery query, Optional<Query.Filter> visible, Optional<Query.Cursor> after, int size);

  /** The list's timestamp (Kinto's {@code ETag} of a plural endpoint). */
  long listTimestamp();

  /**
   * One write.
   *
   * @param fields the new fields, or null to delete
   * @param perms the object's permissions after the write
   * @param rev the revision it replaces, empty to create
   * @param attachments CouchDB attachment stubs to keep, or null
   * @param storedPerms the permissions stored before the write, so unchanged ones are not written again
   */
  record Write(String id, ObjectNode fields, Perms perms, Optional<String> rev, ObjectNode attachments,
      Perms storedPerms) {
    boolean delete() {
      return fields == null;
    }
  }
}
