package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
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
  void longpoll_changeBeforeFirstHeartbeat_answersWhole() throws Exception {
    HttpRequest request = server.request("/db/_changes?style=all_docs&feed=longpoll&heartbeat=10000&since=2&limit=100")
        .header("Accept-Encoding", "gzip").GET().build();
    CompletableFuture<HttpResponse<String>> pending = server.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    assertThat(pending).isNotDone();
    server.json("PUT", "/db/c", "{}");
    HttpResponse<String> res = pending.get(10, TimeUnit.SECONDS);
    // PouchDB's live case: one answer with a length, not a stream, and not worth compressing.
    assertThat(res.headers().firstValue("Content-Length")).isPresent();
    assertThat(res.headers().firstValue("Content-Encoding")).isEmpty();
    JsonNode body = Json.parse(res.body());
    assertThat(body.get("results")).hasSize(1);
    assertThat(body.get("results").get(0).get("id").asText()).isEqualTo("c");
    assertThat(body.get("last_seq").asLong()).isEqualTo(3);
  }

  @Test
  void longpoll_heartbeatDue_streamsOpeningHeartbeatsThenRows() throws Exception {
    HttpRequest request = server.request("/db/_changes?style=all_docs&feed=longpoll&heartbeat=100&since=2&limit=100")
        .GET().build();
    HttpResponse<InputStream> res = server.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = res.body()) {
      // Headers and the opening leave when the first heartbeat is due; then a newline per heartbeat.
      byte[] opening = body.readNBytes("{\"results\":[\n\n\n".length());
      assertThat(new String(opening, StandardCharsets.UTF_8)).isEqualTo("{\"results\":[\n\n\n");
      server.json("PUT", "/db/c", "{}");
      String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
      JsonNode whole = Json.parse("{\"results\":[" + rest);
      assertThat(whole.get("results")).hasSize(1);
      assertThat(whole.get("results").get(0).get("id").asText()).isEqualTo("c");
      assertThat(whole.get("last_seq").asLong()).isEqualTo(3);
    }
  }

  @Test
  void longpoll_streamedWithGzip_eachWriteDecodesAsItArrives() throws Exception {
    HttpRequest request = server.request("/db/_changes?feed=longpoll&heartbeat=100&since=2")
        .header("Accept-Encoding", "gzip").GET().build();
    HttpResponse<InputStream> res = server.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(res.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(res.headers().firstValue("Vary")).hasValue("Accept-Encoding");
    try (InputStream body = new GZIPInputStream(res.body(), 16)) {
      // Decodable before the feed has ended: every write is flushed through the compressor.
      byte[] opening = body.readNBytes("{\"results\":[\n\n\n".length());
      assertThat(new String(opening, StandardCharsets.UTF_8)).isEqualTo("{\"results\":[\n\n\n");
      server.json("PUT", "/db/c", "{}");
      JsonNode whole = Json.parse("{\"results\":[" + new String(body.readAllBytes(), StandardCharsets.UTF_8));
      assertThat(whole.get("results").get(0).get("id").asText()).isEqualTo("c");
      assertThat(whole.get("last_seq").asLong()).isEqualTo(3);
    }
  }

  @Test
  void normal_longerThanAPage_streamsGzippedWhenAccepted() throws Exception {
    StringBuilder docs = new StringBuilder("{\"docs\":[");
    for (int i = 0; i < 1200; i++) {
      docs.append(i == 0 ? "" : ",").append("{\"_id\":\"n").append(String.format("%04d", i)).append("\",\"i\":").append(i).append('}');
    }
    assertThat(server.json("POST", "/db/_bulk_docs", docs.append("]}").toString()).statusCode()).isEqualTo(201);

    HttpResponse<byte[]> zipped = server.sendBytes(server.request("/db/_changes?style=all_docs")
        .header("Accept-Encoding", "gzip").GET().build());
    assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(zipped.headers().firstValue("Content-Length")).isEmpty();
    JsonNode feed;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
      feed = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertThat(feed.get("results")).hasSize(1202);
    long previous = 0;
    for (JsonNode row : feed.get("results")) {
      assertThat(row.get("seq").asLong()).isGreaterThan(previous);
      previous = row.get("seq").asLong();
    }
    assertThat(feed.get("last_seq").asLong()).isEqualTo(1202);
    assertThat(feed.get("pending").asLong()).isZero();

    JsonNode plain = Json.parse(server.get("/db/_changes?since=100&limit=700").body());
    assertThat(plain.get("results")).hasSize(700);
    assertThat(plain.get("results").get(0).get("seq").asLong()).isEqualTo(101);
    assertThat(plain.get("last_seq").asLong()).isEqualTo(800);
    assertThat(plain.has("pending")).isFalse();
  }

  @Test
  void normal_onePageUnderAKilobyte_isNotCompressed() {
    HttpResponse<String> res = server.send(server.request("/db/_changes").header("Accept-Encoding", "gzip").GET().build());
    assertThat(res.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(Json.parse(res.body()).get("results")).hasSize(2);
  }

  @Test
  void continuous_isNeverCompressed() {
    HttpResponse<String> res = server.send(server.request("/db/_changes?feed=continuous&timeout=100")
        .header("Accept-Encoding", "gzip").GET().build());
    assertThat(res.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(res.body().split("\n")).hasSize(3);
  }

  @Test
  void seqInterval_onlyEveryNthRowCarriesItsSeq_golden() throws Exception {
    server.json("PUT", "/db/c", "{}");
    server.json("PUT", "/db/d", "{}");
    server.json("PUT", "/db/e", "{}");
    String body = server.get("/db/_changes?seq_interval=2").body();
    String expected;
    try (InputStream in = ChangesTest.class.getResourceAsStream("/golden/changes-seq-interval.json")) {
      expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    assertThat(body.replaceAll("\"rev\":\"[^\"]+\"", "\"rev\":\"REV\"")).isEqualTo(expected);
  }

  @Test
  void seqInterval_countsDownFromTheLimitAsCouchDb() {
    server.json("PUT", "/db/c", "{}");
    // limit=3: 3 rows to go (3 % 2 = 1, no seq), then 2 (seq), then 1 (no seq); last_seq is always real.
    JsonNode page = Json.parse(server.get("/db/_changes?limit=3&seq_interval=2").body());
    assertThat(page.get("results").get(0).get("seq").isNull()).isTrue();
    assertThat(page.get("results").get(1).get("seq").asLong()).isEqualTo(2);
    assertThat(page.get("results").get(2).get("seq").isNull()).isTrue();
    assertThat(page.get("last_seq").asLong()).isEqualTo(3);
    // The replicators' pairing, limit = seq_interval: the batch's first row carries the seq.
    JsonNode batch = Json.parse(server.get("/db/_changes?limit=2&seq_interval=2").body());
    assertThat(batch.get("results").get(0).get("seq").asLong()).isEqualTo(1);
    assertThat(batch.get("results").get(1).get("seq").isNull()).isTrue();
  }

  @Test
  void seqInterval_continuousAndLongpoll() {
    String[] lines = server.get("/db/_changes?feed=continuous&timeout=100&seq_interval=2").body().split("\n");
    assertThat(Json.parse(lines[0]).get("seq").asLong()).isEqualTo(1);
    assertThat(Json.parse(lines[1]).get("seq").isNull()).isTrue();
    assertThat(lines[2]).isEqualTo("{\"last_seq\":2,\"pending\":0}");
    JsonNode longpoll = Json.parse(server.get("/db/_changes?feed=longpoll&seq_interval=2").body());
    assertThat(longpoll.get("results").get(1).get("seq").isNull()).isTrue();
    assertThat(longpoll.get("last_seq").asLong()).isEqualTo(2);
  }

  @Test
  void seqInterval_notAPositiveInteger_is400AsCouchDb() {
    for (String value : new String[] {"0", "-2", "x"}) {
      HttpResponse<String> res = server.get("/db/_changes?seq_interval=" + value);
      assertThat(res.statusCode()).isEqualTo(400);
      assertThat(res.body()).isEqualTo("{\"error\":\"bad_request\",\"reason\":\"invalid_seq_interval\"}");
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
