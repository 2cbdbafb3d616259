package io.polysync.protocol.couch;

import java.util.List;
import java.util.Set;

/**
 * The route template of a request for the server's metrics: what {@link CouchRouter} dispatches
 * on, with database names, document ids and attachment names replaced by placeholders, so every
 * database shares one time series per endpoint.
 */
final class CouchRoutes {
  /** Server endpoints named as themselves; any other {@code /_x} is one template. */
  private static final Set<String> SERVER = Set.of("_up", "_session", "_all_dbs", "_uuids", "_users");
  /** Database endpoints named as themselves; any other {@code /{db}/_x} is one template. */
  private static final Set<String> DATABASE = Set.of(
      "_changes", "_all_docs", "_bulk_docs", "_bulk_get", "_revs_diff", "_ensure_full_commit",
      "_revs_limit", "_security", "_compact", "_view_cleanup", "_find", "_explain", "_index",
      "_purge", "_purged_infos_limit", "_design_docs", "_local_docs", "_missing_revs");

  private CouchRoutes() {}

  /** The template of the decoded path {@code segments}, such as {@code /{db}/_changes}. */
  static String template(List<String> segments) {
    if (segments.isEmpty()) {
      return "/";
    }
    String first = segments.get(0);
    if (first.equals(UsersApi.DATABASE)) {
      return segments.size() == 1 ? "/_users" : segments.size() == 2 && segments.get(1).equals("_all_docs")
          ? "/_users/_all_docs" : "/_users/{docid}";
    }
    if (first.startsWith("_")) {
      String name = SERVER.contains(first) ? first : "{_other}";
      return segments.size() == 1 ? "/" + name : "/" + name + "/{rest}";
    }
    if (segments.size() == 1) {
      return "/{db}";
    }
    String second = segments.get(1);
    int rest = segments.size() - 2;
    if (second.equals("_local") || second.startsWith("_local/")) {
      return "/{db}/_local/{docid}";
    }
    if (second.equals("_design") || second.startsWith("_design/")) {
      int afterId = second.equals("_design") ? rest - 1 : rest;
      return afterId > 0 ? "/{db}/_design/{ddoc}/{attachment}" : "/{db}/_design/{ddoc}";
    }
    if (second.startsWith("_")) {
      return "/{db}/" + (DATABASE.contains(second) ? second : "{_other}") + (rest > 0 ? "/{rest}" : "");
    }
    return rest > 0 ? "/{db}/{docid}/{attachment}" : "/{db}/{docid}";
  }
}
