package io.polysync.protocol.couch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.polysync.protocol.spi.FrontEndMetrics;
import io.polysync.protocol.spi.JsonLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One request and its response, with CouchDB's parameter and body conventions. */
final class Exchange {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String JSON_TYPE = "application/json";
  private static final HeaderName SERVER_TIMING = HeaderNames.create("Server-Timing");
  /** Below this, compression costs more than it saves. */
  private static final int GZIP_THRESHOLD = 1024;

  final ServerRequest req;
  final ServerResponse res;
  final String method;
  final List<String> segments;
  private final Map<String, String> params;
  private final long maxRequestBytes;
  /** Reads request JSON under the server's limits (nesting depth, string and number length). */
  private final ObjectMapper reader;
  /** When the handler started, for the request log and {@code Server-Timing}. */
  final long startNanos;
  private final boolean serverTiming;
  /** The wall-clock start in microseconds, for Server-Timing only. */
  private final long startEpochMicros;
  private long authNanos = -1;
  /** Where the handlers count the documents they move and the feeds they hold open. */
  final FrontEndMetrics metrics;

  Exchange(ServerRequest req, ServerResponse res, long maxRequestBytes, boolean serverTiming) {
    this(req, res, maxRequestBytes, serverTiming, JSON, FrontEndMetrics.NONE);
  }

  Exchange(ServerRequest req, ServerResponse res, long maxRequestBytes, boolean serverTiming, ObjectMapper reader,
      FrontEndMetrics metrics) {
    this.reader = reader;
    this.metrics = metrics;
    this.startNanos = System.nanoTime();
    this.serverTiming = serverTiming;
    java.time.Instant now = serverTiming ? java.time.Instant.now() : java.time.Instant.EPOCH;
    this.startEpochMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    this.req = req;
    this.res = res;
    this.method = req.prologue().method().text().toUpperCase(Locale.ROOT);
    this.segments = segments(req.path().rawPath());
    this.params = parseQuery(req.query().rawValue());
    this.maxRequestBytes = maxRequestBytes;
  }

  // --- path ---

