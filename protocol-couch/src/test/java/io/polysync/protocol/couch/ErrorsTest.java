package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ErrorsTest {
  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() {
    server = new TestServer(dir, Map.of("couch.max_document_size", "1000"));
    server.json("PUT", "/db", "");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static void assertError(HttpResponse<String> res, int status, String error) {
    assertThat(res.statusCode()).isEqualTo(status);
    assertThat(res.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = Json.parse(res.body());
    assertThat(body.get("error").asText()).isEqualTo(error);
    assertThat(body.get("reason").isTextual()).isTrue();
  }

  @Test
  void badJson_is400() {
    assertError(server.json("PUT", "/db/doc", "{not json"), 400, "bad_request");
  }

  @Test
  void wrongContentType_is415() {
    HttpResponse<String> res = server.send(server.request("/db/_bulk_docs").header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{\"docs\":[]}")).build());
    assertError(res, 415, "bad_content_type");
  }

  @Test
  void malformedRev_is400InvalidRevFormat() {
    server.json("PUT", "/db/doc", "{}");
    HttpResponse<String> res = server.get("/db/doc?rev=banana");
    assertError(res, 400, "bad_request");
    assertThat(Json.parse(res.body()).get("reason").asText()).isEqualTo("Invalid rev format");
  }

  @Test
  void documentTooLarge_is413() {
    String big = "{\"v\":\"" + "x".repeat(2000) + "\"}";
    assertError(server.json("PUT", "/db/big", big), 413, "document_too_large");
  }

  @Test
  void bulkDocsWithTooLargeDocument_is413() {
    String big = "{\"docs\":[{\"_id\":\"big\",\"v\":\"" + "x".repeat(2000) + "\"}]}";
    assertError(server.json("POST", "/db/_bulk_docs", big), 413, "document_too_large");
  }

  @Test
  void staleRev_is409Conflict() {
    server.json("PUT", "/db/doc", "{}");
    HttpResponse<String> res = server.json("PUT", "/db/doc", "{\"_rev\":\"1-00000000000000000000000000000000\"}");
    assertError(res, 409, "conflict");
    assertThat(Json.parse(res.body()).get("reason").asText()).isEqualTo("Document update conflict.");
  }

  @Test
  void missingDoc_is404Missing() {
    HttpResponse<String> res = server.get("/db/nope");
    assertError(res, 404, "not_found");
    assertThat(Json.parse(res.body()).get("reason").asText()).isEqualTo("missing");
  }

  @Test
  void deletedDoc_is404Deleted() {
    String rev = Json.parse(server.json("PUT", "/db/doc", "{}").body()).get("rev").asText();
    assertThat(server.delete("/db/doc?rev=" + rev).statusCode()).isEqualTo(200);
    HttpResponse<String> res = server.get("/db/doc");
    assertError(res, 404, "not_found");
    assertThat(Json.parse(res.body()).get("reason").asText()).isEqualTo("deleted");
  }

  @Test
  void wrongMethod_is405() {
    assertError(server.get("/db/_bulk_docs"), 405, "method_not_allowed");
  }

  @Test
  void newEditsFalseWithoutRev_is400() {
    HttpResponse<String> res = server.json("POST", "/db/_bulk_docs", "{\"docs\":[{\"_id\":\"a\"}],\"new_edits\":false}");
    assertError(res, 400, "bad_request");
  }

  @Test
  void mangoQueries_are501NotImplemented() {
    assertError(server.json("POST", "/db/_find", "{\"selector\":{\"a\":1}}"), 501, "not_implemented");
    assertError(server.json("POST", "/db/_explain", "{\"selector\":{\"a\":1}}"), 501, "not_implemented");
    assertError(server.json("POST", "/db/_index", "{\"index\":{\"fields\":[\"a\"]}}"), 501, "not_implemented");
    assertError(server.get("/db/_index"), 501, "not_implemented");
    assertError(server.delete("/db/_index/_design/idx/json/by-a"), 501, "not_implemented");
  }

  @Test
  void purge_is501NotImplemented() {
    assertError(server.json("POST", "/db/_purge", "{\"doc\":[\"1-abc\"]}"), 501, "not_implemented");
    assertError(server.get("/db/_purged_infos_limit"), 501, "not_implemented");
  }

  @Test
  void designDocumentFunctions_are501NotImplemented() {
    assertThat(server.json("PUT", "/db/_design/app", "{\"views\":{\"v\":{\"map\":\"function(d){}\"}}}").statusCode())
        .isEqualTo(201);
    assertError(server.get("/db/_design/app/_view/v"), 501, "not_implemented");
    assertError(server.get("/db/_design%2Fapp/_view/v"), 501, "not_implemented");
    assertError(server.get("/db/_design/app/_show/s/doc"), 501, "not_implemented");
    assertError(server.json("POST", "/db/_design/app/_update/u", "{}"), 501, "not_implemented");
    assertError(server.get("/db/_design/app/_info"), 501, "not_implemented");
    // The design document itself is an ordinary document.
    assertThat(server.get("/db/_design/app").statusCode()).isEqualTo(200);
  }

  @Test
  void filterFunctionsAndViewFilters_are400WithReason() {
    assertError(server.get("/db/_changes?filter=app%2Fmine"), 400, "bad_request");
    assertError(server.get("/db/_changes?filter=_view&view=app%2Fv"), 400, "bad_request");
    assertError(server.get("/db/_changes?feed=longpoll&filter=app%2Fmine"), 400, "bad_request");
  }

  @Test
  void storageUnavailable_is503WithRetryAfter() {
    server.json("PUT", "/db/doc", "{}");
    // A closed storage answers every call as unavailable, as a database that went away does.
    server.engine.close();
    for (HttpResponse<String> res : new HttpResponse[] {
        server.get("/db"), server.get("/db/doc"), server.json("PUT", "/db/other", "{}"),
        server.get("/db/_changes?feed=longpoll&since=0"), server.get("/_all_dbs")}) {
      assertError(res, 503, "service_unavailable");
      assertThat(res.headers().firstValue("Retry-After")).hasValue("5");
    }
    assertThat(server.get("/_up").statusCode()).isEqualTo(200);
  }
}
