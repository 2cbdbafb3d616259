package io.polysync.protocol.kinto;

import io.helidon.webserver.http.HttpRouting;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.PerUserDatabases;
import io.polysync.protocol.spi.ProtocolFrontEnd;
import java.util.List;
import java.util.Optional;

/** The Kinto front-end's plugin entry point: Kinto's HTTP API 1.x at {@code /v1}. */
public final class KintoFrontEnd implements ProtocolFrontEnd {
  @Override
  public String name() {
    return "kinto";
  }

  /** Before the CouchDB front-end, which owns every other path. */
  @Override
  public int order() {
    return 100;
  }

  @Override
  public String pathPrefix() {
    return "/v1";
  }

  @Override
  public void mount(HttpRouting.Builder routing, FrontEndContext context) {
    KintoSettings settings = KintoSettings.from(context, Optional.of(new Schemas()));
    // Bearer tokens are accepted when a "jwt" authenticator is on; the root then says which issuer.
    Optional<KintoApi.OpenId> openId = context.authenticators().stream().anyMatch(a -> a.name().equals("jwt"))
        ? context.setting("auth.jwt.issuer").map(issuer ->
            new KintoApi.OpenId(issuer, context.setting("auth.jwt.audience").orElse("")))
        : Optional.empty();
    KintoApi api = new KintoApi(context.engine(), context.serverId(), settings, PerUserDatabases.of(context), openId,
        context.metrics());
    String cors = context.setting("kinto.cors.origins").or(() -> context.setting("couch.cors.origins")).orElse("*");
    long maxBytes = context.maxRequestBytes("kinto.max_request_bytes",
        context.longSetting("couch.max_document_size", 8_000_000L) * 2);
    // Kinto has no sessions and no defence against cross-site requests riding on a cookie.
    List<HttpAuthenticator> chain = context.authenticators().stream().filter(a -> !a.ambient()).toList();
    KintoHttp http = new KintoHttp(api, chain, cors, maxBytes, context.metrics(), context.rateLimiter(),
        Json.reader(context.jsonLimits(), maxBytes));
    routing.any("/v1", http::handle);
    routing.any("/v1/*", http::handle);
  }

  /** Kinto's error format for the paths under {@code /v1}. */
  @Override
  public Optional<byte[]> transportError(String path, int status) {
    if (!(path.equals("/v1") || path.startsWith("/v1/") || path.startsWith("/v1?"))) {
      return Optional.empty();
    }
    KintoException e = switch (status) {
      case 413 -> new KintoException(413, KintoException.TOO_LARGE, "Request body too large");
      default -> status >= 500
          ? new KintoException(status, KintoException.UNDEFINED,
              "A programmatic error occured, developers have been informed.")
          : new KintoException(status, KintoException.INVALID_PARAMETERS,
              "The request could not be read: its line, a header, its encoding or its body is malformed");
    };
    return Optional.of(Json.bytes(KintoResponse.error(e).body));
  }

  /** This build's version, from the jar manifest when there is one. */
  static String version() {
    String v = KintoFrontEnd.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }
}
