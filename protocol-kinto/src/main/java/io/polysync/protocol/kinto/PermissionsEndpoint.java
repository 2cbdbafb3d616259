package io.polysync.protocol.kinto;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polysync.engine.Database;
import io.polysync.engine.Document;
import io.polysync.engine.SyncEngine;
import io.polysync.spi.Query;
import io.polysync.spi.QueryEvaluator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /v1/permissions} (Kinto's {@code experimental_permissions_endpoint}): every bucket,
 * collection, group and record on which one of the caller's principals is named explicitly, with
 * the permissions it holds there, as {@code {id, uri, resource_name, bucket_id, collection_id?,
 * group_id?, record_id?, permissions}}. As in Kinto, permissions inherited from a parent do not
 * list the child, and a permission implies the ones it includes on the same object ({@code write}
 * gives {@code read}; on a bucket also {@code collection:create} and {@code group:create}; on a
 * collection {@code record:create}). Deleted objects are not listed, although Polysync keeps a
 * deleted record's permissions (so its tombstone reaches its readers).
 *
 * <p>The catalog is in memory; the records come from the {@link GrantIndex}, each checked against
 * its permissions in {@value RecordStore#ACL_DATABASE}, so the cost grows with the number of records
 * shared with the caller, not with the records shared with others.
 */
final class PermissionsEndpoint {
  private static final int PAGE = 1000;

  private final SyncEngine engine;
  private final Catalog catalog;
  private final Database acl;
  private final GrantIndex grants;

  PermissionsEndpoint(SyncEngine engine, Catalog catalog, Database acl, GrantIndex grants) {
    this.engine = engine;
    this.catalog = catalog;
    this.acl = acl;
    this.grants = grants;
  }

  KintoResponse list(KintoRequest r) {
    KintoApi.requireMethod(r, "GET", "HEAD");
    Set<String> principals = r.caller().principals();
    List<ObjectNode> entries = new ArrayList<>();
    for (Item bucket : catalog.all(Catalog.Kind.BUCKET, null)) {
      if (bucket.deleted()) {
        continue;
      }
      add(entries, "bucket", "/buckets/" + bucket.id(), bucket.id(), Map.of("bucket_id", bucket.id()),
          held(bucket.perms(), principals, "collection:create", "group:create"));
      for (Item c : catalog.all(Catalog.Kind.COLLECTION, bucket.id())) {
        if (!c.deleted()) {
          add(entries, "collection", "/buckets/" + bucket.id() + "/collections/" + c.id(), c.id(),
              Map.of("bucket_id", bucket.id(), "collection_id", c.id()), held(c.perms(), principals, "record:create"));
        }
      }
      for (Item g : catalog.all(Catalog.Kind.GROUP, bucket.id())) {
        if (!g.deleted()) {
          add(entries, "group", "/buckets/" + bucket.id() + "/groups/" + g.id(), g.id(),
              Map.of("bucket_id", bucket.id(), "group_id", g.id()), held(g.perms(), principals));
        }
      }
    }
    records(principals, entries);
    return answer(r, entries);
  }

  /** The permissions {@code principals} hold on an object, with what {@code write} includes there. */
  private static Set<String> held(Perms perms, Set<String> principals, String... writeAlsoGives) {
    Set<String> out = new TreeSet<>();
    perms.byName().forEach((name, holders) -> {
      if (holders.stream().anyMatch(principals::contains)) {
        out.add(name);
      }
    });
    if (out.contains("write")) {
      out.add("read");
      out.addAll(List.of(writeAlsoGives));
    }
    return out;
  }

  private static void add(List<ObjectNode> entries, String resource, String uri, String id, Map<String, String> ids,
      Set<String> permissions) {
    if (permissions.isEmpty()) {
      return;
    }
    ObjectNode e = Json.object();
    e.put("id", id);
    e.put("uri", uri);
    e.put("resource_name", resource);
    ids.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(x -> e.put(x.getKey(), x.getValue()));
    ArrayNode list = e.putArray("permissions");
    permissions.forEach(list::add);
    entries.add(e);
  }

  /** Records whose own permissions name one of {@code principals}, when the record and its collection are live. */
  private void records(Set<String> principals, List<ObjectNode> entries) {
    // bucket -> collection -> record id -> permissions held
    Map<String, Map<String, Map<String, Set<String>>>> found = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(new TreeSet<>(grants.keys(principals)));
    for (int from = 0; from < keys.size(); from += PAGE) {
      for (Map.Entry<String, Document> e : acl.winners(keys.subList(from, Math.min(keys.size(), from + PAGE)))
          .entrySet()) {
        String[] key = e.getKey().split(":", 3);
        if (key.length != 3 || e.getValue().deleted()) {
          continue;
        }
        Set<String> held = held(Perms.fromStored(e.getValue().json().get("permissions")), principals);
        if (!held.isEmpty()) {
          found.computeIfAbsent(key[0], b -> new LinkedHashMap<>())
              .computeIfAbsent(key[1], c -> new LinkedHashMap<>()).put(key[2], held);
        }
      }
    }
    found.forEach((bucket, collections) -> collections.forEach((collection, records) -> {
      if (catalog.live(Catalog.Kind.BUCKET, bucket, null).isEmpty()
          || catalog.live(Catalog.Kind.COLLECTION, bucket, collection).isEmpty()) {
        return;
      }
      Map<String, Document> live = engine.database(RecordStore.databaseName(bucket, collection))
          .winners(new ArrayList<>(records.keySet()));
      records.forEach((id, held) -> {
        Document d = live.get(id);
        if (d != null && !d.deleted()) {
          add(entries, "record", "/buckets/" + bucket + "/collections/" + collection + "/records/" + id, id,
              Map.of("bucket_id", bucket, "collection_id", collection, "record_id", id), held);
        }
      });
    }));
  }

  /** Filters, sorts and pages the entries like any Kinto list (they have no {@code last_modified}). */
  private static KintoResponse answer(KintoRequest r, List<ObjectNode> entries) {
    ListQuery q = ListQuery.parse(r.params(), System.currentTimeMillis());
    List<QueryEvaluator.Candidate> candidates = new ArrayList<>(entries.size());
    Map<String, ObjectNode> byUri = new HashMap<>();
    for (ObjectNode e : entries) {
      String uri = e.get("uri").asText();
      byUri.put(uri, e);
      candidates.add(new QueryEvaluator.Candidate(uri, 0, 0, false, Values.object(e)));
    }
    List<QueryEvaluator.Candidate> matching = new ArrayList<>();
    for (QueryEvaluator.Candidate c : QueryEvaluator.evaluate(q.query(Integer.MAX_VALUE, q.after()), candidates)) {
      if (q.matchesResidual(byUri.get(c.id()))) {
        matching.add(c);
      }
    }
    List<QueryEvaluator.Candidate> page = matching.subList(0, Math.min(q.limit(), matching.size()));
    ArrayNode data = Json.MAPPER.createArrayNode();
    page.forEach(c -> data.add(byUri.get(c.id())));
    ObjectNode body = Json.object();
    body.set("data", data);
    KintoResponse res = new KintoResponse(200, r.method().equals("HEAD") ? null : body)
        .header("Total-Objects", Integer.toString(matching.size()));
    if (matching.size() > page.size()) {
      Query.Cursor cursor = QueryEvaluator.cursorAfter(q.sort(), page.get(page.size() - 1));
      res.header("Next-Page", KintoApi.nextPage(r, q.limit(), ListQuery.encodeToken(cursor)));
    }
    return res;
  }

}
