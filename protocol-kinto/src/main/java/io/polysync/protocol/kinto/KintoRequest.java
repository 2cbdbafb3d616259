package io.polysync.protocol.kinto;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request to the API, from HTTP or from a {@code /batch} sub-request.
 *
 * @param segments the path after {@code /v1}, split on {@code /} and decoded
 * @param path the path after {@code /v1} as sent (for {@code Next-Page} and batch responses)
 * @param params query parameters in order
 * @param headers request headers by lower-case name
 * @param body the body, empty when none
 * @param base the absolute URL of {@code /v1} as the client reached it
 * @param parsed the body already parsed (a {@code /batch} sub-request's), or null
 */
record KintoRequest(
    String method, List<String> segments, String path, List<Map.Entry<String, String>> params,
    Map<String, String> headers, byte[] body, Caller caller, String base,
    com.fasterxml.jackson.databind.JsonNode parsed) {

  KintoRequest(String method, List<String> segments, String path, List<Map.Entry<String, String>> params,
      Map<String, String> headers, byte[] body, Caller caller, String base) {
    this(method, segments, path, params, headers, body, caller, base, null);
  }

  /** The body as JSON (400 errno 106 when it is not); an empty object when there is none. */
  com.fasterxml.jackson.databind.JsonNode json() {
    if (parsed != null) {
      return parsed;
    }
    return body.length > 0 ? Json.parse(body) : Json.object();
  }

  KintoRequest {
    method = method.toUpperCase(Locale.ROOT);
    segments = List.copyOf(segments);
    params = List.copyOf(params);
    headers = Map.copyOf(headers);
  }

  Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }

  Optional<String> param(String name) {
    for (Map.Entry<String, String> e : params) {
      if (e.getKey().equals(name)) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  boolean hasBody() {
    return body.length > 0 || parsed != null;
  }

  /** The media type of the body, without parameters, lower case; {@code application/json} when absent. */
  String contentType() {
    String type = header("content-type").orElse("application/json");
    int semi = type.indexOf(';');
    return (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }
}
