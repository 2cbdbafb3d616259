package io.polysync.protocol.spi;

import io.helidon.webserver.http.ServerRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Request rate limits shared by every front-end, so a user or a client address has one allowance
 * whichever protocol it speaks. Thread-safe; calls never block.
 *
 * <p>A front-end calls {@link #acquireAddress} once per request before it checks credentials (so
 * password guessing is limited too) and {@link #acquireUser} once the caller is known. Health
 * checks are not counted.
 */
public interface RateLimiter {
  /**
   * Takes one request from the allowance of a client address.
   *
   * @return empty when the request may go on, else how long the client should wait
   */
  Optional<Duration> acquireAddress(String address);

  /**
   * Takes one request from the allowance of an authenticated user.
   *
   * @return empty when the request may go on, else how long the client should wait
   */
  Optional<Duration> acquireUser(String name);

  /** No limit at all: for embedding and tests that build a {@link FrontEndContext} themselves. */
  static RateLimiter unlimited() {
    return Unlimited.INSTANCE;
  }

  /** What {@link #unlimited()} returns. */
  enum Unlimited implements RateLimiter {
    INSTANCE;

    @Override
    public Optional<Duration> acquireAddress(String address) {
      return Optional.empty();
    }

    @Override
    public Optional<Duration> acquireUser(String name) {
      return Optional.empty();
    }
  }

  /**
   * The key of a request's client address: the TCP peer's IP address, without the port. Proxies'
   * forwarding headers are not trusted (a client could name any address in them).
   */
  static String clientAddress(ServerRequest req) {
    if (req.remotePeer().address() instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return req.remotePeer().host();
  }

  /** Whole seconds for a {@code Retry-After} header: at least 1, rounded up. */
  static long retryAfterSeconds(Duration wait) {
    long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
    return Math.max(1, seconds);
  }
}
