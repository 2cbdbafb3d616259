package io.polysync.engine.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns what the engine keeps of a document into the bytes storage holds, and back. The one place
 * where the stored format is decided, so that sealing (at-rest encryption) can wrap it later.
 * Implementations are thread-safe and start their output with a format version byte.
 */
interface StateCodec {
  byte[] encode(RevTree tree);

  /** @throws io.polysync.spi.SyncException {@link io.polysync.engine.EngineError#CORRUPT_STATE} */
  RevTree decode(byte[] state);

  byte[] encodeLocal(ObjectNode body);

  ObjectNode decodeLocal(byte[] bytes);
}
