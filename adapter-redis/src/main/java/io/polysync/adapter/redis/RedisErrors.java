package io.polysync.adapter.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.polysync.spi.StorageError;
import io.polysync.spi.SyncException;
import java.util.List;

/**
 * Translates Lettuce exceptions into {@link SyncException} at the adapter's boundary. The driver
 * exception stays attached as the cause for logs; its type never decides anything above the
 * adapter. Messages name the server by {@link RedisSettings#display()} and are scrubbed of the
 * password.
 */
final class RedisErrors {
  /** Error replies that mean "not now": the same request may succeed later. */
  private static final List<String> RETRYABLE_REPLIES =
      List.of("OOM", "LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN",
          "NOREPLICAS", "MISCONF");

  /** Error replies that mean the credentials or the database number are wrong. */
  private static final List<String> CONFIGURATION_REPLIES =
      List.of("WRONGPASS", "NOAUTH", "NOPERM", "ERR AUTH", "ERR invalid password",
          "ERR DB index is out of range", "ERR invalid DB index", "ERR SELECT is not allowed");

  private RedisErrors() {}

  static SyncException translate(Throwable e, RedisSettings settings, String what) {
    if (e instanceof SyncException sync) {
      return sync;
    }
    String where = " (" + settings.display() + ")";
    RedisCommandExecutionException reply = find(e, RedisCommandExecutionException.class);
    if (reply != null) {
      String message = String.valueOf(reply.getMessage());
      String detail = what + " failed: " + settings.scrub(message) + where;
      if (startsWithAny(message, CONFIGURATION_REPLIES)) {
        return new SyncException(StorageError.INVALID_CONFIGURATION, detail, e);
      }
      if (startsWithAny(message, RETRYABLE_REPLIES)) {
        return new SyncException(StorageError.UNAVAILABLE, detail, e);
      }
      return new SyncException(StorageError.INTERNAL, detail, e);
    }
    String detail = what + " failed: " + settings.scrub(rootMessage(e)) + where;
    if (e instanceof RedisConnectionException
        || e instanceof RedisCommandTimeoutException
        || e instanceof RedisCommandInterruptedException
        || find(e, RedisConnectionException.class) != null
        || find(e, java.io.IOException.class) != null) {
      return new SyncException(StorageError.UNAVAILABLE, detail, e);
    }
    if (e instanceof RedisException) {
      // Lettuce's own state: "Currently not connected", "Connection closed", a closed client.
      return new SyncException(StorageError.UNAVAILABLE, detail, e);
    }
    return new SyncException(StorageError.INTERNAL, detail, e);
  }

  private static boolean startsWithAny(String message, List<String> prefixes) {
    for (String p : prefixes) {
      if (message.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable e) {
    StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null && !out.toString().contains(t.getMessage())) {
        out.append(": ").append(t.getMessage());
      }
    }
    return out.toString();
  }
}
