package io.polysync.spi;

/**
 * Wakes waiting readers (long-polling feeds) when a namespace changes, including changes committed
 * by other {@link Storage} instances and other processes on the same database.
 *
 * <p>A signal is a hint, never data: readers re-read {@link DocumentStore#changes} after it.
 * Signals may be coalesced or duplicated, and may come late (by polling, within {@link
 * Capabilities#signalPollInterval()}), but a commit is never left unsignalled: every listener
 * subscribed before a commit is called at least once after that commit becomes readable.
 */
public interface ChangeSignals {
  /**
   * Calls {@code listener} after writes to {@code namespace} commit, until the subscription is
   * closed. Listeners run on an adapter thread and must return quickly without blocking.
   */
  Subscription subscribe(String namespace, Listener listener);

  /** Receives change signals. */
  @FunctionalInterface
  interface Listener {
    /**
     * @param namespace the namespace that changed
     * @param seq a sequence number the namespace has reached (a lower bound of its latest)
     */
    void changed(String namespace, long seq);
  }

  /** An open subscription; closing it is idempotent. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
