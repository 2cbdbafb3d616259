package io.polysync.adapter.mongo;

/**
 * Keys that order by Unicode code point everywhere: the UTF-8 bytes of a string, as lower-case
 * hex.
 *
 * <p>MongoDB compares strings by their UTF-8 bytes under the simple collation, which is code point
 * order; but a collection may carry another default collation, and the in-process test server
 * compares Java strings (UTF-16 order, which puts U+E000..U+FFFF after emoji). Hex of UTF-8 is plain
 * ASCII, so every server and every collation orders it the same way, and it is what the unique
 * indexes hold. A lone surrogate (possible only in query operands, never in ids) is encoded as its
 * three-byte form, which keeps the order {@link io.polysync.spi.Names#compare} gives it.
 */
final class MongoKeys {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private MongoKeys() {}

  static String hex(String s) {
    StringBuilder out = new StringBuilder(s.length() * 2);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x80) {
        put(out, cp);
      } else if (cp < 0x800) {
        put(out, 0xc0 | cp >> 6);
        put(out, 0x80 | cp & 0x3f);
      } else if (cp < 0x10000) {
        put(out, 0xe0 | cp >> 12);
        put(out, 0x80 | cp >> 6 & 0x3f);
        put(out, 0x80 | cp & 0x3f);
      } else {
        put(out, 0xf0 | cp >> 18);
        put(out, 0x80 | cp >> 12 & 0x3f);
        put(out, 0x80 | cp >> 6 & 0x3f);
        put(out, 0x80 | cp & 0x3f);
      }
    }
    return out.toString();
  }

  private static void put(StringBuilder out, int b) {
    out.append(HEX[b >> 4 & 0xf]).append(HEX[b & 0xf]);
  }
}
