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
 */
public record FrontEndContext(
    SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings,
    List<HttpAuthenticator> authenticators, FrontEndMetrics metrics) {
  /** The name of CouchDB's session cookie, which the built-in cookie authenticator reads. */
  public static final String SESSION_COOKIE = "AuthSession";

  public FrontEndContext {
    requireNonNull(engine, "engine is null");
    requireNonNull(serverId, "serverId is null");
    requireNonNull(authenticator, "authenticator is null");
    settings = Map.copyOf(settings);
    authenticators = List.copyOf(authenticators);
    requireNonNull(metrics, "metrics is null");
  }

  /** The built-in chain of earlier versions: Basic credentials, then the session cookie; no metrics. */
  public FrontEndContext(SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings) {
    this(engine, serverId, authenticator, settings, List.of(HttpAuthenticator.basic(authenticator),
        HttpAuthenticator.cookie(authenticator, SESSION_COOKIE)));
  }

  /** A context with these authenticators whose metrics record nothing. */
  public FrontEndContext(SyncEngine engine, String serverId, Authenticator authenticator, Map<String, String> settings,
      List<HttpAuthenticator> authenticators) {
    this(engine, serverId, authenticator, settings, authenticators, FrontEndMetrics.NONE);
  }

  /** The same context with {@code metrics}: the server gives each front-end its own. */
  public FrontEndContext withMetrics(FrontEndMetrics metrics) {
    return new FrontEndContext(engine, serverId, authenticator, settings, authenticators, metrics);
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
