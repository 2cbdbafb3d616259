package io.polysync.bootstrap;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.polysync.engine.EngineError;
import io.polysync.engine.EngineOptions;
import io.polysync.engine.KeyProvider;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.User;
import io.polysync.engine.UserContext;
import io.polysync.engine.UserStore;
import io.polysync.protocol.spi.AuthenticatorContext;
import io.polysync.protocol.spi.FrontEndContext;
import io.polysync.protocol.spi.FrontEndMetrics;
import io.polysync.protocol.spi.HttpAuthenticator;
import io.polysync.protocol.spi.JsonLimits;
import io.polysync.protocol.spi.PerUserDatabases;
import io.polysync.protocol.spi.ProtocolFrontEnd;
import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.StorageProvider;
import io.polysync.spi.SyncException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A running server: storage, engine and Helidon, closed in reverse order. */
final class Server implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Server.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  static final int MAX_REQUEST_LINE = 64 * 1024;
  static final String GENERATED_ADMIN = "admin";

  private final Storage storage;
  private final SyncEngine engine;
  private final WebServer web;
  private final Optional<X509Certificate> certificate;
  private final Observability observability;

  private Server(Storage storage, SyncEngine engine, WebServer web, Optional<X509Certificate> certificate,
      Observability observability) {
    this.storage = storage;
    this.engine = engine;
    this.web = web;
    this.certificate = certificate;
    this.observability = observability;
  }

  /** The TLS configuration and the certificate it serves. */
  private record Https(Tls tls, X509Certificate certificate) {}

  private static Optional<Https> https(ServeOptions options, PrintStream console) {
    TlsOptions tls = options.tls();
    if (!tls.enabled()) {
      return Optional.empty();
    }
    if (tls.selfSigned()) {
      SelfSignedCertificate self = SelfSignedCertificate.generate(options.host());
      String fingerprint = SelfSignedCertificate.fingerprint(self.certificate());
      console.println("TLS with a self-signed certificate for development (valid 30 days, made at this start)."
          + " SHA-256 fingerprint: " + fingerprint);
      return Optional.of(new Https(Tls.builder()
          .privateKey(self.privateKey())
          .privateKeyCertChain(List.of(self.certificate()))
          .build(), self.certificate()));
    }
    try {
      Keys keys = Keys.builder().pem(pem -> pem
              .key(Resource.create(tls.privateKey().orElseThrow()))
              .certChain(Resource.create(tls.certificate().orElseThrow())))
          .build();
      List<X509Certificate> chain = keys.certChain();
      if (keys.privateKey().isEmpty() || chain.isEmpty()) {
        throw new StartupException("--tls-cert/--tls-key: no private key or no certificate found in the PEM files");
      }
      X509Certificate leaf = chain.get(0);
      LOG.log(System.Logger.Level.INFO, "TLS certificate " + leaf.getSubjectX500Principal().getName()
          + ", valid until " + leaf.getNotAfter().toInstant() + ", SHA-256 fingerprint "
          + SelfSignedCertificate.fingerprint(leaf));
      return Optional.of(new Https(Tls.builder()
          .privateKey(keys.privateKey().get())
          .privateKeyCertChain(chain)
          .build(), leaf));
    } catch (RuntimeException e) {
      if (e instanceof StartupException) {
        throw e;
      }
      throw new StartupException("--tls-cert/--tls-key: cannot read the PEM files: " + rootMessage(e), e);
    }
  }

  /** The certificate served over HTTPS, if any. */
  Optional<X509Certificate> certificate() {
    return certificate;
  }

  /**
   * Starts everything or nothing.
   *
   * @param console where a generated admin password is printed, once
   */
  static Server start(ServeOptions options, PrintStream console) {
    options.tls().check();
    ClassLoader loader = Server.class.getClassLoader();
    List<StorageProvider> providers = Plugins.storageProviders(loader);
    List<ProtocolFrontEnd> frontEnds = Plugins.frontEnds(loader);

    Optional<KeyProvider> keys = options.keys().keyProvider(options.dataDir(), loader);
    EngineOptions engineOptions = options.keys().engineOptions(keys);
    StorageConfig config = StorageConfig.of(options.effectiveStorageUri());
    Observability observability = new Observability(options.observe());
    Storage storage;
    try {
      storage = observability.timed(open(config, providers), adapterName(config, providers));
    } catch (RuntimeException e) {
      observability.close();
      throw e;
    }
    SyncEngine engine = null;
    try {
      // The server's own records (its session key above all) are sealed as the engine's are.
      Storage raw = storage;
      storage = sealed(storage, engineOptions);
      logEncryption(options.keys(), keys);
      Map<String, String> records = new SystemRecords(storage).load();
      engine = SyncEngine.create(storage, engineOptions);
      if (options.keys().encryption()) {
        sealClearRecords(raw, storage, records, engine);
      }
      ensureAdmin(storage, engine.users(), records, options, console);
      UserAuthenticator authenticator = new UserAuthenticator(engine.users(),
          Base64.getDecoder().decode(records.get(SystemRecords.SESSION_KEY)), Clock.systemUTC());
      List<HttpAuthenticator> authenticators = Plugins.authenticators(loader,
          new AuthenticatorContext(authenticator, options.settings()));
      FrontEndContext context = new FrontEndContext(
          engine, records.get(SystemRecords.SERVER_ID), authenticator, options.settings(), authenticators,
          FrontEndMetrics.NONE, TokenBucketRateLimiter.fromSettings(options.settings()), jsonLimits(options.settings()));
      ensurePerUserDatabases(engine, options.settings());
      warnOfSharedNames(authenticators, options.settings());
      SyncEngine theEngine = engine;
      Storage theStorage = storage;
      Optional<Https> https = https(options, console);
      ErrorsPage errorsPage = ErrorsPage.load();
      var builder = WebServer.builder();
      https.ifPresent(h -> builder.tls(h.tls()));
      WebServer web = builder
          .host(options.host())
          .port(options.port())
          .shutdownHook(false)
          // A longpoll answer goes out in several small writes (its opening, the rows, the end);
          // with Nagle's algorithm the last one waits for the client's delayed ACK, about 40 ms
          // on Linux, on every live change.
          .connectionOptions(socket -> socket.tcpNoDelay(true))
          // CouchDB's replicator puts revision lists in the URL (open_revs, atts_since) and shortens
          // them only after a 414; Helidon's default request line is far shorter than CouchDB's.
          .addProtocol(Http1Config.builder().maxPrologueLength(MAX_REQUEST_LINE).build())
          // Errors Helidon answers itself (a malformed request line, percent-encoding or content
          // encoding) get the owning protocol's JSON error instead of Helidon's text.
          .directHandlers(d -> {
            DirectHandler handler = transportErrors(frontEnds);
            for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
              d.addHandler(type, handler);
            }
          })
          .routing(routing -> {
            // Before the front-ends: the CouchDB one answers every path it is given.
            errorsPage.mount(routing);
            observability.mount(routing, theStorage, authenticator);
            for (ProtocolFrontEnd frontEnd : frontEnds) {
              frontEnd.mount(routing, context.withMetrics(observability.frontEnd(frontEnd.name())));
              LOG.log(System.Logger.Level.INFO, "front-end " + frontEnd.name() + " (SPI "
                  + frontEnd.spiVersion() + ") at " + frontEnd.pathPrefix());
            }
          })
          .build();
      try {
        web.start();
      } catch (RuntimeException e) {
        throw new StartupException("cannot listen on " + options.host() + ":" + options.port() + ": "
            + rootMessage(e), e);
      }
      if (web.port() < 0) {
        // Helidon logs a failed bind and reports port -1 instead of throwing.
        web.stop();
        throw new StartupException("cannot listen on " + options.host() + ":" + options.port()
            + " (is another process using it?)");
      }
      LOG.log(System.Logger.Level.INFO, "storage " + config.redactedUri());
      LOG.log(System.Logger.Level.INFO, "listening on " + (https.isPresent() ? "https" : "http") + "://"
          + options.host() + ":" + web.port() + "/");
      return new Server(storage, theEngine, web, https.map(Https::certificate), observability);
    } catch (RuntimeException e) {
      if (engine != null) {
        engine.close();
      }
      storage.close();
      observability.close();
      if (e instanceof SyncException se) {
        throw new StartupException("storage " + config.redactedUri() + ": " + se.getMessage(), e);
      }
      throw e;
    }
  }

  /**
   * Token users and stored accounts share one set of names. With open sign-up and Basic on, a
   * stranger could take the name a token user will arrive with; {@code auth.jwt.user_prefix}
   * keeps them apart (docs/security.md). Said once at start, since it is a deployment choice.
   */
  private static void warnOfSharedNames(List<HttpAuthenticator> authenticators, Map<String, String> settings) {
    boolean jwt = authenticators.stream().anyMatch(a -> a.name().equals("jwt"));
    boolean prefixed = !settings.getOrDefault("auth.jwt.user_prefix", "").isEmpty();
    boolean basic = authenticators.stream().anyMatch(a -> a.name().equals("default"));
    if (jwt && !prefixed && basic) {
      LOG.log(System.Logger.Level.WARNING, "bearer-token users and stored accounts share one set of names: anyone"
          + " who may sign up could take a name before its token user first arrives. Set auth.jwt.user_prefix"
          + " (e.g. oidc:) or auth.default.enabled=false unless sign-up is closed (docs/security.md).");
    }
  }

  /** With {@code couch.peruser.enabled}, users who signed up before get their database now. */
  private static void ensurePerUserDatabases(SyncEngine engine, Map<String, String> settings) {
    PerUserDatabases perUser;
    try {
      perUser = PerUserDatabases.of(engine, settings);
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage(), e);
    }
    if (perUser.enabled()) {
      int created = perUser.ensureAll();
      LOG.log(System.Logger.Level.INFO, "per-user databases: on (" + created + " created for existing users)");
    }
  }

  /** Renders a transport-level error with the first front-end that owns the path. */
  static DirectHandler transportErrors(List<ProtocolFrontEnd> frontEnds) {
    return (request, type, status, headers, message) -> {
      String path = request.path() == null ? "" : request.path();
      byte[] body = frontEnds.stream()
          .map(f -> f.transportError(path, status.code()))
          .flatMap(Optional::stream)
          .findFirst()
          .orElseGet(() -> ("{\"error\":\"bad_request\",\"reason\":\"" + status.reasonPhrase() + "\"}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      // Helidon's message may name its own classes: it goes to the log, never to the client.
      LOG.log(System.Logger.Level.DEBUG, "transport error " + status.code() + " " + type + ": " + message);
      return DirectHandler.TransportResponse.builder()
          .status(status)
          .headers(headers)
          .header(HeaderNames.CONTENT_TYPE, "application/json")
          .keepAlive(type.keepAlive())
          .entity(body)
          .build();
    };
  }

  private static JsonLimits jsonLimits(Map<String, String> settings) {
    try {
      return JsonLimits.fromSettings(settings);
    } catch (IllegalArgumentException e) {
      throw new StartupException("--setting " + e.getMessage(), e);
    }
  }

  private static Storage sealed(Storage storage, EngineOptions options) {
    try {
      return SyncEngine.sealedView(storage, options);
    } catch (SyncException e) {
      throw new StartupException("encryption at rest: " + e.getMessage(), e);
    }
  }

  /**
   * An installation from before encryption at rest keeps its records in clear until they are
   * written again. The session key and the password hashes are worth not waiting for: the records
   * that never change are written again sealed, and so are the user records (which ends those
   * users' sessions once). A record whose stored text equals what the sealed view reads is clear.
   */
  private static void sealClearRecords(Storage raw, Storage sealed, Map<String, String> records, SyncEngine engine) {
    Map<String, String> stored = new SystemRecords(raw).load();
    SystemRecords system = new SystemRecords(sealed);
    int count = 0;
    for (String key : List.of(SystemRecords.SERVER_ID, SystemRecords.SESSION_KEY, SystemRecords.ADMIN_NAME)) {
      String value = records.get(key);
      if (value != null && value.equals(stored.get(key))) {
        system.put(key, value);
        count++;
      }
    }
    int users = engine.sealClearUserRecords();
    if (count + users > 0) {
      LOG.log(System.Logger.Level.INFO, "encryption at rest: sealed " + count + " server records and " + users
          + " user records stored in clear before it was on (those users sign in again); clear documents are"
          + " sealed when next written");
    }
  }

  private static void logEncryption(KeyOptions options, Optional<KeyProvider> keys) {
    if (options.encryption()) {
      KeyProvider p = keys.orElseThrow();
      LOG.log(System.Logger.Level.INFO, "encryption at rest: on, keys from the " + p.description()
          + " (current key " + p.currentKeyId() + ")");
    } else {
      LOG.log(System.Logger.Level.WARNING, "encryption at rest is OFF (--encryption off): new data is stored in"
          + " clear, readable by anyone who can read the database or its backups. Not recommended."
          + keys.map(p -> " Data sealed earlier is read with the " + p.description() + ".").orElse(""));
    }
  }

  /** The name of the adapter {@link #open} picks, for the storage metrics; called after it succeeded. */
  private static String adapterName(StorageConfig config, List<StorageProvider> providers) {
    String scheme = config.scheme();
    return providers.stream().filter(p -> p.schemes().contains(scheme)).findFirst().orElseThrow().name();
  }

  static Storage open(StorageConfig config, List<StorageProvider> providers) {
    String scheme;
    try {
      scheme = config.scheme();
    } catch (SyncException e) {
      throw new StartupException(e.getMessage(), e);
    }
    List<StorageProvider> matching = providers.stream().filter(p -> p.schemes().contains(scheme)).toList();
    if (matching.isEmpty()) {
      throw new StartupException("no storage adapter handles '" + scheme + ":' in " + config.redactedUri()
          + " (installed: " + providers.stream().flatMap(p -> p.schemes().stream()).sorted().toList() + ")");
    }
    try {
      return matching.get(0).open(config);
    } catch (SyncException e) {
      // Adapters name the (redacted) URI in their messages already; do not say it twice.
      String message = e.getMessage().contains(config.redactedUri())
          ? e.getMessage() : config.redactedUri() + ": " + e.getMessage();
      throw new StartupException("cannot open the storage: " + message, e);
    } catch (RuntimeException e) {
      throw new StartupException("cannot open storage " + config.redactedUri() + ": "
          + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Makes sure a server admin can sign in: the {@code --admin} account when given (created, or its
   * password and {@code _admin} role restored), else the account an older version kept in the
   * system records (moved into the user store, hash and all), else a generated one whose password
   * is printed once and stored only as a hash.
   */
  private static void ensureAdmin(Storage storage, UserStore users, Map<String, String> records,
      ServeOptions options, PrintStream console) {
    SystemRecords system = new SystemRecords(storage);
    String legacyName = records.get(SystemRecords.ADMIN_NAME);
    String legacyHash = records.get(SystemRecords.ADMIN_HASH);
    if (legacyName != null && legacyHash != null) {
      if (users.get(legacyName).isEmpty()) {
        createIgnoringRace(() -> users.createHashed(legacyName, legacyHash, List.of(UserContext.SERVER_ADMIN)));
        LOG.log(System.Logger.Level.INFO, "admin account " + legacyName + " moved into the user store");
      }
      system.put(SystemRecords.ADMIN_HASH, null);
    }
    if (options.admin().isPresent()) {
      String spec = options.admin().get();
      int colon = spec.indexOf(':');
      if (colon <= 0 || colon == spec.length() - 1) {
        throw new StartupException("--admin must be NAME:PASSWORD");
      }
      String name = spec.substring(0, colon);
      String password = spec.substring(colon + 1);
      Optional<User> existing = users.get(name);
      try {
        if (existing.isEmpty()) {
          createIgnoringRace(() -> users.create(name, password, List.of(UserContext.SERVER_ADMIN)));
          LOG.log(System.Logger.Level.INFO, "admin account " + name + " created");
        } else {
          if (users.authenticate(name, password).isEmpty()) {
            users.setPassword(name, password);
            LOG.log(System.Logger.Level.INFO, "admin account " + name + " password set");
          }
          if (!existing.get().roles().contains(UserContext.SERVER_ADMIN)) {
            List<String> roles = new ArrayList<>(existing.get().roles());
            roles.add(UserContext.SERVER_ADMIN);
            users.setRoles(name, roles);
          }
        }
      } catch (SyncException e) {
        if (e.errorCode() == EngineError.INVALID_USER) {
          throw new StartupException("--admin: " + e.getMessage(), e);
        }
        throw e;
      }
      system.put(SystemRecords.ADMIN_NAME, name);
      return;
    }
    if (hasServerAdmin(users)) {
      return;
    }
    byte[] secret = new byte[18];
    RANDOM.nextBytes(secret);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    try {
      // Create-if-absent, in one compare-and-set: of several processes starting together on one
      // empty storage exactly one creates the account, and only its password is ever printed.
      users.create(GENERATED_ADMIN, password, List.of(UserContext.SERVER_ADMIN));
    } catch (SyncException e) {
      if (e.errorCode() != EngineError.USER_EXISTS) {
        throw e;
      }
      if (users.get(GENERATED_ADMIN).filter(u -> u.roles().contains(UserContext.SERVER_ADMIN)).isPresent()) {
        // Another process starting at the same time won; its password is the one that works.
        console.println("The admin account was created by another process starting on the same storage;"
            + " its password was printed there.");
        return;
      }
      // A plain account holds the name (every admin was deleted and someone signed up as admin):
      // it becomes the admin with the new password.
      users.setPassword(GENERATED_ADMIN, password);
      users.setRoles(GENERATED_ADMIN, List.of(UserContext.SERVER_ADMIN));
    }
    system.put(SystemRecords.ADMIN_NAME, GENERATED_ADMIN);
    console.println("Created the admin account. Name: admin  Password: " + password);
    console.println("This password is shown only once; start with --admin NAME:PASSWORD to replace it.");
  }

  private static boolean hasServerAdmin(UserStore users) {
    String after = "";
    while (true) {
      List<User> page = users.list(after, 1000);
      if (page.stream().anyMatch(u -> u.roles().contains(UserContext.SERVER_ADMIN))) {
        return true;
      }
      if (page.size() < 1000) {
        return false;
      }
      after = page.get(page.size() - 1).name();
    }
  }

  /** Another process starting on the same storage may have created the account first. */
  private static void createIgnoringRace(Runnable create) {
    try {
      create.run();
    } catch (SyncException e) {
      if (e.errorCode() != EngineError.USER_EXISTS) {
        throw e;
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  int port() {
    return web.port();
  }

  /** The storage as the engine sees it (timed and sealed), for tests. */
  Storage storage() {
    return storage;
  }

  @Override
  public void close() {
    try {
      web.stop();
    } finally {
      try {
        engine.close();
      } finally {
        try {
          storage.close();
        } finally {
          observability.close();
        }
      }
    }
  }
}