  /**
   * The raw path split on {@code /} with each segment percent-decoded. A trailing slash is
   * dropped ({@code /db/} is {@code /db}, as PouchDB sends it).
   */
  static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String part : rawPath.split("/", -1)) {
      out.add(percentDecode(part));
    }
    if (!out.isEmpty() && out.get(0).isEmpty()) {
      out.remove(0);
    }
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return List.copyOf(out);
  }

  /** Percent-decoding of a path segment: unlike form decoding, {@code +} stays a plus. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw CouchException.badRequest("Invalid URL encoding in path");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '%') {
        throw CouchException.badRequest("Invalid URL encoding in path");
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        out.writeBytes(bytes);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  // --- query ---

  private static Map<String, String> parseQuery(String raw) {
    Map<String, String> out = new HashMap<>();
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
        out.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw CouchException.badRequest("Invalid URL encoding in query");
      }
    }
    return out;
  }

  Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name));
  }

  boolean flag(String name) {
    String value = params.get(name);
    if (value == null) {
      return false;
    }
    return switch (value) {
      case "true", "" -> true;
      case "false" -> false;
      default -> throw CouchException.badRequest("Invalid boolean parameter: \"" + name + "\"");
    };
  }

  int intParam(String name, int fallback) {
    String value = params.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 0) {
        throw CouchException.badRequest("Invalid value for " + name + ": must be non-negative");
      }
      return n;
    } catch (NumberFormatException e) {
      if (value.matches("\\d+")) {
        return Integer.MAX_VALUE;
      }
      throw CouchException.badRequest("Invalid value for integer: \"" + value + "\"");
    }
  }

  /** A parameter whose value is JSON ({@code startkey="a"}, {@code open_revs=[..]}). */
  Optional<JsonNode> jsonParam(String name) {
    String value = params.get(name);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(reader.readTree(value));
    } catch (StreamConstraintsException e) {
      throw CouchException.badRequest("Query parameter " + name + ": " + JsonLimits.describe(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw CouchException.badRequest("Invalid JSON in query parameter " + name);
    }
  }

  // --- headers ---

  Optional<String> header(HeaderName name) {
    return req.headers().first(name);
  }

  String contentType() {
    return header(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
  }

  boolean accepts(String mediaType) {
    for (String value : req.headers().values(HeaderNames.ACCEPT)) {
      if (value.toLowerCase(Locale.ROOT).contains(mediaType)) {
        return true;
      }
    }
    return false;
  }

  // --- body ---

  byte[] body() {
    long declared = req.headers().contentLength().orElse(-1);
    if (declared > maxRequestBytes) {
      throw new CouchException(413, "too_large", "The request entity is too large");
    }
    if (!req.content().hasEntity()) {
      return new byte[0];
    }
    try (InputStream in = req.content().inputStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBytes + 1));
      if (bytes.length > maxRequestBytes) {
        throw new CouchException(413, "too_large", "The request entity is too large");
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body as JSON; CouchDB refuses non-JSON content types with 415. */
  JsonNode jsonBody() {
    requireJsonContentType();
    return parseJson(body());
  }

  /** A copy of the mapper that reads under {@code limits}; {@link #JSON} itself is unchanged. */
  static ObjectMapper reader(JsonLimits limits, long maxRequestBytes) {
    ObjectMapper copy = JSON.copy();
    copy.getFactory().setStreamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
        .maxNestingDepth(limits.maxDepth())
        .maxStringLength(limits.effectiveMaxStringLength(maxRequestBytes))
        .maxNumberLength(limits.maxNumberLength())
        .maxNameLength(limits.maxNameLength())
        .build());
    return copy;
  }

  /** A request body (or part of one) as JSON, under the server's limits. */
  JsonNode parseJson(byte[] bytes) {
    return parseJson(bytes, reader);
  }

  void requireJsonContentType() {
    String type = contentType();
    if (!type.isEmpty() && !type.startsWith(JSON_TYPE)) {
      throw new CouchException(415, "bad_content_type", "Content-Type must be application/json");
    }
  }

  static JsonNode parseJson(byte[] bytes, ObjectMapper reader) {
    if (bytes.length == 0) {
      throw CouchException.badRequest("Request body must be a JSON object");
    }
    try {
      JsonNode node = reader.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw CouchException.badRequest("Request body must be a JSON object");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw CouchException.badRequest(JsonLimits.describe(e.getOriginalMessage()));
    } catch (IOException e) {
      throw CouchException.badRequest("invalid UTF-8 JSON");
    }
  }

  ObjectNode jsonObjectBody() {
    JsonNode node = jsonBody();
    if (!node.isObject()) {
      throw CouchException.badRequest("Request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  // --- timing ---

  /** Notes that authentication and the permission check are done. */
  void authenticated() {
    authNanos = System.nanoTime() - startNanos;
  }

  /**
   * {@code Server-Timing: auth;dur=A, total;dur=T, start;desc=S} when enabled: the time this
   * handler took until the answer went out and how much of it went to authentication, in
   * milliseconds, and when it started, in microseconds since the epoch, so that a client on the
   * same machine can place the handler on its own timeline. Streamed feeds carry none, since
   * their headers leave before their work is done.
   */
  private void timingHeader() {
    if (!serverTiming) {
      return;
    }
    long total = System.nanoTime() - startNanos;
    StringBuilder value = new StringBuilder();
    if (authNanos >= 0) {
      value.append("auth;dur=").append(millis(authNanos)).append(", ");
    }
    value.append("total;dur=").append(millis(total)).append(", start;desc=").append(startEpochMicros);
    res.header(SERVER_TIMING, value.toString());
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  // --- response ---

  /** Sends a whole body as it is (the headers are the caller's). */
  void sendBytes(byte[] bytes) {
    timingHeader();
    res.send(bytes);
  }

  /** Sends no body (HEAD, 304, preflight); the status and headers are the caller's. */
  void sendEmpty() {
    timingHeader();
    res.send();
  }

  void send(int status, JsonNode body) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, JSON_TYPE);
    res.header(HeaderNames.CACHE_CONTROL, "must-revalidate");
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    if (bytes.length >= GZIP_THRESHOLD && acceptsGzip()) {
      bytes = gzip(bytes);
      res.header(HeaderNames.CONTENT_ENCODING, "gzip");
      res.header(HeaderNames.VARY, "Accept-Encoding");
    }
    if (method.equals("HEAD")) {
      res.contentLength(bytes.length);
      sendEmpty();
    } else {
      sendBytes(bytes);
    }
  }

  /**
   * Whole JSON answers are compressed here rather than by a server-wide encoder, which would also
   * wrap the streamed feeds and could hold back their heartbeats.
   */
  boolean acceptsGzip() {
    for (String value : req.headers().values(HeaderNames.ACCEPT_ENCODING)) {
      for (String coding : value.split(",")) {
        String c = coding.trim().toLowerCase(Locale.ROOT);
        if (c.equals("gzip") || c.startsWith("gzip;") && !c.replace(" ", "").endsWith("q=0")) {
          return true;
        }
      }
    }
    return false;
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  void sendOk(int status) {
    send(status, JSON.createObjectNode().put("ok", true));
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }
}
