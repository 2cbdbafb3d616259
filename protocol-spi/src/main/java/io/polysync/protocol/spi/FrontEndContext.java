package io.polysync.protocol.spi;

import static java.util.Objects.requireNonNull;

import io.polysync.engine.SyncEngine;
import java.util.List;
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
 * @param authenticators the HTTP authenticators that are on, in the order to ask them (see {@link
 *     HttpAuthenticator#first})
 * @param metrics where the front-end reports its routes, documents and feeds; this front-end's own
 * @param rateLimiter the request allowance of users and client addresses, shared by every front-end
 * @param jsonLimits bounds on request JSON, from the {@code limits.json.*} settings
 */
public record FrontEndContext(
    SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings,
    List<HttpAuthenticator> authenticators, FrontEndMetrics metrics, RateLimiter rateLimiter,
    JsonLimits jsonLimits) {
  /** The name of CouchDB's session cookie, which the built-in cookie authenticator reads. */
  public static final String SESSION_COOKIE = "AuthSession";

  public FrontEndContext {
    requireNonNull(engine, "engine is null");
    requireNonNull(serverId, "serverId is null");
    requireNonNull(authenticator, "authenticator is null");
    settings = Map.copyOf(settings);
    authenticators = List.copyOf(authenticators);
    requireNonNull(metrics, "metrics is null");
    requireNonNull(rateLimiter, "rateLimiter is null");
    requireNonNull(jsonLimits, "jsonLimits is null");
  }

  /**
   * The built-in chain of earlier versions (Basic credentials, then the session cookie); no
   * metrics, no rate limit, JSON limits from {@code settings}.
   */
  public FrontEndContext(SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings) {
    this(engine, serverId, authenticator, settings, List.of(HttpAuthenticator.basic(authenticator),
        HttpAuthenticator.cookie(authenticator, SESSION_COOKIE)));
  }

  /** A context with these authenticators; no metrics, no rate limit, JSON limits from {@code settings}. */
  public FrontEndContext(SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings,
      List<HttpAuthenticator> authenticators) {
    this(engine, serverId, authenticator, settings, authenticators, FrontEndMetrics.NONE, RateLimiter.unlimited(),
        JsonLimits.fromSettings(settings));
  }

  /** The built-in authenticator chain with this rate limiter and these JSON limits; no metrics. */
  public FrontEndContext(SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings,
      RateLimiter rateLimiter, JsonLimits jsonLimits) {
    this(engine, serverId, authenticator, settings, List.of(HttpAuthenticator.basic(authenticator),
        HttpAuthenticator.cookie(authenticator, SESSION_COOKIE)), FrontEndMetrics.NONE, rateLimiter, jsonLimits);
  }

  /** The same context with {@code metrics}: the server gives each front-end its own. */
  public FrontEndContext withMetrics(FrontEndMetrics metrics) {
    return new FrontEndContext(engine, serverId, authenticator, settings, authenticators, metrics, rateLimiter,
        jsonLimits);
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
