package io.polysync.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A server started as its own process, the way an operator starts it: output to a log file, ready
 * once {@code GET /} answers, stopped with SIGTERM.
 */
final class ServerProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path log;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** A port nothing listens on now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Starts {@code command}, which must make the server listen on 127.0.0.1:{@code port}. */
  static ServerProcess start(ProcessBuilder command, Path log, int port) throws IOException {
    command.redirectErrorStream(true).redirectOutput(log.toFile());
    return new ServerProcess(command.start(), log, port);
  }

  /**
   * Waits until the server answers {@code GET /} and returns the answer; fails with the server's
   * output when the process ends first. The test's own timeout bounds the wait.
   */
  JsonNode welcome() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError("the server exited with " + process.exitValue() + " before answering:\n" + output());
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET / answered %s; server output:%n%s", response.body(), output())
            .isEqualTo(200);
        return JSON.readTree(response.body());
      } catch (ConnectException notYet) {
        Thread.sleep(200);
      }
    }
  }

  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** Stops the server as systemd or a container engine does, with SIGTERM, and waits for it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
