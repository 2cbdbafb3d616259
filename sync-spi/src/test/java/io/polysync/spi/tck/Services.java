package io.polysync.spi.tck;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks that a server an adapter test needs (PostgreSQL, MariaDB, Redis, ...) is listening.
 *
 * <p>On a developer machine a missing server aborts the test (JUnit reports it as skipped) with a
 * message boxed on standard error, so a skipped backend is hard to miss. In CI (environment
 * variable {@code CI=true}) a missing server fails the test instead: CI must never pass by
 * skipping.
 */
public final class Services {
  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  private Services() {}

  /**
   * Returns when {@code host:port} accepts a TCP connection; otherwise skips (developer machine) or
   * fails (CI) the calling test.
   *
   * @param what the service's name for the message, such as {@code PostgreSQL}
   */
  public static void requireReachable(String host, int port, String what) {
    IOException failure = probe(host, port);
    if (failure == null) {
      return;
    }
    String reason = what + " at " + host + ":" + port + " is not reachable (" + failure.getMessage() + ")";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("FAILED: " + reason + "; CI must run every backend");
    }
    System.err.println(box("SKIPPED: " + reason, "start it to run these tests; in CI (CI=true) this fails"));
    Assumptions.abort("SKIPPED: " + reason);
  }

  /** Whether {@code host:port} accepts a TCP connection now. */
  public static boolean isReachable(String host, int port) {
    return probe(host, port) == null;
  }

  private static IOException probe(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  static String box(String... lines) {
    int width = 0;
    for (String line : lines) {
      width = Math.max(width, line.length());
    }
    StringBuilder out = new StringBuilder();
    String rule = "*".repeat(width + 4);
    out.append(rule).append('\n');
    for (String line : lines) {
      out.append("* ").append(line).append(" ".repeat(width - line.length())).append(" *\n");
    }
    return out.append(rule).toString();
  }
}
