package io.polysync.protocol.kinto;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.polysync.protocol.spi.AuthResult;
import io.polysync.protocol.spi.FrontEndMetrics;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.JsonLimits;
import io.polysync.protocol.spi.RateLimiter;
import io.polysync.protocol.spi.RequestHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP side: turns a Helidon request under {@code /v1} into a {@link KintoRequest} (raw-path
 * routing, Basic authentication, body limit), runs it, and writes the answer with Kinto's headers
 * (security headers, CORS exposing {@code ETag} and {@code Next-Page}, {@code Backoff}).
 */
final class KintoHttp {
  private static final Logger LOG = Logger.getLogger(KintoHttp.class.getName());
  private static final String EXPOSED = "Alert, Backoff, Content-Length, Content-Type, ETag, Last-Modified, Next-Page,"
      + " Retry-After, Total-Objects, Total-Records, X-Request-Id";
  private static final String METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
  private static final Set<String> HEALTH_PATHS = Set.of("/v1/__heartbeat__", "/v1/__lbheartbeat__", "/v1/__version__");

  private final KintoApi api;
  private final List<HttpAuthenticator> chain;
  private final Set<String> corsOrigins;
  private final long maxRequestBytes;
  private final Events events;
  private final FrontEndMetrics metrics;
  private final RateLimiter rateLimiter;
  /** Checks request JSON against the server's {@code limits.json.*} settings before it is parsed. */
  private final ObjectMapper limits;

  KintoHttp(KintoApi api, List<HttpAuthenticator> chain, String corsOrigins, long maxRequestBytes,
      FrontEndMetrics metrics) {
    this(api, chain, corsOrigins, maxRequestBytes, metrics, RateLimiter.unlimited(), Json.MAPPER);
  }

  KintoHttp(KintoApi api, List<HttpAuthenticator> chain, String corsOrigins, long maxRequestBytes,
      FrontEndMetrics metrics, RateLimiter rateLimiter, ObjectMapper limits) {
    this.metrics = metrics;
    this.rateLimiter = rateLimiter;
    this.limits = limits;
    this.api = api;
    this.chain = List.copyOf(chain);
    Set<String> origins = new LinkedHashSet<>();
    for (String o : corsOrigins.split(",")) {
      if (!o.isBlank()) {
        origins.add(o.trim());
      }
    }
    this.corsOrigins = Set.copyOf(origins);
    this.maxRequestBytes = maxRequestBytes;
    this.events = new Events(api, metrics);
  }

  void handle(ServerRequest req, ServerResponse res) {
    String method = req.prologue().method().text().toUpperCase(Locale.ROOT);
    String rawPath = req.path().rawPath();
    metrics.route(req, KintoRoutes.template(rawPath.substring(Math.min(3, rawPath.length()))));
    cors(req, res);
    if (method.equals("OPTIONS")) {
      preflight(req, res);
      return;
    }
    String query = req.query().rawValue();
    if (rawPath.equals("/v1")) {
      redirect(res, "/v1/" + (query.isEmpty() ? "" : "?" + query));
      return;
    }
    if (rawPath.length() > 4 && rawPath.endsWith("/")) {
      redirect(res, rawPath.substring(0, rawPath.length() - 1) + (query.isEmpty() ? "" : "?" + query));
      return;
    }
    KintoResponse answer;
    try {
      Map<String, String> headers = new LinkedHashMap<>();
      req.headers().forEach(h -> headers.put(h.name().toLowerCase(Locale.ROOT), h.get()));
      // Health checks answer from what they check themselves, whoever asks: __lbheartbeat__
      // stays 200 while the storage is away (the process is alive, so a load balancer keeps it),
      // and __heartbeat__ reports the storage in its own body.
      boolean health = HEALTH_PATHS.contains(rawPath);
      if (!health) {
        // Counted before credentials are checked, so password guessing uses up the allowance too.
        limit(rateLimiter.acquireAddress(RateLimiter.clientAddress(req)));
        api.catalog.refresh();
      }
      Caller caller = health ? Caller.anonymous() : authenticate(headers);
      if (caller.authenticated()) {
        limit(rateLimiter.acquireUser(caller.account().orElseThrow()));
      }
      List<String> segments = segments(rawPath.substring(3));
      String base = api.settings.baseUrl().orElseGet(() -> base(req, headers));
      if (Events.matches(method, segments)) {
        events.stream(new KintoRequest(method, segments, rawPath.substring(3), parseQuery(query), headers,
            new byte[0], caller, base), req, res);
        return;
      }
      byte[] body = read(req, method);
      KintoRequest r = new KintoRequest(method, segments, rawPath.substring(3), parseQuery(query), headers, body,
          caller, base, parseWithLimits(body));
      answer = segments.size() == 1 && segments.get(0).equals("batch")
          ? Batch.handle(api, r, this::authenticate)
          : api.handle(r);
    } catch (KintoException e) {
      answer = KintoResponse.error(e);
    } catch (io.polysync.spi.SyncException e) {
      answer = KintoResponse.error(KintoApi.translate(e));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Kinto request failed: " + method + " " + rawPath, e);
      answer = KintoResponse.error(new KintoException(500, KintoException.UNDEFINED,
          "A programmatic error occured, developers have been informed."));
    }
    write(res, method, answer);
  }

