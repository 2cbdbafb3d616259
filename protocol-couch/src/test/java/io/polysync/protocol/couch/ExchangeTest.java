package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class ExchangeTest {
  @Test
  void segments_decodeEachSegmentAndDropTrailingSlash() {
    assertThat(Exchange.segments("/")).isEmpty();
    assertThat(Exchange.segments("/db/")).containsExactly("db");
    assertThat(Exchange.segments("/a%2Fb/_changes")).containsExactly("a/b", "_changes");
    assertThat(Exchange.segments("/db/doc/dir/file.txt")).containsExactly("db", "doc", "dir", "file.txt");
  }

  @Test
  void percentDecode_keepsPlusAndDecodesUtf8() {
    assertThat(Exchange.percentDecode("a+b")).isEqualTo("a+b");
    assertThat(Exchange.percentDecode("caf%C3%A9")).isEqualTo("café");
    assertThat(Exchange.percentDecode("%3D%3D")).isEqualTo("==");
  }

  @Test
  void percentDecode_malformed_isBadRequest() {
    assertThatThrownBy(() -> Exchange.percentDecode("%zz")).isInstanceOf(CouchException.class);
    assertThatThrownBy(() -> Exchange.percentDecode("abc%4")).isInstanceOf(CouchException.class);
  }

  @Test
  void multipart_parseQuotedBoundaryAndHeaderlessParts() {
    String body = "--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\n\r\nraw\r\n--b--";
    var parts = Multipart.parse(body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Multipart.parameter("multipart/related; boundary=\"b\"", "boundary").orElseThrow());
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).header("content-type")).hasValue("application/json");
    assertThat(new String(parts.get(1).body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("raw");
  }
}
