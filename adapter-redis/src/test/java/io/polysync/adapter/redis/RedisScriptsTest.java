package io.polysync.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stored document format, without a server: what the write script stores, read back. */
final class RedisScriptsTest {

  private static byte[] stored(long seq, long ts, WriteItem item) {
    byte[] head = (seq + ":" + ts + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] payload = RedisDocumentStore.payload(item);
    byte[] out = new byte[head.length + payload.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }

  @Test
  void decode_payloadWithSeqAndTimestamp_roundTrips() {
    byte[] state = {0, ':', 1, (byte) 0xff, '9'};
    WriteItem item = new WriteItem("d", "12-\u00e9:x", true, state, 0, Optional.empty());
    StoredDocument doc = RedisDocumentStore.decode("d", stored(9_007_199_254_740_991L, 1_763_000_000_123L, item));
    assertThat(doc.seq()).isEqualTo(9_007_199_254_740_991L);
    assertThat(doc.timestamp()).isEqualTo(1_763_000_000_123L);
    assertThat(doc.deleted()).isTrue();
    assertThat(doc.winningRev()).isEqualTo("12-\u00e9:x");
    assertThat(doc.state()).isEqualTo(state);
  }

  @Test
  void decode_emptyState_empty() {
    WriteItem item = new WriteItem("d", "1-a", false, new byte[0], 0, Optional.empty());
    assertThat(RedisDocumentStore.decode("d", stored(1, 2, item)).state()).isEmpty();
  }

  @Test
  void scripts_distinctDigests() {
    assertThat(java.util.Arrays.stream(RedisScripts.values()).map(RedisScripts::sha).distinct())
        .hasSize(RedisScripts.values().length);
  }
}
