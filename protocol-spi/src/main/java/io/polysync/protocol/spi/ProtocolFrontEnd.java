package io.polysync.protocol.spi;

import io.helidon.webserver.http.HttpRouting;
import java.util.Optional;

/**
 * A wire-protocol front-end, found with {@link java.util.ServiceLoader}: implementations have a
 * public no-argument constructor and are listed in {@code
 * META-INF/services/io.polysync.protocol.spi.ProtocolFrontEnd}.
 *
 * <p>The server calls {@link #mount} once per front-end, in ascending {@link #order()}, on the
 * thread that starts the server, before the first request. Helidon matches routes in the order
 * they were added, so a front-end that owns a prefix ({@code /v1} for Kinto) must come before one
 * that owns the root ({@code /} for CouchDB). The routes it adds run on virtual threads, any number
 * at once, so the handlers must be thread-safe.
 */
public interface ProtocolFrontEnd {
  /** The SPI version this build of Polysync implements; {@link #spiVersion()} must equal it. */
  int SPI_VERSION = 1;

  /** A short name for logs and configuration, such as {@code couch} or {@code kinto}. */
  String name();

  /** The SPI version the front-end was written against. */
  default int spiVersion() {
    return SPI_VERSION;
  }

  /** Mount order: lower first. A front-end that serves the root path should be last. */
  default int order() {
    return 0;
  }

  /** The path prefix this front-end owns ({@code /} for the root), for the startup log. */
  String pathPrefix();

  /**
   * Adds this front-end's routes. Errors must be rendered in the protocol's own wire format by the
   * front-end's handlers: the routing is shared, so a routing-wide error handler would answer for
   * the other front-ends too.
   *
   * @throws RuntimeException to stop the server from starting
   */
  void mount(HttpRouting.Builder routing, FrontEndContext context);

  /**
   * The JSON body of an error that the server answers itself, before any route runs: a request
   * line, header, percent-encoding or content encoding it cannot read, a body over its size limit.
   * The server asks the front-ends in {@link #order()} and sends the first answer; empty leaves it
   * to the next. Called on any thread, possibly many at once.
   *
   * @param path the raw request path as far as it could be read, possibly empty
   * @param status the status the server answers with (400, 413, ...)
   */
  default Optional<byte[]> transportError(String path, int status) {
    return Optional.empty();
  }
}
