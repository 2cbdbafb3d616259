package io.polysync.protocol.kinto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The route template of a request for the server's metrics, relative to {@code /v1}: bucket,
 * collection, group, record and account ids become placeholders ({@code
 * /buckets/{bid}/collections/{cid}/records}), so every collection shares one time series per
 * endpoint.
 */
final class KintoRoutes {
  /** The placeholder of the id that follows each resource name. */
  private static final Map<String, String> IDS = Map.of(
      "buckets", "{bid}", "collections", "{cid}", "records", "{rid}", "groups", "{gid}", "accounts", "{uid}");
  /** Names that end a path ({@code history}, {@code events}) or stand alone at the root. */
  private static final Set<String> NAMES = Set.of(
      "history", "events", "batch", "__heartbeat__", "__lbheartbeat__", "__version__", "permissions",
      "contribute.json", "__api__");
  /** Longer paths are no Kinto endpoint; they share one template. */
  private static final int MAX_SEGMENTS = 6;

  private KintoRoutes() {}

  /** The template of {@code rawPath}, the path after {@code /v1}, such as {@code /buckets/{bid}}. */
  static String template(String rawPath) {
    List<String> parts = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        parts.add(part);
      }
    }
    if (parts.size() > MAX_SEGMENTS) {
      return "/{unknown}";
    }
    StringBuilder out = new StringBuilder();
    String placeholder = null;
    for (String part : parts) {
      out.append('/');
      if (placeholder != null) {
        out.append(placeholder);
        placeholder = null;
      } else if (IDS.containsKey(part)) {
        out.append(part);
        placeholder = IDS.get(part);
      } else {
        out.append(NAMES.contains(part) ? part : "{unknown}");
      }
    }
    return out.isEmpty() ? "/" : out.toString();
  }
}
