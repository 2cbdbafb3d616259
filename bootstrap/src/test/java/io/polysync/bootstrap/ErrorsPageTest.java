package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error-code page: served at /_polysync/errors with an anchor per error, the links both
 * front-ends put in their error answers resolve to one of them, and docs/errors.md has an entry
 * for every CouchDB error name and Kinto errno the front-ends' code can answer with.
 */
final class ErrorsPageTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern ANCHOR = Pattern.compile("<a id=\"([a-z0-9_-]+)\"></a>");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private static Set<String> anchors(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = ANCHOR.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private HttpResponse<String> get(Server server, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servedPage_hasTheAnchorsErrorAnswersLinkTo() throws Exception {
    ServeOptions options = new ServeOptions("127.0.0.1", 0, dir, Optional.of("boss:secret"), Optional.empty(), Map.of());
    try (Server server = Server.start(options, System.out)) {
      HttpResponse<String> page = get(server, "/_polysync/errors");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      Set<String> served = anchors(page.body());
      assertThat(served).contains("couch-not_found", "kinto-107");
      // Links to other documentation pages are not served by the server, so they are plain text.
      assertThat(page.body()).doesNotContain("href=\"protocols/").doesNotContain(".md\"");

      HttpResponse<String> couch = get(server, "/no-such-db");
      assertThat(couch.statusCode()).isEqualTo(401);
      // The CouchDB body stays exactly CouchDB's; the link is a header.
      assertThat(json.readTree(couch.body()).properties()).extracting(Map.Entry::getKey)
          .containsExactly("error", "reason");
      String link = couch.headers().firstValue("Link").orElseThrow();
      assertThat(link).isEqualTo("</_polysync/errors#couch-unauthorized>; rel=\"help\"");
      assertThat(served).contains("couch-unauthorized");

      HttpResponse<String> kinto = get(server, "/v1/buckets/nope", "Authorization", "Basic Ym9zczpzZWNyZXQ=");
      assertThat(kinto.statusCode()).isEqualTo(404);
      var error = json.readTree(kinto.body());
      String info = error.path("info").asText();
      assertThat(info).isEqualTo("/_polysync/errors#kinto-" + error.path("errno").asInt());
      assertThat(served).contains(info.substring(info.indexOf('#') + 1));
    }
  }

  @Test
  void everyErrorTheFrontEndsAnswerWith_hasAnEntry() throws IOException {
    Set<String> documented = anchors(Files.readString(REPO.resolve("docs/errors.md")));

    Set<String> couch = new TreeSet<>();
    Pattern couchError = Pattern.compile("(?:\\b[1-5]\\d\\d, |\"error\", )\"([a-z]+(?:_[a-z]+)*)\"");
    try (Stream<Path> files = Files.walk(REPO.resolve("protocol-couch/src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = couchError.matcher(Files.readString(f));
        while (m.find()) {
          couch.add("couch-" + m.group(1));
        }
      }
    }
    assertThat(couch).as("error names found in protocol-couch").contains("couch-not_found", "couch-conflict");
    assertThat(documented).containsAll(couch);

    Set<String> kinto = new TreeSet<>();
    Matcher m = Pattern.compile("static final int [A-Z_]+ = (\\d+);").matcher(Files.readString(
        REPO.resolve("protocol-kinto/src/main/java/io/polysync/protocol/kinto/KintoException.java")));
    while (m.find()) {
      kinto.add("kinto-" + m.group(1));
    }
    assertThat(kinto).as("errnos found in KintoException").contains("kinto-104", "kinto-999");
    assertThat(documented).containsAll(kinto);
  }
}