  /**
   * The caller of a request's headers (names in lower case), by the first authenticator that finds
   * its credentials: anonymous without any, 401 when they are wrong or when an {@code
   * Authorization} header is of a kind no authenticator handles. The 401 says nothing of why.
   */
  Caller authenticate(Map<String, String> headers) {
    RequestHeaders lookup = name -> {
      String value = headers.get(name.toLowerCase(Locale.ROOT));
      return value == null ? List.of() : List.of(value);
    };
    AuthResult result = HttpAuthenticator.first(chain, lookup);
    return switch (result) {
      case AuthResult.Authenticated a -> api.caller(a.principal().name(), a.principal().isAdmin());
      case AuthResult.Rejected r -> {
        LOG.log(Level.FINE, () -> "credentials rejected by " + r.handler() + ": " + r.detail());
        throw KintoException.invalidCredentials();
      }
      case AuthResult.Absent x -> {
        String authorization = headers.get("authorization");
        if (authorization != null && !authorization.isBlank()) {
          throw KintoException.invalidCredentials();
        }
        yield Caller.anonymous();
      }
    };
  }

  private byte[] read(ServerRequest req, String method) {
    if (method.equals("GET") || method.equals("HEAD")) {
      return new byte[0];
    }
    long declared = req.headers().contentLength().orElse(-1);
    if (declared > maxRequestBytes) {
      throw new KintoException(413, KintoException.TOO_LARGE, "Request body too large");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = req.content().inputStream()) {
      byte[] buf = new byte[16384];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > maxRequestBytes) {
          throw new KintoException(413, KintoException.TOO_LARGE, "Request body too large");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Kinto's 429 (errno 117) with {@code Retry-After} and {@code Backoff}, which Kinto clients honour
   * before their next request.
   */
  private static void limit(Optional<Duration> wait) {
    if (wait.isPresent()) {
      String seconds = Long.toString(RateLimiter.retryAfterSeconds(wait.get()));
      throw new KintoException(429, KintoException.CLIENT_REACHED_CAPACITY, "Client has sent too many requests",
          null, Map.of("Retry-After", seconds, "Backoff", seconds));
    }
  }

  /**
   * The body parsed once, under the configured JSON limits (400 errno 106 when it breaks one);
   * null when there is none, or when it is not JSON: that is reported, with the parser's position,
   * by whatever reads the body, and only if something does.
   */
  private JsonNode parseWithLimits(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      JsonNode node = limits.readTree(body);
      return node == null || node.isMissingNode() ? null : node;
    } catch (StreamConstraintsException e) {
      throw KintoException.badJson(JsonLimits.describe(e.getOriginalMessage()));
    } catch (IOException e) {
      return null;
    }
  }

  private static String base(ServerRequest req, Map<String, String> headers) {
    String host = headers.getOrDefault("host", req.localPeer().host() + ":" + req.localPeer().port());
    return (req.isSecure() ? "https" : "http") + "://" + host + "/v1";
  }

  private void write(ServerResponse res, String method, KintoResponse answer) {
    res.status(answer.status);
    securityHeaders(res);
    res.header(HeaderNames.CACHE_CONTROL, "no-cache, no-store");
    if (api.settings.backoffSeconds() > 0) {
      res.header("Backoff", Integer.toString(api.settings.backoffSeconds()));
    }
    answer.headers.forEach(res::header);
    if (answer.body == null || method.equals("HEAD") || answer.status == 304) {
      if (answer.body != null && method.equals("HEAD")) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
      }
      res.send();
      return;
    }
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.send(Json.bytes(answer.body));
  }

  static void securityHeaders(ServerResponse res) {
    res.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none';");
    res.header("X-Content-Type-Options", "nosniff");
  }

  private static void redirect(ServerResponse res, String location) {
    res.status(307);
    res.header(HeaderNames.LOCATION, location);
    securityHeaders(res);
    res.send();
  }

  private void cors(ServerRequest req, ServerResponse res) {
    req.headers().first(HeaderNames.ORIGIN)
        .filter(o -> corsOrigins.contains("*") || corsOrigins.contains(o))
        .ifPresent(origin -> {
          res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
          res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
          res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
          res.header(HeaderNames.VARY, "Origin");
        });
  }

  private static void preflight(ServerRequest req, ServerResponse res) {
    Set<String> headers = new LinkedHashSet<>(List.of("accept", "authorization", "content-type", "if-match",
        "if-none-match", "response-behavior"));
    req.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS).ifPresent(requested -> {
      for (String h : requested.split(",")) {
        if (!h.isBlank()) {
          headers.add(h.trim().toLowerCase(Locale.ROOT));
        }
      }
    });
    res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, METHODS);
    res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", headers));
    res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    res.status(200);
    res.send();
  }

  /** The path after {@code /v1} split on {@code /}, each segment percent-decoded. */
  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        try {
          out.add(URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw KintoException.invalid("path", "path", "Invalid URL encoding");
        }
      }
    }
    return out;
  }

  static List<Map.Entry<String, String>> parseQuery(String raw) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.add(new AbstractMap.SimpleImmutableEntry<>(URLDecoder.decode(key, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8)));
      } catch (IllegalArgumentException e) {
        throw KintoException.invalid("querystring", key, "Invalid URL encoding");
      }
    }
    return out;
  }
}
