package io.polysync.protocol.spi;

/**
 * Where the error-code page is: the server serves docs/errors.md at {@value #PATH}, with an anchor
 * per error, and front-ends point their error answers at the entry that explains them (a body
 * field where the protocol has one, Kinto's {@code info}; a {@code Link: <...>; rel="help"} header
 * where the protocol's body must stay as it is, CouchDB's).
 */
public final class ErrorDocs {
  /** The page's path on every Polysync server. */
  public static final String PATH = "/_polysync/errors";

  private ErrorDocs() {}

  /** The root-relative link to the entry of CouchDB error {@code error} ({@code not_found}, ...). */
  public static String couch(String error) {
    return PATH + "#couch-" + error;
  }

  /** The root-relative link to the entry of Kinto errno {@code errno}. */
  public static String kinto(int errno) {
    return PATH + "#kinto-" + errno;
  }

  /** The value of an RFC 8288 {@code Link} header pointing at {@code link} as help. */
  public static String helpLinkHeader(String link) {
    return "<" + link + ">; rel=\"help\"";
  }
}
