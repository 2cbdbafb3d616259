package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns what the engine keeps of a document into clear bytes, and back. The one place where the
 * clear format is decided; {@link SealedStorage} seals those bytes on their way to storage and
 * opens them on their way back, so this codec only ever sees clear values. Implementations are
 * thread-safe and start their output with a format version byte.
 */
interface StateCodec {
  byte[] encode(RevTree tree);

  /** @throws io.polysync.spi.SyncException {@link io.polysync.engine.EngineError#CORRUPT_STATE} */
  RevTree decode(byte[] state);

  byte[] encodeLocal(ObjectNode body);

  ObjectNode decodeLocal(byte[] bytes);
}
