package io.polysync.protocol.couch;

import io.helidon.webserver.http.HttpRouting;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.ProtocolFrontEnd;
import java.util.Optional;

/** The CouchDB front-end's plugin entry point. */
public final class CouchFrontEnd implements ProtocolFrontEnd {
  @Override
  public String name() {
    return "couch";
  }

  /** Last: it owns every path no other front-end claimed. */
  @Override
  public int order() {
    return Integer.MAX_VALUE;
  }

  @Override
  public String pathPrefix() {
    return "/";
  }

  @Override
  public void mount(HttpRouting.Builder routing, FrontEndContext context) {
    CouchRouter router = new CouchRouter(context);
    routing.any(router::handle);
  }

  /** CouchDB's {@code {error, reason}} for every path: this front-end owns whatever is left. */
  @Override
  public Optional<byte[]> transportError(String path, int status) {
    String error = switch (status) {
      case 413 -> "too_large";
      case 414 -> "too_long";
      case 431 -> "bad_request";
      default -> status >= 500 ? "internal_server_error" : "bad_request";
    };
    String reason = switch (status) {
      case 413 -> "The request entity is too large";
      case 414 -> "The request line is too long";
      case 431 -> "The request headers are too large";
      default -> status >= 500 ? "Internal error."
          : "The request could not be read: its line, a header, its encoding or its body is malformed";
    };
    return Optional.of(Exchange.object().put("error", error).put("reason", reason).toString()
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
