package io.polysync.protocol.couch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * MIME multipart bodies as CouchDB uses them: {@code multipart/related} document writes (the
 * document JSON, then each attachment marked {@code follows}) and {@code multipart/mixed}
 * {@code open_revs} answers. Bodies are held in memory: they are bounded by the request size limit.
 */
final class Multipart {
  /** One part: lower-cased header names, raw bytes. */
  record Part(Map<String, String> headers, byte[] body) {
    Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name));
    }

    /** The {@code filename} of the Content-Disposition header. */
    Optional<String> filename() {
      return header("content-disposition").flatMap(d -> parameter(d, "filename"));
    }
  }

  private Multipart() {}

  /** The value of {@code name=...} in a header such as a content type, unquoted. */
  static Optional<String> parameter(String header, String name) {
    for (String piece : header.split(";")) {
      String p = piece.trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(name)) {
        String value = p.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1).replace("\\\"", "\"");
        }
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int pos = indexOf(body, delimiter, 0);
    if (pos < 0) {
      throw CouchException.badRequest("Malformed multipart body: no boundary");
    }
    List<Part> parts = new ArrayList<>();
    byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    while (true) {
      int after = pos + delimiter.length;
      if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
        return parts;
      }
      int lineEnd = indexOf(body, new byte[] {'\r', '\n'}, after);
      if (lineEnd < 0) {
        throw CouchException.badRequest("Malformed multipart body");
      }
      int start = lineEnd + 2;
      int end = indexOf(body, next, start);
      if (end < 0) {
        throw CouchException.badRequest("Malformed multipart body: unterminated part");
      }
      parts.add(part(body, start, end));
      pos = end + 2;
    }
  }

  private static Part part(byte[] body, int start, int end) {
    Map<String, String> headers = new LinkedHashMap<>();
    int bodyStart;
    if (end - start >= 2 && body[start] == '\r' && body[start + 1] == '\n') {
      bodyStart = start + 2;
    } else {
      int headerEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, start);
      if (headerEnd < 0 || headerEnd > end) {
        throw CouchException.badRequest("Malformed multipart body: no header end");
      }
      String block = new String(body, start, headerEnd - start, StandardCharsets.UTF_8);
      for (String line : block.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
      }
      bodyStart = headerEnd + 4;
    }
    byte[] bytes = new byte[Math.max(0, end - bodyStart)];
    System.arraycopy(body, bodyStart, bytes, 0, bytes.length);
    return new Part(headers, bytes);
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Builds a multipart body part by part. */
  static final class Writer {
    private final String boundary;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Writer(String boundary) {
      this.boundary = boundary;
    }

    Writer part(Map<String, String> headers, byte[] body) {
      ascii("--" + boundary + "\r\n");
      for (Map.Entry<String, String> h : headers.entrySet()) {
        out.writeBytes((h.getKey() + ": " + h.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      ascii("\r\n");
      out.writeBytes(body);
      ascii("\r\n");
      return this;
    }

    byte[] finish() {
      ascii("--" + boundary + "--");
      return out.toByteArray();
    }

    private void ascii(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }
  }
}
