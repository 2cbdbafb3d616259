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
 * @param rateLimiter the request allowance of users and client addresses, shared by every front-end
 * @param jsonLimits bounds on request JSON, from the {@code limits.json.*} settings
 */
public record FrontEndContext(
    SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings,
    RateLimiter rateLimiter, JsonLimits jsonLimits) {
  public FrontEndContext {
    requireNonNull(engine, "engine is null");
    requireNonNull(serverId, "serverId is null");
    requireNonNull(authenticator, "authenticator is null");
    settings = Map.copyOf(settings);
    requireNonNull(rateLimiter, "rateLimiter is null");
    requireNonNull(jsonLimits, "jsonLimits is null");
  }

  /** No rate limit; JSON limits from {@code settings}. */
  public FrontEndContext(SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings) {
    this(engine, serverId, authenticator, settings, RateLimiter.unlimited(), JsonLimits.fromSettings(settings));
  }

  /**
   * A request body limit: the front-end's own {@code key} when set, else the server-wide {@code
   * limits.max_request_bytes}, else {@code fallback}.
   */
  public long maxRequestBytes(String key, long fallback) {
    return longSetting(key, longSetting("limits.max_request_bytes", fallback));
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
