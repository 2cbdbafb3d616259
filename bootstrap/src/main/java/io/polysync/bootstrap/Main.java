package io.polysync.bootstrap;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code polysync serve}: starts the server and runs until it is stopped. */
@Command(
    name = "polysync serve",
    footer = {"", "Every option is also a key of the configuration file (--config, else ./polysync.yaml) and an"
        + " environment variable; a flag beats the environment, which beats the file, which beats the default"
        + " (docs/configuration.md).", "", "Key maintenance: polysync keys --help"},
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = "Starts the Polysync server.")
public final class Main implements Callable<Integer> {
  // The fields hold what was typed; ConfigLoader reads them through picocli's parse result, by the
  // option names ConfigKeys gives, and adds the environment, the file and the defaults. An option
  // of a configuration key therefore has no defaultValue here (see ConfigKeys on adding a key).

  @Option(names = ConfigLoader.CONFIG_FLAG, paramLabel = "FILE",
      description = "The configuration file, YAML (POLYSYNC_CONFIG; default ./polysync.yaml when it exists).")
  Path config;

  @Option(names = "--host", paramLabel = "HOST",
      description = "Address to listen on (server.host, POLYSYNC_HOST; default 127.0.0.1).")
  String host;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Port to listen on (server.port, POLYSYNC_PORT; default 5984).")
  String port;

  @Option(names = "--data", paramLabel = "PATH",
      description = "Directory of the embedded SQLite database (data, POLYSYNC_DATA; default ./data).")
  String data;

  @Option(names = "--admin", paramLabel = "NAME:PASSWORD",
      description = "The administrator (admin, POLYSYNC_ADMIN). Without it, one is created on first start"
          + " with a random password that is printed once.")
  String admin;

  @Option(names = "--admin-file", paramLabel = "FILE",
      description = "A file holding NAME:PASSWORD of the administrator (admin-file, POLYSYNC_ADMIN_FILE).")
  String adminFile;

  @Option(names = "--storage", paramLabel = "URI",
      description = "Storage URI (storage.uri, POLYSYNC_STORAGE): sqlite:PATH (default sqlite:<data>/polysync.db),"
          + " h2:PATH, postgresql://user:password@host/db, mariadb://..., mysql://...,"
          + " redis://[:password@]host:6379/0, mongodb://user:password@host/db")
  String storage;

  @Option(names = "--storage-file", paramLabel = "FILE",
      description = "A file holding the storage URI, for one with a password (storage.uri-file,"
          + " POLYSYNC_STORAGE_FILE).")
  String storageFile;

  @Option(names = "--max-document-size", paramLabel = "BYTES",
      description = "Largest document in bytes (couch.max_document_size, POLYSYNC_MAX_DOCUMENT_SIZE; default 8000000).")
  String maxDocumentSize;

  @Option(names = "--cors-origins", paramLabel = "ORIGINS",
      description = "Browser origins allowed to call the API with credentials, comma-separated, or * for any"
          + " (cors.origins, POLYSYNC_CORS_ORIGINS; default *).")
  String corsOrigins;

  @Option(names = ConfigLoader.SETTING_FLAG, paramLabel = "KEY=VALUE",
      description = "Any configuration key, repeatable, as a flag: kinto.backoff=SECONDS, kinto.history=true,"
          + " couch.server_timing=true, ... (docs/configuration.md lists them).")
  Map<String, String> extraSettings = new java.util.LinkedHashMap<>();

  @Option(names = "--encryption", paramLabel = "on|off",
      description = "Encryption at rest (encryption.enabled, POLYSYNC_ENCRYPTION; default on). off stores new data"
          + " in clear, readable by anyone who can read the database or its backups: not recommended"
          + " (see docs/security.md).")
  String encryption;

  @Option(names = "--key-file", paramLabel = "PATH",
      description = "The key file (encryption.key-file, POLYSYNC_KEY_FILE; default <data>/polysync.key, created"
          + " with mode 0600 on first start). Keep it secret and back it up apart from the database: without it"
          + " the data cannot be read.")
  String keyFile;

