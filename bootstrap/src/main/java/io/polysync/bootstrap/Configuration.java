package io.polysync.bootstrap;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration once every source is applied and every value checked ({@link ConfigLoader}):
 * each key's value in its normal form ({@link ValueForm}) and where it came from.
 */
final class Configuration {
  /**
   * @param text the value in its normal form
   * @param origin where it came from: a flag, a variable, the file, or {@code default}
   */
  record Value(String text, String origin) {
    Value {
      requireNonNull(text, "text is null");
      requireNonNull(origin, "origin is null");
    }

    @Override
    public String toString() {
      return "Value[origin=" + origin + "]"; // never the text: it may be a secret
    }
  }

  private final Map<String, Value> values;
  private final Optional<Path> file;
  private final List<String> warnings;

  Configuration(Map<String, Value> values, Optional<Path> file, List<String> warnings) {
    this.values = Map.copyOf(values);
    this.file = requireNonNull(file, "file is null");
    this.warnings = List.copyOf(warnings);
  }

  /** The value of a key of {@link ConfigKeys}; empty when nothing set it and it has no default value. */
  Optional<String> value(String key) {
    if (ConfigKeys.byName(key).isEmpty()) {
      throw new IllegalArgumentException("no configuration key " + key + " in ConfigKeys");
    }
    return Optional.ofNullable(values.get(key)).map(Value::text);
  }

  /** Where a key's value came from ({@code --port}, {@code POLYSYNC_PORT}, {@code polysync.yaml}, {@code default}). */
  Optional<String> origin(String key) {
    return Optional.ofNullable(values.get(key)).map(Value::origin);
  }

  private String required(String key) {
    return value(key).orElseThrow(() -> new IllegalStateException(key + " has no default value"));
  }

  boolean bool(String key) {
    return Boolean.parseBoolean(required(key));
  }

  int integer(String key) {
    return Integer.parseInt(required(key));
  }

  Optional<Path> path(String key) {
    return value(key).map(Path::of);
  }

  /** The file read, if any. */
  Optional<Path> file() {
    return file;
  }

  /** Things worth saying that did not stop the start (an unknown {@code POLYSYNC_*} variable far from any). */
  List<String> warnings() {
    return warnings;
  }

  /**
   * Every front-end setting with a value, under its own name; {@code couch.cors.origins} and
   * {@code kinto.cors.origins} default to {@code cors.origins}.
   */
  Map<String, String> frontEndSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    for (ConfigKey key : ConfigKeys.ALL) {
      if (key.frontEnd()) {
        value(key.name()).ifPresent(v -> settings.put(key.name(), v));
      }
    }
    String cors = required("cors.origins");
    settings.putIfAbsent("couch.cors.origins", cors);
    settings.putIfAbsent("kinto.cors.origins", cors);
    return settings;
  }

  KeyOptions keyOptions() {
    return new KeyOptions(bool("encryption.enabled"), required("encryption.key-provider"),
        path("encryption.key-file"), value("encryption.master-key").map(k -> new KeyOptions.MasterKey(
            k, origin("encryption.master-key").orElseThrow())));
  }

  TlsOptions tlsOptions() {
    return new TlsOptions(path("tls.cert"), path("tls.key"), bool("tls.self-signed"));
  }

  /** What {@code polysync serve} starts the server with. */
  ServeOptions serveOptions() {
    return new ServeOptions(required("server.host"), integer("server.port"), Path.of(required("data")),
        value("admin"), value("storage.uri"), frontEndSettings(), keyOptions(), tlsOptions());
  }
}
