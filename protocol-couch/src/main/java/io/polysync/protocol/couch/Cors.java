package io.polysync.protocol.couch;

import io.helidon.http.HeaderNames;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * CORS for browser clients. PouchDB in a browser sends credentials, so an allowed origin is
 * echoed rather than answered with {@code *}, which browsers refuse together with credentials.
 * Setting {@code couch.cors.origins}: {@code *} (any origin, the default) or a comma-separated list.
 */
final class Cors {
  private static final String METHODS = "GET, PUT, POST, HEAD, DELETE";
  private static final Set<String> HEADERS = Set.of("accept", "authorization", "content-type", "origin", "referer");
  private static final String EXPOSED = "content-type, cache-control, accept-ranges, etag, server, x-couch-request-id,"
      + " x-couch-update-newrev, x-couchdb-body-time, x-request-id";

  private final Set<String> origins;

  Cors(String setting) {
    Set<String> set = new LinkedHashSet<>();
    for (String o : setting.split(",")) {
      if (!o.isBlank()) {
        set.add(o.trim());
      }
    }
    this.origins = Set.copyOf(set);
  }

  private boolean allowed(String origin) {
    return origins.contains("*") || origins.contains(origin);
  }

  void apply(Exchange ex) {
    ex.header(HeaderNames.ORIGIN).filter(this::allowed).ifPresent(origin -> {
      ex.res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      ex.res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      ex.res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
      ex.res.header(HeaderNames.VARY, "Origin");
    });
  }

  void preflight(Exchange ex) {
    Set<String> headers = new LinkedHashSet<>(HEADERS);
    ex.header(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS).ifPresent(requested -> {
      for (String h : requested.split(",")) {
        if (!h.isBlank()) {
          headers.add(h.trim().toLowerCase(Locale.ROOT));
        }
      }
    });
    ex.res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, METHODS);
    ex.res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", headers));
    ex.res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    ex.res.status(204);
    ex.sendEmpty();
  }
}
