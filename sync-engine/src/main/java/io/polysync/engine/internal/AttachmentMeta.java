package io.polysync.engine.internal;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the revision tree keeps of an attachment; the bytes live in the blob store under {@code
 * blobKey}.
 *
 * @param contentType the MIME type given by the writer
 * @param digest the digest clients compare, {@code md5-<base64>} in CouchDB's format
 * @param length the length of the decoded content
 * @param revpos the generation of the revision that added or last changed it
 * @param encoding the content encoding of the stored bytes (e.g. {@code gzip}), if any
 * @param encodedLength the length of the stored bytes when encoded
 * @param blobKey the content address of the stored bytes ({@code md5-<base64>} of those bytes)
 */
record AttachmentMeta(
    String contentType,
    String digest,
    long length,
    long revpos,
    Optional<String> encoding,
    long encodedLength,
    String blobKey) {

  public AttachmentMeta {
    requireNonNull(contentType, "contentType is null");
    requireNonNull(digest, "digest is null");
    requireNonNull(encoding, "encoding is null");
    requireNonNull(blobKey, "blobKey is null");
  }
}
