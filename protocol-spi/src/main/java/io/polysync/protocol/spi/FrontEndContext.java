package io.polysync.protocol.spi;

import static java.util.Objects.requireNonNull;

import io.polysync.engine.SyncEngine;
import java.util.Map;
import java.util.Optional;

/**
 * What the server hands every front-end.
 *
 * @param engine the engine all front-ends share; owned by the server, never closed by a front-end
 * @param serverId a stable id of this installation (32 lower-case hex characters), the same across
 *     restarts and across processes on one storage
 * @param authenticator checks credentials and session tokens
 * @param settings free settings by dotted key, such as {@code couch.max_document_size}
 * @param metrics where the front-end reports its routes, documents and feeds; this front-end's own
 */
public record FrontEndContext(
    SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings,
    FrontEndMetrics metrics) {
  public FrontEndContext {
    requireNonNull(engine, "engine is null");
    requireNonNull(serverId, "serverId is null");
    requireNonNull(authenticator, "authenticator is null");
    settings = Map.copyOf(settings);
    requireNonNull(metrics, "metrics is null");
  }

  /** A context whose metrics record nothing. */
  public FrontEndContext(
      SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings) {
    this(engine, serverId, authenticator, settings, FrontEndMetrics.NONE);
  }

  /** The same context with {@code metrics}: the server gives each front-end its own. */
  public FrontEndContext withMetrics(FrontEndMetrics metrics) {
    return new FrontEndContext(engine, serverId, authenticator, settings, metrics);
  }

  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }

  /** A numeric setting, or {@code fallback} when absent. */
  public long longSetting(String key, long fallback) {
    String value = settings.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting " + key + " is not a number: " + value, e);
    }
  }
}
