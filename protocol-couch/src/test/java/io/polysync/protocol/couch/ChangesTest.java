package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ChangesTest {
  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() {
    server = new TestServer(dir);
    server.json("PUT", "/db", "");
    server.json("PUT", "/db/a", "{\"kind\":\"x\"}");
    server.json("PUT", "/db/b", "{\"kind\":\"y\"}");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void normal_sinceAndLimit() {
    JsonNode all = Json.parse(server.get("/db/_changes?style=all_docs&since=0").body());
    assertThat(all.get("results")).hasSize(2);
    assertThat(all.get("last_seq").asLong()).isEqualTo(2);
    assertThat(all.get("results").get(0).get("seq").asLong()).isEqualTo(1);
    JsonNode page = Json.parse(server.get("/db/_changes?since=1&limit=1&include_docs=true").body());
    assertThat(page.get("results")).hasSize(1);
    assertThat(page.get("results").get(0).get("doc").get("kind").asText()).isEqualTo("y");
    assertThat(Json.parse(server.get("/db/_changes?since=now").body()).get("results")).isEmpty();
  }

  @Test
  void descending_newestFirst() {
    JsonNode res = Json.parse(server.get("/db/_changes?descending=true").body());
    assertThat(res.get("results").get(0).get("id").asText()).isEqualTo("b");
  }

  @Test
  void docIdsFilter_getAndPost() {
    JsonNode get = Json.parse(server.get("/db/_changes?filter=_doc_ids&doc_ids=%5B%22b%22%5D").body());
    assertThat(get.get("results")).hasSize(1);
    assertThat(get.get("results").get(0).get("id").asText()).isEqualTo("b");
    JsonNode post = Json.parse(server.json("POST", "/db/_changes?filter=_doc_ids", "{\"doc_ids\":[\"a\"]}").body());
    assertThat(post.get("results")).hasSize(1);
    assertThat(post.get("results").get(0).get("id").asText()).isEqualTo("a");
  }

  @Test
  void selectorFilter_post() {
    JsonNode res = Json.parse(server.json("POST", "/db/_changes?filter=_selector",
        "{\"selector\":{\"kind\":\"y\"}}").body());
    assertThat(res.get("results")).hasSize(1);
    assertThat(res.get("results").get(0).get("id").asText()).isEqualTo("b");
  }

  @Test
  void designFilterFunction_isJson400() {
    HttpResponse<String> res = server.get("/db/_changes?filter=app%2Fmine");
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("bad_request");
    assertThat(server.get("/db/_changes?filter=_view&view=app%2Fv").statusCode()).isEqualTo(400);
  }

  @Test
  void unknownFeed_is400WithCouchMessage() {
    HttpResponse<String> res = server.get("/db/_changes?feed=sideways");
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(res.body()).isEqualTo("{\"error\":\"bad_request\",\"reason\":"
        + "\"Supported `feed` types: normal, continuous, live, longpoll, eventsource\"}");
  }

  @Test
  void continuous_withTimeout_endsWithLastSeq() {
    HttpResponse<String> res = server.get("/db/_changes?feed=continuous&style=all_docs&since=0&timeout=200");
    assertThat(res.statusCode()).isEqualTo(200);
    String[] lines = res.body().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(Json.parse(lines[0]).get("id").asText()).isEqualTo("a");
    assertThat(Json.parse(lines[1]).get("seq").asLong()).isEqualTo(2);
    assertThat(lines[2]).isEqualTo("{\"last_seq\":2,\"pending\":0}");
  }

  @Test
  void longpoll_withData_answersAtOnce() {
    JsonNode res = Json.parse(server.get("/db/_changes?feed=longpoll&since=1&heartbeat=10000").body());
    assertThat(res.get("results")).hasSize(1);
    assertThat(res.get("last_seq").asLong()).isEqualTo(2);
  }

  @Test
  void longpoll_timeoutWithoutChanges_isEmptyResults() {
    JsonNode res = Json.parse(server.get("/db/_changes?feed=longpoll&since=2&timeout=100").body());
    assertThat(res.get("results")).isEmpty();
    assertThat(res.get("last_seq").asLong()).isEqualTo(2);
  }

  @Test
  void longpoll_wakesOnWrite() throws Exception {
    HttpRequest request = server.request("/db/_changes?style=all_docs&feed=longpoll&heartbeat=10000&since=2&limit=100")
        .GET().build();
    HttpResponse<InputStream> res = server.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = res.body()) {
      // The opening of the body is sent only once the feed found nothing and started waiting.
      byte[] opening = body.readNBytes("{\"results\":[\n".length());
      assertThat(new String(opening, StandardCharsets.UTF_8)).isEqualTo("{\"results\":[\n");
      server.json("PUT", "/db/c", "{}");
      String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
      JsonNode whole = Json.parse("{\"results\":[" + rest);
      assertThat(whole.get("results")).hasSize(1);
      assertThat(whole.get("results").get(0).get("id").asText()).isEqualTo("c");
      assertThat(whole.get("last_seq").asLong()).isEqualTo(3);
    }
  }

  @Test
  void eventsource_honoursLastEventId() {
    HttpResponse<String> res = server.send(server.request("/db/_changes?feed=eventsource&timeout=100")
        .header("Last-Event-ID", "1").GET().build());
    assertThat(res.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(res.body()).startsWith("data: {\"seq\":2,\"id\":\"b\"");
    assertThat(res.body()).contains("\nid: 2\n\n");
    assertThat(res.body()).doesNotContain("\"id\":\"a\"");
  }

  @Test
  void clientDisconnectMidFeed_leavesServerServing() throws Exception {
    HttpRequest request = server.request("/db/_changes?feed=continuous&heartbeat=50&since=now").GET().build();
    HttpResponse<InputStream> res = server.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = res.body();
    assertThat(body.read()).isEqualTo('\n');
    body.close();
    server.json("PUT", "/db/after", "{}");
    assertThat(server.get("/db/after").statusCode()).isEqualTo(200);
  }
}
