package io.polysync.engine;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * An attachment's content and metadata.
 *
 * @param data the stored bytes: encoded when {@code encoding} is present (not copied)
 * @param encoding the content encoding of {@code data}, such as {@code gzip}
 * @param digest the digest clients compare ({@code md5-<base64>})
 * @param length the length of the decoded content
 * @param revpos the generation of the revision that added or last changed it
 */
public record Attachment(
    String name, String contentType, byte[] data, Optional<String> encoding, String digest,
    long length, long revpos) {
  public Attachment {
    requireNonNull(name, "name is null");
    requireNonNull(contentType, "contentType is null");
    requireNonNull(data, "data is null");
    requireNonNull(encoding, "encoding is null");
    requireNonNull(digest, "digest is null");
  }
}
