package io.polysync.bootstrap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polysync.protocol.spi.Authenticator;
import io.polysync.protocol.spi.FrontEndMetrics;
import io.polysync.protocol.spi.Principal;
import io.polysync.spi.Storage;
import io.polysync.spi.SyncException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's metrics, health checks, request ids and access log: a Helidon filter in front of
 * every route, the {@code /metrics} and {@code /health/*} routes, a timing decorator around the
 * storage, and the {@link FrontEndMetrics} each front-end reports to. The engine knows none of it.
 *
 * <p>Meter names are Micrometer's dotted names; {@code /metrics} shows them the Prometheus way
 * ({@code polysync.http.server.requests} becomes {@code polysync_http_server_requests_seconds}).
 * Every label has a small, fixed set of values: route templates, never database names or ids.
 */
final class Observability implements AutoCloseable {
  private static final System.Logger ACCESS = System.getLogger("io.polysync.access");
  private static final System.Logger LOG = System.getLogger(Observability.class.getName());
  static final HeaderName REQUEST_ID = HeaderNames.create(RequestIds.HEADER);
  static final String HTTP_METER = "polysync.http.server.requests";
  static final String FEEDS_METER = "polysync.feeds.open";
  static final String DOCUMENTS_IN_METER = "polysync.documents.in";
  static final String DOCUMENTS_OUT_METER = "polysync.documents.out";
  /** The route of a request no front-end named (Helidon's own 404, a request that failed early). */
  static final String UNMATCHED = "unmatched";
  /** From a cached read to a longpoll's full minute. */
  private static final Duration[] HTTP_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    Duration.ofSeconds(30), Duration.ofSeconds(60)
  };
  /** Methods named as themselves in the {@code method} label; anything else is {@code other}. */
  private static final Set<String> METHODS = Set.of(
      "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "COPY");
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final JsonFactory JSON = new JsonFactory();

  private final ObserveOptions options;
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final Map<String, AtomicInteger> feeds = new ConcurrentHashMap<>();
  private final Map<String, Timer> httpTimers = new ConcurrentHashMap<>();
  private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();
  /** The readiness probe in flight: a stuck storage holds one thread, not one per check. */
  private final AtomicReference<CompletableFuture<Void>> probe = new AtomicReference<>();

  Observability(ObserveOptions options) {
    this.options = options;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
  }

  MeterRegistry registry() {
    return registry;
  }

  /** {@code storage} with every call timed, labelled with the adapter's name. */
  Storage timed(Storage storage, String adapter) {
    return new TimedStorage(storage, adapter, registry);
  }

  /** The metrics of one front-end: its routes are prefixed with its name, {@code couch:/{db}}. */
  FrontEndMetrics frontEnd(String protocol) {
    Counter in = Counter.builder(DOCUMENTS_IN_METER)
        .description("Documents written by clients (_bulk_docs, PUT, POST, DELETE, Kinto record writes)")
        .tag("protocol", protocol).register(registry);
    Map<String, Counter> out = new ConcurrentHashMap<>();
    return new FrontEndMetrics() {
      @Override
      public void route(ServerRequest request, String template) {
        request.context().register(new Route(protocol + ":" + template));
      }

      @Override
      public void documentsIn(long count) {
        in.increment(count);
      }

      @Override
      public void documentsOut(String via, long count) {
        out.computeIfAbsent(via, v -> Counter.builder(DOCUMENTS_OUT_METER)
            .description("Documents sent to clients: change rows on feeds, documents read, listing rows")
            .tags("protocol", protocol, "via", v).register(registry)).increment(count);
      }

      @Override
      public OpenFeed feedOpened(String kind) {
        AtomicInteger open = feeds.computeIfAbsent(protocol + "\n" + kind, k -> registry.gauge(FEEDS_METER,
            Tags.of("protocol", protocol, "kind", kind), new AtomicInteger()));
        open.incrementAndGet();
        AtomicInteger once = new AtomicInteger();
        return () -> {
          if (once.getAndIncrement() == 0) {
            open.decrementAndGet();
          }
        };
      }
    };
  }

  /** The route template a front-end gave a request, kept in the request's context. */
  private record Route(String template) {}

  /**
   * Adds the request filter (request id, request metrics, access log) and the observability
   * routes. Call before the front-ends mount: the CouchDB front-end answers every path it is given.
   * The routes shadow a CouchDB database named {@code metrics} (when served) and the documents
   * {@code live} and {@code ready} of a database named {@code health}.
   */
  void mount(HttpRouting.Builder routing, Storage storage, Authenticator authenticator) {
    routing.addFilter((chain, req, res) -> {
      String id = RequestIds.accept(req.headers().first(REQUEST_ID));
      res.header(REQUEST_ID, id);
      RequestIds.set(id);
      long start = System.nanoTime();
      boolean completed = false;
      try {
        chain.proceed();
        completed = true;
      } finally {
        long nanos = System.nanoTime() - start;
        int status = completed ? res.status().code() : 500;
        String route = req.context().get(Route.class).map(Route::template).orElse(UNMATCHED);
        String method = req.prologue().method().text().toUpperCase(Locale.ROOT);
        httpTimer(route, METHODS.contains(method) ? method : "other", status).record(nanos, TimeUnit.NANOSECONDS);
        if (options.accessLog()) {
          ACCESS.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "%s %s %d %.1f ms %s",
              method, req.path().rawPath(), status, nanos / 1e6, route));
        }
        RequestIds.clear();
      }
    });
    routing.get("/health/live", (req, res) -> {
      named(req, "/health/live");
      sendJson(res, 200, g -> g.writeStringField("status", "UP"));
    });
    routing.get("/health/ready", (req, res) -> {
      named(req, "/health/ready");
      ready(storage, res);
    });
    if (options.metrics() != ObserveOptions.MetricsAccess.OFF) {
      routing.get("/metrics", (req, res) -> {
        named(req, "/metrics");
        metrics(req, res, authenticator);
      });
    }
  }

  private static void named(ServerRequest req, String path) {
    req.context().register(new Route("server:" + path));
  }

  private Timer httpTimer(String route, String method, int status) {
    // Resolved once per label set: a request then costs one map lookup, not a meter id built anew.
    return httpTimers.computeIfAbsent(route + ' ' + method + ' ' + status, k -> Timer.builder(HTTP_METER)
        .description("HTTP requests by route template, method and status; a streamed feed counts until it ends")
        .tags("route", route, "method", method, "status", Integer.toString(status))
        .serviceLevelObjectives(HTTP_BUCKETS)
        .register(registry));
  }

  private void metrics(ServerRequest req, ServerResponse res, Authenticator authenticator) {
    switch (options.metrics()) {
      case LOOPBACK -> {
        if (!loopback(req.remotePeer().address())) {
          sendJson(res, 403, g -> g.writeStringField("error",
              "metrics are served to loopback clients only (--metrics loopback)"));
          return;
        }
      }
      case ADMIN -> {
        Optional<Principal> principal = basic(req.headers().first(HeaderNames.AUTHORIZATION), authenticator);
        if (principal.isEmpty()) {
          res.header(HeaderNames.WWW_AUTHENTICATE, "Basic realm=\"metrics\"");
          sendJson(res, 401, g -> g.writeStringField("error", "server admin credentials required"));
          return;
        }
        if (!principal.get().isAdmin()) {
          sendJson(res, 403, g -> g.writeStringField("error", "server admins only"));
          return;
        }
      }
      default -> {
      }
    }
    res.header(HeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(registry.scrape().getBytes(StandardCharsets.UTF_8));
  }

  static boolean loopback(SocketAddress address) {
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        && inet.getAddress().isLoopbackAddress();
  }

  private static Optional<Principal> basic(Optional<String> header, Authenticator authenticator) {
    if (header.isEmpty() || !header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.get().substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    return colon < 0 ? Optional.empty()
        : authenticator.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  /**
   * Readiness: one cheap storage read (the server's own namespace record), bounded by the
   * readiness timeout. A probe still running from an earlier check is awaited, not repeated.
   */
  private void ready(Storage storage, ServerResponse res) {
    long start = System.nanoTime();
    CompletableFuture<Void> running = probe.updateAndGet(p -> p != null && !p.isDone() ? p
        : CompletableFuture.runAsync(() -> storage.namespaces().get(SystemRecords.NAMESPACE), probes));
    String error = null;
    try {
      running.get(options.readinessTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      error = "timeout after " + options.readinessTimeout().toMillis() + " ms";
    } catch (ExecutionException e) {
      // The error code or class only: the message may name hosts, and this answer needs no credentials.
      error = e.getCause() instanceof SyncException se ? se.errorCode().code() : e.getCause().getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted";
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    boolean up = error == null;
    if (!up) {
      LOG.log(System.Logger.Level.DEBUG, "readiness: storage check failed: " + error);
    }
    String failure = error;
    sendJson(res, up ? 200 : 503, g -> {
      g.writeStringField("status", up ? "UP" : "DOWN");
      g.writeArrayFieldStart("checks");
      g.writeStartObject();
      g.writeStringField("name", "storage");
      g.writeStringField("status", up ? "UP" : "DOWN");
      g.writeNumberField("millis", millis);
      if (failure != null) {
        g.writeStringField("error", failure);
      }
      g.writeEndObject();
      g.writeEndArray();
    });
  }

  /** Writes the fields of a JSON object. */
  @FunctionalInterface
  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private static void sendJson(ServerResponse res, int status, Fields fields) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(out.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    probes.shutdownNow();
    gc.close();
    registry.close();
  }
}
