package io.polysync.protocol.spi;

import io.helidon.webserver.http.ServerRequest;

/**
 * What a front-end tells the server's metrics: the route template of each request, the documents
 * it moves, and its open feeds. The server hands each front-end its own instance (the protocol is
 * implied); {@link #NONE} records nothing, for embedding and tests.
 *
 * <p>Implementations are thread-safe and cheap (a counter increment); they never throw and never
 * block, so a front-end calls them inline on its request threads.
 */
public interface FrontEndMetrics {
  /** Records nothing. */
  FrontEndMetrics NONE = new FrontEndMetrics() {
    @Override
    public void route(ServerRequest request, String template) {}

    @Override
    public void documentsIn(long count) {}

    @Override
    public void documentsOut(String via, long count) {}

    @Override
    public OpenFeed feedOpened(String kind) {
      return () -> {};
    }
  };

  /** {@link #documentsOut} of a change row on a changes feed (one per document and change). */
  String VIA_FEED = "feed";
  /** {@link #documentsOut} of a document read by id ({@code GET}, {@code _bulk_get}, {@code open_revs}). */
  String VIA_READ = "read";
  /** {@link #documentsOut} of a row of a listing ({@code _all_docs}, a Kinto record list). */
  String VIA_LIST = "list";

  /**
   * Names the route of {@code request} for the request metrics: a template such as {@code
   * /{db}/_changes}, never a raw path — database names and document ids would make one time series
   * per id. The last call for a request wins; a request never named is counted as {@code unmatched}.
   */
  void route(ServerRequest request, String template);

  /** Documents written by clients (a {@code _bulk_docs} batch, a {@code PUT}, a Kinto write). */
  void documentsIn(long count);

  /**
   * Documents sent to clients.
   *
   * @param via {@link #VIA_FEED}, {@link #VIA_READ} or {@link #VIA_LIST}
   */
  void documentsOut(String via, long count);

  /**
   * A long-lived answer has started (a longpoll that waits, a continuous or EventSource feed, a
   * Server-Sent Events stream); it counts as open until the returned handle is closed.
   *
   * @param kind a short constant such as {@code longpoll}, {@code continuous}, {@code eventsource}
   */
  OpenFeed feedOpened(String kind);

  /** An open feed; {@link #close} once when it ends, however it ends. */
  interface OpenFeed extends AutoCloseable {
    @Override
    void close();
  }
}