  @Option(names = "--key-provider", paramLabel = "NAME",
      description = "Where the keys come from (encryption.key-provider, POLYSYNC_KEY_PROVIDER): file, env"
          + " (POLYSYNC_MASTER_KEY, base64), or an installed plugin's name; default auto: the one plugin installed,"
          + " else env when POLYSYNC_MASTER_KEY is set, else file.")
  String keyProvider;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Serve HTTPS with this PEM certificate chain, the server's certificate first (tls.cert,"
          + " POLYSYNC_TLS_CERT); with --tls-key.")
  String tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM",
      description = "The PEM private key of --tls-cert, PKCS#8 or PKCS#1, not encrypted (tls.key, POLYSYNC_TLS_KEY).")
  String tlsKey;

  @Option(names = "--tls-self-signed",
      description = "Serve HTTPS with a self-signed certificate made at start, for development; its SHA-256"
          + " fingerprint is printed (tls.self-signed).")
  boolean tlsSelfSigned;

  @Option(names = "--verbose", description = "Log more: requests that fail, plugin details (log.verbose).")
  boolean verbose;

  @Option(names = "--log-format", paramLabel = "text|json",
      description = "Log lines as text or as one JSON object per line (log.format, POLYSYNC_LOG_FORMAT; default text).")
  String logFormat;

  @Option(names = "--access-log",
      description = "Log one line per request: method, path, status, time, route (log.access, POLYSYNC_ACCESS_LOG).")
  boolean accessLog;

  @Option(names = "--metrics", paramLabel = "ACCESS",
      description = "Who may read GET /metrics (metrics.access, POLYSYNC_METRICS): loopback (default: clients on this"
          + " host), admin (server admins, Basic credentials), open, or off (see docs/operations/observability.md).")
  String metrics;

  @Spec
  CommandSpec spec;

  private final PrintStream console;
  private final PrintStream err;
  private final Map<String, String> environment;
  private final Path workingDirectory;

  public Main() {
    this(System.out, System.err, System.getenv(), Path.of("").toAbsolutePath());
  }

  /** With the streams, the environment and the working directory given, for tests. */
  Main(PrintStream console, PrintStream err, Map<String, String> environment, Path workingDirectory) {
    this.console = console;
    this.err = err;
    this.environment = Map.copyOf(environment);
    this.workingDirectory = workingDirectory;
  }

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int code = PolysyncCommand.run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    Configuration configuration;
    try {
      configuration = configuration();
    } catch (ConfigException e) {
      e.problems().forEach(p -> err.println("polysync: " + p));
      return ConfigException.EXIT_STATUS;
    }
    configuration.warnings().forEach(w -> err.println("polysync: " + w));
    String formatText = configuration.value("log.format").orElse("text");
    String accessText = configuration.value("metrics.access").orElse("loopback");
    Optional<LogFormat> format = LogFormat.parse(formatText);
    Optional<ObserveOptions.MetricsAccess> metricsAccess = ObserveOptions.MetricsAccess.parse(accessText);
    if (format.isEmpty() || metricsAccess.isEmpty()) {
      err.println("polysync: " + (format.isEmpty() ? "log.format: expected text or json, got '" + formatText + "'"
          : "metrics.access: expected loopback, admin, open or off, got '" + accessText + "'"));
      return ConfigException.EXIT_STATUS;
    }
    configureLogging(configuration.bool("log.verbose"), format.get());
    configuration.file().ifPresent(f -> System.getLogger(Main.class.getName())
        .log(System.Logger.Level.INFO, "configuration file " + f));
    ServeOptions options = configuration.serveOptions().withObserve(new ObserveOptions(metricsAccess.get(),
        configuration.bool("log.access"), ObserveOptions.DEFAULT_READINESS_TIMEOUT));
    Server server;
    try {
      server = Server.start(options, console);
    } catch (StartupException e) {
      err.println("polysync: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "polysync-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * The configuration from what was typed (once picocli has parsed it), the environment and the
   * configuration file.
   *
   * @throws ConfigException listing every problem found
   */
  Configuration configuration() {
    ParseResult parsed = spec.commandLine().getParseResult();
    return ConfigLoader.load(ConfigLoader.flags(parsed), ConfigLoader.configFlag(parsed), environment,
        workingDirectory);
  }

  /**
   * One line per message, as text or JSON, with the request id when there is one; Polysync at
   * INFO, libraries (Helidon, the pool) only when they warn.
   */
  static void configureLogging(boolean verbose, LogFormat format) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(format.formatter());
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(Level.WARNING);
    Logger.getLogger("io.polysync").setLevel(verbose ? Level.FINE : Level.INFO);
  }
}
