package io.polysync.engine.internal;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Per-document CPU work on a long list (decrypting, decoding, rendering a page of thousands of
 * documents) spread over the common fork-join pool, with the calling thread taking part. A client
 * waiting for a 10,000-record listing leaves the server's other cores idle otherwise. Only for pure
 * work: the function must not touch storage or anything bound to the calling thread.
 */
final class Parallel {
  /** Below this many items the split costs more than it saves. */
  static final int MIN_ITEMS = 256;

  private Parallel() {}

  /** {@code f} applied to each item, in the items' order. Its first exception is rethrown. */
  @SuppressWarnings("unchecked")
  static <T, R> List<R> map(List<T> items, Function<? super T, ? extends R> f) {
    int n = items.size();
    Object[] out = new Object[n];
    if (n < MIN_ITEMS || Runtime.getRuntime().availableProcessors() < 2) {
      for (int i = 0; i < n; i++) {
        out[i] = f.apply(items.get(i));
      }
    } else {
      IntStream.range(0, n).parallel().forEach(i -> out[i] = f.apply(items.get(i)));
    }
    return (List<R>) Arrays.asList(out);
  }
}
