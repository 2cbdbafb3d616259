package io.polysync.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Attachment digests in CouchDB's and PouchDB's format, {@code md5-} + base64 of the raw md5 (couch.md
 * A.9). Expected values computed independently of this code (md5, then standard base64).
 */
final class DigestsTest {

  @Test
  void attachmentDigest_empty_isTheWellKnownEmptyMd5() {
    assertThat(Digests.attachmentDigest(new byte[0])).isEqualTo("md5-1B2M2Y8AsgTpgAmY7PhCfg==");
  }

  @Test
  void attachmentDigest_text_matchesIndependentValues() {
    assertThat(Digests.attachmentDigest("Hello world".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("md5-PiWWCnnbxptnTNTsZ6csYg==");
    assertThat(Digests.attachmentDigest("This is a base64 encoded text".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("md5-aEI7pOYCRBLTRQvvqYrrJQ==");
  }

  @Test
  void revisionHash_differsWithDeletedFlagAndParent() {
    var body = Json.object().put("a", 1);
    String live = Digests.revisionHash(null, false, body, java.util.Map.of());
    assertThat(Digests.revisionHash(null, true, body, java.util.Map.of())).isNotEqualTo(live);
    assertThat(Digests.revisionHash(Rev.parse("1-x"), false, body, java.util.Map.of())).isNotEqualTo(live);
    assertThat(live).matches("[0-9a-f]{32}");
  }
}
