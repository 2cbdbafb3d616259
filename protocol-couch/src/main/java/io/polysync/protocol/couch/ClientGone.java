package io.polysync.protocol.couch;

/** The client closed the connection while a response was streaming. */
final class ClientGone extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ClientGone(Throwable cause) {
    super("client disconnected", cause, false, false);
  }
}
