package io.polysync.bootstrap;

import static io.polysync.bootstrap.ConfigKey.server;
import static io.polysync.bootstrap.ConfigKey.setting;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every configuration key of {@code polysync serve} (and of {@code polysync keys}, which shares the
 * storage and key keys): the one list the loader, the unknown-key check and docs/configuration.md
 * follow.
 *
 * <p>Names: the server's own keys are lower case words joined by {@code -}, grouped with {@code .}
 * ({@code server.port}, {@code encryption.key-file}); front-end settings keep the names the
 * front-ends have always read, which follow CouchDB's and Kinto's own settings ({@code
 * couch.max_document_size}, {@code kinto.batch_max_requests}). The environment variable of a key
 * is derived ({@link ConfigKey#envName()}); the names from before the configuration file stay
 * ({@link ConfigKey#legacyEnvNames()}).
 *
 * <h2>Adding a key</h2>
 * <ol>
 *   <li>Add a {@link ConfigKey} below, in its group: {@code server(...)} for the server's own
 *       keys, {@code setting(...)} for a front-end setting; then {@code .defaultValue(...)} or
 *       {@code .defaultText(...)}, {@code .flag("--name")} when {@code polysync serve} has an
 *       option for it, {@code .asSecret()} for a password, token or key (it then also takes {@code
 *       NAME-file}, {@code POLYSYNC_..._FILE} and {@code --flag-file}), and {@code
 *       .legacyEnv(...)} only for an environment variable that existed before.
 *   <li>The option in {@link Main}: a {@code String} field with {@code @Option(names = "--name")}
 *       and no {@code defaultValue} (the loader applies the environment, the file and the default;
 *       an {@code ${env:...}} default would be ignored). A secret with a flag also gets its {@code
 *       --name-file} option. The loader finds the option by its name: no other wiring.
 *   <li>Read the value from the {@link Configuration} ({@code config.value("auth.jwt.secret")}), in
 *       {@link Configuration#serveOptions()} or where it is used. A front-end setting needs
 *       nothing more: every {@code setting(...)} key reaches the front-ends.
 *   <li>Add its row to the table in docs/configuration.md. {@code ConfigurationDocTest} fails until
 *       the row is there and prints the row it expects.
 * </ol>
 */
final class ConfigKeys {
  /** Every key, in the order docs/configuration.md lists them. */
  static final List<ConfigKey> ALL = List.of(
      // The server
      server("server.host", ValueForm.HOST, "Address to listen on (`0.0.0.0` for every interface).")
          .defaultValue("127.0.0.1").flag("--host").legacyEnv("POLYSYNC_HOST"),
      server("server.port", ValueForm.PORT, "Port to listen on (0 for any free port).")
          .defaultValue("5984").flag("--port").legacyEnv("POLYSYNC_PORT"),
      server("data", ValueForm.PATH, "Directory of the embedded SQLite database and of the key file.")
          .defaultValue("./data").flag("--data"),
      server("storage.uri", ValueForm.STORAGE_URI,
          "Storage URI: `sqlite:`, `h2:`, `postgresql://`, `mariadb://`, `mysql://`, `redis://`, `rediss://`,"
              + " `mongodb://`, `mongodb+srv://`; may hold a password.")
          .defaultText("`sqlite:<data>/polysync.db`").flag("--storage").legacyEnv("POLYSYNC_STORAGE").asSecret(),
      server("admin", ValueForm.NAME_PASSWORD,
          "The administrator, created or given this password at start; without it the first start creates"
              + " `admin` with a random password printed once.")
          .defaultText("—").flag("--admin").asSecret(),
      server("cors.origins", ValueForm.LIST,
          "Browser origins allowed to call the API with credentials, comma-separated, or `*` for any.")
          .defaultValue("*").flag("--cors-origins"),
      // Encryption at rest
      server("encryption.enabled", ValueForm.BOOLEAN,
          "Encryption at rest; `false` stores new data in clear and is not recommended.")
          .defaultValue("true").flag("--encryption").legacyEnv("POLYSYNC_ENCRYPTION"),
      server("encryption.key-provider", ValueForm.TEXT,
          "Where the keys come from: `file`, `env` (`encryption.master-key`) or a plugin's name; `auto` takes the"
              + " one plugin installed, else `env` when a master key is set, else `file`.")
          .defaultValue("auto").flag("--key-provider").legacyEnv("POLYSYNC_KEY_PROVIDER"),
      server("encryption.key-file", ValueForm.PATH,
          "The key file, created with mode `0600` on first start; back it up apart from the database.")
          .defaultText("`<data>/polysync.key`").flag("--key-file").legacyEnv("POLYSYNC_KEY_FILE"),
      server("encryption.master-key", ValueForm.KEYS,
          "The keys of the `env` key provider: base64 AES-256 keys, comma-separated, the current one first.")
          .defaultText("—").legacyEnv("POLYSYNC_MASTER_KEY").asSecret(),
      // HTTPS
      server("tls.cert", ValueForm.PATH,
          "Serve HTTPS with this PEM certificate chain, the server's certificate first; with `tls.key`.")
          .defaultText("—").flag("--tls-cert"),
      server("tls.key", ValueForm.PATH, "The PEM private key of `tls.cert`, PKCS#8 or PKCS#1, not encrypted.")
          .defaultText("—").flag("--tls-key"),
      server("tls.self-signed", ValueForm.BOOLEAN,
          "Serve HTTPS with a self-signed certificate made at start, for development.")
          .defaultValue("false").flag("--tls-self-signed"),
      // Logging
      server("log.verbose", ValueForm.BOOLEAN, "Log Polysync's debug messages (failed requests, plugin details).")
          .defaultValue("false").flag("--verbose"),
      server("log.format", ValueForm.TEXT, "`text`, or `json` for one JSON object per line.")
          .defaultValue("text").flag("--log-format").legacyEnv("POLYSYNC_LOG_FORMAT"),
      server("log.access", ValueForm.BOOLEAN, "Log one line per request: method, path, status, time, route.")
          .defaultValue("false").flag("--access-log").legacyEnv("POLYSYNC_ACCESS_LOG"),
      server("metrics.access", ValueForm.TEXT,
          "Who may read `GET /metrics`: `loopback`, `admin` (server admins), `open`, or `off`.")
          .defaultValue("loopback").flag("--metrics").legacyEnv("POLYSYNC_METRICS"),
      // The CouchDB front-end (docs/protocols/couch.md)
      setting("couch.max_document_size", ValueForm.BYTES, "Largest document body; larger ones get 413.")
          .defaultValue("8000000").flag("--max-document-size").legacyEnv("POLYSYNC_MAX_DOCUMENT_SIZE"),
      setting("couch.max_http_request_size", ValueForm.BYTES, "Largest request body; larger ones get 413.")
          .defaultValue("268435456"),
      setting("couch.cors.origins", ValueForm.LIST, "`cors.origins` for the CouchDB API only.")
          .defaultText("`cors.origins`"),
      setting("couch.server_timing", ValueForm.BOOLEAN,
          "Add a `Server-Timing` header to every CouchDB answer that is not a streamed feed.")
          .defaultValue("false"),
      // The Kinto front-end (docs/protocols/kinto.md)
      setting("kinto.batch_max_requests", ValueForm.COUNT, "Most sub-requests per `/batch`.")
          .defaultValue("25"),
      setting("kinto.bucket_create_principals", ValueForm.LIST,
          "Principals besides server admins who may create buckets, comma-separated.")
          .defaultValue("", "none"),
      setting("kinto.account_create_principals", ValueForm.LIST,
          "Who may sign up, comma-separated; empty closes sign-up.")
          .defaultValue("system.Everyone"),
      setting("kinto.backoff", ValueForm.COUNT, "Seconds sent as `Backoff` on every answer when more than 0.")
          .defaultValue("0"),
      setting("kinto.readonly", ValueForm.BOOLEAN, "Only reads; writes get 405.")
          .defaultValue("false"),
      setting("kinto.http_base", ValueForm.URL, "The absolute URL of `/v1` used in `Next-Page` behind a proxy.")
          .defaultText("from the request's `Host`"),
      setting("kinto.history", ValueForm.BOOLEAN, "Keep the history of changes per bucket.")
          .defaultValue("false"),
      setting("kinto.history.max_age_days", ValueForm.COUNT, "Prune history entries older than this; 0 keeps all.")
          .defaultValue("0"),
      setting("kinto.max_request_bytes", ValueForm.BYTES, "Largest request body; larger ones get 413.")
          .defaultText("twice `couch.max_document_size`"),
      setting("kinto.cors.origins", ValueForm.LIST, "`cors.origins` for the Kinto API only.")
          .defaultText("`cors.origins`"),
      setting("kinto.experimental_permissions_endpoint", ValueForm.BOOLEAN,
          "Serve `GET /v1/permissions`, the objects the caller holds permissions on.")
          .defaultText("`false`"),
      // Abuse limits of both front-ends (docs/security.md)
      setting("limits.max_request_bytes", ValueForm.BYTES,
          "Largest request body for both protocols, unless `couch.max_http_request_size` or `kinto.max_request_bytes` is set.")
          .defaultText("each protocol's own"),
      setting("limits.json.max_depth", ValueForm.COUNT, "Deepest nesting of request JSON; deeper gets 400.")
          .defaultText("`200`"),
      setting("limits.json.max_string_length", ValueForm.COUNT, "Longest string in request JSON; 0: the body limit.")
          .defaultText("`0`"),
      setting("limits.json.max_number_length", ValueForm.COUNT, "Longest number in request JSON, in characters.")
          .defaultText("`100`"),
      setting("limits.json.max_name_length", ValueForm.COUNT, "Longest field name in request JSON.")
          .defaultText("`50000`"),
      setting("limits.rate.per_user", ValueForm.TEXT, "Requests per second per authenticated user (fractions allowed; 0 turns it off).")
          .defaultText("`500`"),
      setting("limits.rate.per_user.burst", ValueForm.COUNT, "Requests a user may send at once above the rate.")
          .defaultText("`5000`"),
      setting("limits.rate.per_address", ValueForm.TEXT, "Requests per second per client address (fractions allowed; 0 turns it off).")
          .defaultText("`1000`"),
      setting("limits.rate.per_address.burst", ValueForm.COUNT, "Requests an address may send at once above the rate.")
          .defaultText("`10000`"),
      setting("limits.rate.max_tracked", ValueForm.COUNT, "Most users and addresses whose allowance is remembered.")
          .defaultText("`100000`"),
      // Per-user databases (docs/security.md)
      setting("couch.peruser.enabled", ValueForm.BOOLEAN, "Give every account a private database `userdb-<hex of name>`.")
          .defaultText("`false`"),
      setting("couch.peruser.delete_dbs", ValueForm.BOOLEAN, "Delete a user's database with the account.")
          .defaultText("`false`"),
      setting("couch.peruser.database_prefix", ValueForm.TEXT, "The prefix of per-user database names.")
          .defaultText("`userdb-`"),
      // Authentication (docs/security.md)
      setting("auth.default.enabled", ValueForm.BOOLEAN, "Basic authentication of stored users.")
          .defaultText("`true`"),
      setting("auth.cookie.enabled", ValueForm.BOOLEAN, "CouchDB session cookies (`POST /_session`).")
          .defaultText("`true`"),
      setting("auth.jwt.issuer", ValueForm.URL,
          "Accept bearer JWTs from this OpenID Connect issuer (exactly the tokens' `iss`); off when unset.")
          .defaultText("—"),
      setting("auth.jwt.audience", ValueForm.TEXT, "The audience tokens must be issued for (the client id); required with `auth.jwt.issuer`.")
          .defaultText("—"),
      setting("auth.jwt.jwks_uri", ValueForm.URL, "The issuer's JWKS address, skipping discovery.")
          .defaultText("discovered"),
      setting("auth.jwt.user_claim", ValueForm.TEXT, "The claim that names the user.")
          .defaultText("`sub`"),
      setting("auth.jwt.user_prefix", ValueForm.TEXT, "Put before the claim's value (`oidc:`) so token users never meet stored accounts.")
          .defaultText("none"),
      setting("auth.jwt.roles_claim", ValueForm.TEXT, "A dotted path to the list of roles in the token.")
          .defaultText("none"),
      setting("auth.jwt.algorithms", ValueForm.LIST, "Accepted signature algorithms (RS, PS and ES families only).")
          .defaultText("`RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512`"),
      setting("auth.jwt.clock_skew_seconds", ValueForm.COUNT, "Leeway for `exp` and `nbf`.")
          .defaultText("`60`"),
      setting("auth.jwt.jwks_cache_seconds", ValueForm.COUNT, "How long fetched keys are used without asking again.")
          .defaultText("`300`"),
      setting("auth.jwt.jwks_refresh_min_seconds", ValueForm.COUNT, "The period in which at most two key fetches happen.")
          .defaultText("`30`"),
      setting("auth.proxy.secret", ValueForm.TEXT,
          "Accept CouchDB-style proxy authentication signed with this shared secret (16 characters or more); off when unset.")
          .defaultText("—").asSecret(),
      setting("auth.proxy.hash_algorithms", ValueForm.LIST, "HMACs accepted for the proxy token.")
          .defaultText("`sha256,sha1`"),
      setting("auth.proxy.username_header", ValueForm.TEXT, "The header naming the user.")
          .defaultText("`X-Auth-CouchDB-UserName`"),
      setting("auth.proxy.roles_header", ValueForm.TEXT, "The header listing the user's roles.")
          .defaultText("`X-Auth-CouchDB-Roles`"),
      setting("auth.proxy.token_header", ValueForm.TEXT, "The header carrying the HMAC token.")
          .defaultText("`X-Auth-CouchDB-Token`"),
      setting("auth.proxy.allow_unsigned", ValueForm.BOOLEAN,
          "Dangerous: trust the proxy headers without a token (docs/security.md says when this is acceptable).")
          .defaultText("`false`"));

  private static final Map<String, ConfigKey> BY_NAME = index();

  private ConfigKeys() {}

  static Optional<ConfigKey> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** Refuses two keys, flags or environment variables spelt alike, so that each name means one key. */
  private static Map<String, ConfigKey> index() {
    Map<String, ConfigKey> byName = new HashMap<>();
    Map<String, String> spellings = new HashMap<>();
    for (ConfigKey key : ALL) {
      if (byName.put(key.name(), key) != null) {
        throw new IllegalStateException("two configuration keys named " + key.name());
      }
      List<String> names = new java.util.ArrayList<>();
      names.add(key.name());
      key.fileName().ifPresent(names::add);
      names.addAll(key.envNames());
      names.addAll(key.fileEnvNames());
      key.flag().ifPresent(names::add);
      key.fileFlag().ifPresent(names::add);
      for (String n : names) {
        String other = spellings.put(n, key.name());
        if (other != null && !other.equals(key.name())) {
          throw new IllegalStateException(n + " would name both " + other + " and " + key.name());
        }
      }
    }
    return Map.copyOf(byName);
  }
}
