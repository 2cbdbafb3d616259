package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

final class FeedOutputTest {
  /** Inflates what was sent so far (after the 10-byte gzip header), as a client does mid-stream. */
  private static String inflateSoFar(byte[] sent) throws Exception {
    Inflater inflater = new Inflater(true);
    inflater.setInput(Arrays.copyOfRange(sent, 10, sent.length));
    byte[] out = new byte[1 << 16];
    int n = inflater.inflate(out);
    inflater.end();
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  private static String gunzip(byte[] all) throws Exception {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(all))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void gzip_heartbeatsStoredThenRowsCompressed_decodableAfterEveryWrite() throws Exception {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    FeedOutput out = FeedOutput.over(sent, true);
    out.write("{\"results\":[\n");
    out.write("\n");
    out.write("\n");
    assertThat(inflateSoFar(sent.toByteArray())).isEqualTo("{\"results\":[\n\n\n");
    String rows = "{\"seq\":1,\"id\":\"x\",\"changes\":[{\"rev\":\"1-abc\"}]},\n".repeat(100);
    out.write(rows);
    assertThat(inflateSoFar(sent.toByteArray())).isEqualTo("{\"results\":[\n\n\n" + rows);
    // Once compressing, small writes go through the compressor too.
    out.write("\n],\n\"last_seq\":100}\n");
    out.close();
    String whole = "{\"results\":[\n\n\n" + rows + "\n],\n\"last_seq\":100}\n";
    assertThat(gunzip(sent.toByteArray())).isEqualTo(whole);
    assertThat(sent.size()).isLessThan(whole.length() / 4);
  }

  @Test
  void gzip_onlySmallWrites_staysUncompressedButValid() throws Exception {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    FeedOutput out = FeedOutput.over(sent, true);
    out.write("{\"results\":[\n");
    out.write("\n],\n\"last_seq\":3}\n");
    out.close();
    assertThat(gunzip(sent.toByteArray())).isEqualTo("{\"results\":[\n\n],\n\"last_seq\":3}\n");
  }

  @Test
  void gzip_nothingWritten_isAnEmptyMember() throws Exception {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    FeedOutput.over(sent, true).close();
    assertThat(gunzip(sent.toByteArray())).isEmpty();
  }

  @Test
  void plain_isWrittenAsItIs() {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    FeedOutput out = FeedOutput.over(sent, false);
    out.write("a\n");
    out.write("b\n");
    out.close();
    assertThat(sent.toString(StandardCharsets.UTF_8)).isEqualTo("a\nb\n");
  }
}
