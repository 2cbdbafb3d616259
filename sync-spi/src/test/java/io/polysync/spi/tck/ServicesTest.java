package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

final class ServicesTest {

  @Test
  void requireReachable_listening_returns() throws Exception {
    try (ServerSocket server = new ServerSocket(0)) {
      Services.requireReachable("127.0.0.1", server.getLocalPort(), "test server");
      assertThat(Services.isReachable("127.0.0.1", server.getLocalPort())).isTrue();
    }
  }

  @Test
  void requireReachable_closedPort_skipsLocallyOrFailsInCi() throws Exception {
    int port;
    try (ServerSocket server = new ServerSocket(0)) {
      port = server.getLocalPort();
    }
    Throwable thrown = catchThrowable(() -> Services.requireReachable("127.0.0.1", port, "Nothing"));
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      assertThat(thrown).isInstanceOf(AssertionError.class).hasMessageContaining("Nothing at 127.0.0.1:" + port);
    } else {
      assertThat(thrown).isInstanceOf(TestAbortedException.class).hasMessageContaining("SKIPPED: Nothing");
    }
  }

  @Test
  void box_linesOfDifferentLength_alignedFrame() {
    String box = Services.box("ab", "abcd");
    assertThat(box.lines()).hasSize(4).allSatisfy(line -> assertThat(line).hasSize(8));
  }
}
