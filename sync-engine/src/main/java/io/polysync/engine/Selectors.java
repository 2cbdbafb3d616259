package io.polysync.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.polysync.engine.internal.SelectorTranslator;
import io.polysync.spi.Query;

/**
 * CouchDB Mango selectors, as the changes feed's {@code _selector} filter uses them, translated to
 * the storage query AST.
 *
 * <p>Supported: implicit equality, nested fields (dotted names or nested objects), {@code $eq
 * $ne $gt $gte $lt $lte $in $nin $exists $and $or $nor $not}; {@code _id} names the document id.
 * Differences from CouchDB, by the AST's design: {@code $gt/$gte/$lt/$lte} take a number or string
 * and match only values of the same type (Mango orders across types); {@code $in} compares whole
 * values (Mango also matches an array field holding one of them). Anything else ({@code $regex},
 * {@code $elemMatch}, {@code $size}, ...) is refused with {@link EngineError#INVALID_SELECTOR}
 * naming the operator.
 */
public final class Selectors {
  private Selectors() {}

  /** @throws io.polysync.spi.SyncException {@link EngineError#INVALID_SELECTOR} */
  public static Query.Filter toFilter(JsonNode selector) {
    return SelectorTranslator.translate(selector);
  }
}
