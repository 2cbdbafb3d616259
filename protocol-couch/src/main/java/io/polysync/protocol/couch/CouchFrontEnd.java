package io.polysync.protocol.couch;

import io.helidon.webserver.http.HttpRouting;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.ProtocolFrontEnd;

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
}
