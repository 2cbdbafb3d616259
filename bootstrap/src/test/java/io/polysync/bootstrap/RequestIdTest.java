package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code X-Request-Id} on every answer, and in the log lines written while serving a request. */
final class RequestIdTest {
  private static final Logger POLYSYNC = Logger.getLogger("io.polysync");

  static {
    Logger.getLogger("io.helidon").setLevel(Level.WARNING);
  }

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();

  private Server start(boolean accessLog) {
    return Server.start(new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(), Map.of())
        .withObserve(new ObserveOptions(ObserveOptions.MetricsAccess.LOOPBACK, accessLog,
            ObserveOptions.DEFAULT_READINESS_TIMEOUT)), System.out);
  }

  private HttpResponse<String> get(Http http, String path, String requestId) throws Exception {
    return http.send(http.request(path).header("X-Request-Id", requestId).GET());
  }

  @Test
  void requestId_echoedWhenValid_generatedOtherwise() throws Exception {
    try (Server server = start(false)) {
      Http http = new Http(server);
      for (String path : List.of("/_up", "/v1/", "/health/live", "/metrics", "/nodb/doc", "/_all_dbs")) {
        HttpResponse<String> res = get(http, path, "client-id.42:abc");
        assertThat(res.headers().firstValue("X-Request-Id")).as(path).hasValue("client-id.42:abc");
      }
      String generated = http.get("/_up").headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(generated).matches("[0-9a-f]{32}");
      assertThat(http.get("/_up").headers().firstValue("X-Request-Id").orElseThrow()).isNotEqualTo(generated);

      String tooLong = "a".repeat(RequestIds.MAX_LENGTH + 1);
      assertThat(get(http, "/_up", tooLong).headers().firstValue("X-Request-Id").orElseThrow())
          .matches("[0-9a-f]{32}");
      assertThat(get(http, "/_up", "a".repeat(RequestIds.MAX_LENGTH)).headers().firstValue("X-Request-Id"))
          .hasValue("a".repeat(RequestIds.MAX_LENGTH));
      for (String bad : List.of("has space", "quote\"d", "<script>", "{json}", "tab\there")) {
        assertThat(get(http, "/_up", bad).headers().firstValue("X-Request-Id").orElseThrow()).as(bad)
            .matches("[0-9a-f]{32}");
      }
    }
  }

  @Test
  void jsonLog_linesParseAndCarryTheRequestId() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Handler handler = new StreamHandler(captured, LogFormat.JSON.formatter());
    handler.setLevel(Level.ALL);
    Level before = POLYSYNC.getLevel();
    POLYSYNC.setLevel(Level.INFO);
    POLYSYNC.addHandler(handler);
    try (Server server = start(true)) {
      Http http = new Http(server);
      assertThat(http.send("PUT", "/db", Http.basic("boss", "secret"), null).statusCode()).isEqualTo(201);
      assertThat(get(http, "/db/_all_docs?x=1", "rid-access-1").statusCode()).isEqualTo(401);
      server.storage().close();
      // The CouchDB front-end logs the failure itself, on the request's thread.
      HttpResponse<String> down = http.send(http.request("/db").header("X-Request-Id", "rid-down-2")
          .header("Authorization", Http.basic("boss", "secret")).GET());
      assertThat(down.statusCode()).isEqualTo(503);
    } finally {
      POLYSYNC.removeHandler(handler);
      POLYSYNC.setLevel(before);
    }
    handler.flush();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      JsonNode node = json.readTree(line);
      assertThat(node.isObject()).as(line).isTrue();
      assertThat(node.get("timestamp").asText()).as(line).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(node.get("level").asText()).isIn("ERROR", "WARNING", "INFO", "DEBUG", "TRACE");
      assertThat(node.has("logger")).isTrue();
      assertThat(node.has("message")).isTrue();
      lines.add(node);
    }
    // The access line of the 401: method, path (no query), status, time, route.
    JsonNode access = lines.stream()
        .filter(n -> n.get("logger").asText().equals("io.polysync.access")
            && n.path("request_id").asText().equals("rid-access-1"))
        .findFirst().orElseThrow();
    assertThat(access.get("level").asText()).isEqualTo("INFO");
    assertThat(access.get("message").asText()).matches("GET /db/_all_docs 401 [0-9.]+ ms couch:/\\{db}/_all_docs");
    // Start-up lines serve no request and have no id.
    assertThat(lines.stream().filter(n -> n.get("message").asText().startsWith("listening on")))
        .singleElement().satisfies(n -> assertThat(n.has("request_id")).isFalse());
    assertThat(lines).anyMatch(n -> n.get("logger").asText().startsWith("io.polysync.protocol.couch")
        && n.get("level").asText().equals("WARNING")
        && n.path("request_id").asText().equals("rid-down-2"));
  }

  @Test
  void jsonLog_exceptionClassAlways_stackTraceOnlyFromWarning() throws Exception {
    java.util.logging.Formatter formatter = LogFormat.JSON.formatter();
    LogRecord debug = new LogRecord(Level.FINE, "client went away");
    debug.setLoggerName("io.polysync.test");
    debug.setThrown(new java.io.IOException("Broken pipe"));
    JsonNode fine = json.readTree(formatter.format(debug));
    assertThat(fine.get("level").asText()).isEqualTo("DEBUG");
    assertThat(fine.get("exception").asText()).isEqualTo("java.io.IOException");
    assertThat(fine.get("exception_message").asText()).isEqualTo("Broken pipe");
    assertThat(fine.has("stack_trace")).isFalse();

    LogRecord error = new LogRecord(Level.SEVERE, "unexpected failure: \"quoted\"\nsecond line");
    error.setLoggerName("io.polysync.test");
    error.setThrown(new IllegalStateException("boom"));
    RequestIds.set("rid-format");
    String line;
    try {
      line = formatter.format(error);
    } finally {
      RequestIds.clear();
    }
    assertThat(line).endsWith("\n").doesNotContain("\nsecond").hasLineCount(1);
    JsonNode severe = json.readTree(line);
    assertThat(severe.get("level").asText()).isEqualTo("ERROR");
    assertThat(severe.get("message").asText()).isEqualTo("unexpected failure: \"quoted\"\nsecond line");
    assertThat(severe.get("request_id").asText()).isEqualTo("rid-format");
    assertThat(severe.get("stack_trace").asText()).contains("IllegalStateException: boom", "RequestIdTest");
  }

  @Test
  void textLog_requestIdInBrackets() {
    LogRecord record = new LogRecord(Level.INFO, "hello");
    record.setLoggerName("io.polysync.test");
    java.util.logging.Formatter formatter = LogFormat.TEXT.formatter();
    assertThat(formatter.format(record)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d INFO io.polysync.test: hello\\R");
    RequestIds.set("rid-text");
    try {
      assertThat(formatter.format(record)).contains(" INFO io.polysync.test [rid-text]: hello");
    } finally {
      RequestIds.clear();
    }
  }

  @Test
  void parse_options() {
    assertThat(LogFormat.parse("JSON")).hasValue(LogFormat.JSON);
    assertThat(LogFormat.parse(" text ")).hasValue(LogFormat.TEXT);
    assertThat(LogFormat.parse("xml")).isEmpty();
    assertThat(ObserveOptions.MetricsAccess.parse("Admin")).hasValue(ObserveOptions.MetricsAccess.ADMIN);
    assertThat(ObserveOptions.MetricsAccess.parse("everyone")).isEmpty();
  }
}
