package io.polysync.protocol.couch;

import io.helidon.http.HeaderNames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The body of a streamed feed, flushed after every write so that each row and heartbeat leaves at
 * once; a failed write means the client left ({@link ClientGone}).
 *
 * <p>Gzipped when asked for: a gzip member whose deflate blocks end on a sync flush after every
 * write, so the client can decode everything sent so far. Unlike a {@code GZIPOutputStream}, which
 * allocates its zlib state (about 300 KB of native memory) up front, the {@link Deflater} is
 * created only when content that is worth compressing comes: heartbeats and short writes before
 * that go out as stored (uncompressed) deflate blocks. A longpoll that waits for hours with
 * heartbeats therefore holds no compressor, and gets one only for its answer. Once the deflater
 * exists, everything goes through it, because its back-references count only its own input.
 */
final class FeedOutput {
  /** Below this, a write is not worth a compressor (as for whole answers, {@link Exchange}). */
  static final int COMPRESS_THRESHOLD = 1024;
  private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final OutputStream out;
  private final boolean gzip;
  private final CRC32 crc = new CRC32();
  private long size;
  private Deflater deflater;
  private byte[] buffer;

  private FeedOutput(OutputStream out, boolean gzip) {
    this.out = out;
    this.gzip = gzip;
  }

  /** Sends the status and headers; {@code gzip} when the client accepts it and the feed may be compressed. */
  static FeedOutput open(Exchange ex, String contentType, String cacheControl, boolean gzip) {
    ex.res.status(200);
    ex.res.header(HeaderNames.CONTENT_TYPE, contentType);
    ex.res.header(HeaderNames.CACHE_CONTROL, cacheControl);
    if (gzip) {
      ex.res.header(HeaderNames.CONTENT_ENCODING, "gzip");
      ex.res.header(HeaderNames.VARY, "Accept-Encoding");
    }
    FeedOutput feed = new FeedOutput(ex.res.outputStream(), gzip);
    if (gzip) {
      feed.raw(GZIP_HEADER);
    }
    return feed;
  }

  /** For tests: a feed over any stream. */
  static FeedOutput over(OutputStream out, boolean gzip) {
    FeedOutput feed = new FeedOutput(out, gzip);
    if (gzip) {
      feed.raw(GZIP_HEADER);
    }
    return feed;
  }

  void write(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    try {
      if (!gzip) {
        out.write(bytes);
      } else {
        crc.update(bytes);
        size += bytes.length;
        if (deflater == null && bytes.length < COMPRESS_THRESHOLD) {
          stored(bytes, false);
        } else {
          deflate(bytes);
        }
      }
      out.flush();
    } catch (IOException | RuntimeException e) {
      // Helidon reports a closed connection as an unchecked ServerConnectionException.
      end();
      throw new ClientGone(e);
    }
  }

  /** Ends the body: the final deflate block and the gzip trailer, then the response. */
  void close() {
    try {
      if (gzip) {
        if (deflater != null) {
          deflater.finish();
          while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
          }
        } else {
          stored(new byte[0], true);
        }
        byte[] trailer = new byte[8];
        littleEndian(trailer, 0, (int) crc.getValue());
        littleEndian(trailer, 4, (int) size);
        out.write(trailer);
      }
      out.close();
    } catch (IOException | RuntimeException e) {
      throw new ClientGone(e);
    } finally {
      end();
    }
  }

  private void raw(byte[] bytes) {
    try {
      out.write(bytes);
    } catch (IOException | RuntimeException e) {
      throw new ClientGone(e);
    }
  }

  /** Stored deflate blocks (RFC 1951 3.2.4), which need no compressor; the stream is byte-aligned here. */
  private void stored(byte[] bytes, boolean last) throws IOException {
    int offset = 0;
    do {
      int length = Math.min(0xffff, bytes.length - offset);
      boolean end = last && offset + length == bytes.length;
      out.write(end ? 1 : 0);
      out.write(length & 0xff);
      out.write(length >>> 8);
      out.write(~length & 0xff);
      out.write((~length >>> 8) & 0xff);
      out.write(bytes, offset, length);
      offset += length;
    } while (offset < bytes.length);
  }

  /** Compresses {@code bytes} and sync-flushes, so the client can decode everything sent so far. */
  private void deflate(byte[] bytes) throws IOException {
    if (deflater == null) {
      // Raw deflate: the gzip header and trailer are written here. Speed over ratio, since every
      // write is flushed for a waiting client anyway.
      deflater = new Deflater(Deflater.BEST_SPEED, true);
      buffer = new byte[8192];
    }
    deflater.setInput(bytes);
    while (true) {
      int n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
      out.write(buffer, 0, n);
      if (n < buffer.length && deflater.needsInput()) {
        return;
      }
    }
  }

  private void end() {
    if (deflater != null) {
      deflater.end();
      deflater = null;
    }
  }

  private static void littleEndian(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }
}
