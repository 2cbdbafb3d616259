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
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code polysync serve}: starts the server and runs until it is stopped. */
@Command(
    name = "polysync serve",
    footer = {"", "Key maintenance: polysync keys --help"},
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = "Starts the Polysync server. Every option can also be set with the environment"
        + " variable named in its description.")
public final class Main implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "${env:POLYSYNC_HOST:-127.0.0.1}",
      description = "Address to listen on (POLYSYNC_HOST; default 127.0.0.1).")
  String host;

  @Option(names = "--port", defaultValue = "${env:POLYSYNC_PORT:-5984}",
      description = "Port to listen on (POLYSYNC_PORT; default 5984).")
  int port;

  @Option(names = "--data", defaultValue = "${env:POLYSYNC_DATA:-./data}",
      description = "Directory of the embedded SQLite database (POLYSYNC_DATA; default ./data).")
  Path data;

  @Option(names = "--admin", defaultValue = "${env:POLYSYNC_ADMIN}", paramLabel = "NAME:PASSWORD",
      description = "The administrator (POLYSYNC_ADMIN). Without it, one is created on first start"
          + " with a random password that is printed once.")
  String admin;

  @Option(names = "--storage", defaultValue = "${env:POLYSYNC_STORAGE}", paramLabel = "URI",
      description = "Storage URI (POLYSYNC_STORAGE): sqlite:PATH (default sqlite:<data>/polysync.db),"
          + " h2:PATH, postgresql://user:password@host/db, mariadb://..., mysql://...,"
          + " redis://[:password@]host:6379/0, mongodb://user:password@host/db")
  String storage;

  @Option(names = "--max-document-size", defaultValue = "${env:POLYSYNC_MAX_DOCUMENT_SIZE:-8000000}",
      description = "Largest document in bytes (POLYSYNC_MAX_DOCUMENT_SIZE; default 8000000).")
  long maxDocumentSize;

  @Option(names = "--cors-origins", defaultValue = "${env:POLYSYNC_CORS_ORIGINS:-*}", paramLabel = "ORIGINS",
      description = "Browser origins allowed to call the API with credentials, comma-separated, or *"
          + " for any (POLYSYNC_CORS_ORIGINS; default *).")
  String corsOrigins;

  @Option(names = "--setting", paramLabel = "KEY=VALUE",
      description = "A front-end setting, repeatable: kinto.backoff=SECONDS, kinto.batch_max_requests=N,"
          + " kinto.bucket_create_principals=P1,P2, kinto.account_create_principals=P1,P2, kinto.readonly=true,"
          + " kinto.http_base=URL, kinto.history=true (see docs/protocols/kinto.md).")
  Map<String, String> extraSettings = new java.util.LinkedHashMap<>();

  @Option(names = "--encryption", defaultValue = "${env:POLYSYNC_ENCRYPTION:-on}", paramLabel = "on|off",
      description = "Encryption at rest (POLYSYNC_ENCRYPTION; default on). off stores new data in clear, readable"
          + " by anyone who can read the database or its backups: not recommended (see docs/security.md).")
  String encryption;

  @Option(names = "--key-file", defaultValue = "${env:POLYSYNC_KEY_FILE}", paramLabel = "PATH",
      description = "The key file (POLYSYNC_KEY_FILE; default <data>/polysync.key, created with mode 0600 on first"
          + " start). Keep it secret and back it up apart from the database: without it the data cannot be read.")
  Path keyFile;

  @Option(names = "--key-provider", defaultValue = "${env:POLYSYNC_KEY_PROVIDER:-auto}", paramLabel = "NAME",
      description = "Where the keys come from (POLYSYNC_KEY_PROVIDER): file, env (POLYSYNC_MASTER_KEY, base64),"
          + " or an installed plugin's name; default auto: the one plugin installed, else env when"
          + " POLYSYNC_MASTER_KEY is set, else file.")
  String keyProvider;

  @Option(names = "--tls-cert", defaultValue = "${env:POLYSYNC_TLS_CERT}", paramLabel = "PEM",
      description = "Serve HTTPS with this PEM certificate chain, the server's certificate first (POLYSYNC_TLS_CERT);"
          + " with --tls-key.")
  Path tlsCert;

  @Option(names = "--tls-key", defaultValue = "${env:POLYSYNC_TLS_KEY}", paramLabel = "PEM",
      description = "The PEM private key of --tls-cert, PKCS#8 or PKCS#1, not encrypted (POLYSYNC_TLS_KEY).")
  Path tlsKey;

  @Option(names = "--tls-self-signed",
      description = "Serve HTTPS with a self-signed certificate made at start, for development; its SHA-256"
          + " fingerprint is printed.")
  boolean tlsSelfSigned;

  @Option(names = "--verbose", description = "Log more (requests that fail, plugin details).")
  boolean verbose;

  private final PrintStream console = System.out;

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int code = PolysyncCommand.run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    configureLogging(verbose);
    Map<String, String> settings = new java.util.LinkedHashMap<>();
    settings.put("couch.max_document_size", Long.toString(maxDocumentSize));
    settings.put("couch.cors.origins", corsOrigins);
    settings.put("kinto.cors.origins", corsOrigins);
    settings.putAll(extraSettings);
    Optional<Boolean> on = onOff(encryption);
    if (on.isEmpty()) {
      System.err.println("polysync: --encryption takes on or off, not " + encryption);
      return 2;
    }
    ServeOptions options = new ServeOptions(host, port, data, Optional.ofNullable(admin).filter(s -> !s.isBlank()),
        Optional.ofNullable(storage), settings, new KeyOptions(on.get(), keyProvider, Optional.ofNullable(keyFile)),
        new TlsOptions(Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey), tlsSelfSigned));
    Server server;
    try {
      server = Server.start(options, console);
    } catch (StartupException e) {
      System.err.println("polysync: " + e.getMessage());
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

  static Optional<Boolean> onOff(String value) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "on", "true", "yes" -> Optional.of(true);
      case "off", "false", "no" -> Optional.of(false);
      default -> Optional.empty();
    };
  }

  /** One line per message; Polysync at INFO, libraries (Helidon, the pool) only when they warn. */
  static void configureLogging(boolean verbose) {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new SimpleFormatter());
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(Level.WARNING);
    Logger.getLogger("io.polysync").setLevel(verbose ? Level.FINE : Level.INFO);
  }
}
