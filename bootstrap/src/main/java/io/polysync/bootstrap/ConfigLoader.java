package io.polysync.bootstrap;

import static java.util.Objects.requireNonNull;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.yaml.YamlConfigParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.text.similarity.LevenshteinDistance;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Gathers the configuration from its sources, highest precedence first: the command line, the
 * environment ({@code POLYSYNC_*}), the configuration file, the defaults of {@link ConfigKeys}.
 * The first source that sets a key decides its value; sources are never merged within a key.
 *
 * <p>Helidon Config reads the file (YAML, nested or dotted keys alike). The precedence is applied
 * here rather than by layering Helidon config sources because every value must keep where it came
 * from: error messages name the flag, variable or file, and a secret given as a file ({@code
 * admin-file}) is read only once its layer has won.
 */
final class ConfigLoader {
  static final String CONFIG_FLAG = "--config";
  static final String CONFIG_ENV = "POLYSYNC_CONFIG";
  static final String DEFAULT_FILE = "polysync.yaml";
  static final String SETTING_FLAG = "--setting";

  /** How far a misspelt name may be from a real one to be suggested. */
  private static final int SUGGESTION_DISTANCE = 2;

  /**
   * A value as given, before it is checked.
   *
   * @param text the value, or for a {@code -file} spelling the file's path
   * @param origin where it was given, for messages: {@code --port}, {@code POLYSYNC_PORT}, {@code polysync.yaml}
   */
  record Given(String text, String origin) {
    Given {
      requireNonNull(text, "text is null");
      requireNonNull(origin, "origin is null");
    }
  }

  /** A key set by one source: its value, or the file that holds it. */
  private record Raw(ConfigKey key, boolean fromFile, Given given) {}

  private final List<String> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  private ConfigLoader() {}

  /**
   * The configuration, or a {@link ConfigException} listing every problem.
   *
   * @param flags what the command line set, by key name or {@code -file} name (see {@link
   *     #flags(ParseResult)})
   * @param configFile {@code --config}, when given
   * @param environment the process environment (a map, so that tests need not change the real one)
   * @param workingDirectory where {@code polysync.yaml} is looked for, and relative paths start
   */
  static Configuration load(Map<String, Given> flags, Optional<Path> configFile, Map<String, String> environment,
      Path workingDirectory) {
    return new ConfigLoader().run(flags, configFile, environment, workingDirectory);
  }

  private Configuration run(Map<String, Given> flags, Optional<Path> configFile, Map<String, String> environment,
      Path workingDirectory) {
    Map<ConfigKey, Raw> fromFlags = byKey(flags, "on the command line");
    Map<ConfigKey, Raw> fromEnvironment = environment(environment);
    Optional<Path> file = configFile(configFile, environment, workingDirectory);
    Map<ConfigKey, Raw> fromFile = file.map(this::file).orElse(Map.of());

    Map<String, Configuration.Value> values = new LinkedHashMap<>();
    for (ConfigKey key : ConfigKeys.ALL) {
      Raw raw = Optional.ofNullable(fromFlags.get(key))
          .or(() -> Optional.ofNullable(fromEnvironment.get(key)))
          .or(() -> Optional.ofNullable(fromFile.get(key)))
          .orElse(null);
      if (raw == null) {
        key.defaultValue().ifPresent(v -> values.put(key.name(), new Configuration.Value(v, "default")));
        continue;
      }
      resolve(raw, workingDirectory).ifPresent(v -> values.put(key.name(), v));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Configuration(values, file, warnings);
  }

  /**
   * What the command line set: every matched option that {@link ConfigKeys} names as a key's flag
   * (or a secret's {@code -file} flag), and each {@code --setting KEY=VALUE}. Defaults picocli
   * filled in are not taken: only what was typed outranks the environment.
   */
  static Map<String, Given> flags(ParseResult parsed) {
    Map<String, String> flagToKey = new java.util.HashMap<>();
    for (ConfigKey key : ConfigKeys.ALL) {
      key.flag().ifPresent(f -> flagToKey.put(f, key.name()));
      key.fileFlag().ifPresent(f -> flagToKey.put(f, key.fileName().orElseThrow()));
    }
    Map<String, Given> flags = new LinkedHashMap<>();
    for (OptionSpec option : parsed.matchedOptions()) {
      String name = option.longestName();
      if (name.equals(SETTING_FLAG)) {
        for (String pair : option.originalStringValues()) {
          int eq = pair.indexOf('=');
          String key = eq < 0 ? pair : pair.substring(0, eq);
          flags.put(key, new Given(eq < 0 ? "" : pair.substring(eq + 1), SETTING_FLAG + " " + key));
        }
      } else if (flagToKey.containsKey(name)) {
        List<String> typed = option.originalStringValues();
        String value = option.arity().max() == 0 || typed.isEmpty() ? "true" : typed.get(typed.size() - 1);
        flags.put(flagToKey.get(name), new Given(value, name));
      }
    }
    return flags;
  }

  /** The {@code --config} path when it was typed. */
  static Optional<Path> configFlag(ParseResult parsed) {
    return Optional.ofNullable(parsed.matchedOption(CONFIG_FLAG)).map(o -> Path.of(o.originalStringValues()
        .get(o.originalStringValues().size() - 1)));
  }

  private Map<ConfigKey, Raw> byKey(Map<String, Given> given, String where) {
    Map<ConfigKey, Raw> out = new LinkedHashMap<>();
    given.forEach((name, value) -> {
      Optional<Raw> raw = spelling(name, value);
      if (raw.isEmpty()) {
        problems.add("unknown key '" + name + "' " + where + suggestion(name, keySpellings()));
      } else {
        put(out, raw.get());
      }
    });
    return out;
  }

  /** A key name, or a secret's {@code -file} name. */
  private static Optional<Raw> spelling(String name, Given value) {
    Optional<ConfigKey> direct = ConfigKeys.byName(name);
    if (direct.isPresent()) {
      return Optional.of(new Raw(direct.get(), false, value));
    }
    if (name.endsWith(ConfigKey.FILE_SUFFIX)) {
      return ConfigKeys.byName(name.substring(0, name.length() - ConfigKey.FILE_SUFFIX.length()))
          .filter(ConfigKey::secret).map(k -> new Raw(k, true, value));
    }
    return Optional.empty();
  }

  /** Two spellings of one key in one source: the same value is harmless, two values are a mistake. */
  private void put(Map<ConfigKey, Raw> out, Raw raw) {
    if (raw.given().text().isBlank()) {
      return; // an empty value, as POLYSYNC_ADMIN= or "admin:" in the file, sets nothing
    }
    Raw earlier = out.putIfAbsent(raw.key(), raw);
    boolean same = earlier != null && earlier.fromFile() == raw.fromFile()
        && earlier.given().text().equals(raw.given().text());
    if (earlier != null && !same) {
      problems.add(earlier.given().origin() + " and " + raw.given().origin() + " both set " + raw.key().name()
          + "; give one");
    }
  }

  private Map<ConfigKey, Raw> environment(Map<String, String> environment) {
    Map<String, Raw> byName = new TreeMap<>();
    for (ConfigKey key : ConfigKeys.ALL) {
      for (String name : key.envNames()) {
        byName.put(name, new Raw(key, false, new Given("", name)));
      }
      for (String name : key.fileEnvNames()) {
        byName.put(name, new Raw(key, true, new Given("", name)));
      }
    }
    Map<ConfigKey, Raw> out = new LinkedHashMap<>();
    new TreeMap<>(environment).forEach((name, value) -> {
      if (!name.startsWith(ConfigKey.ENV_PREFIX) || name.equals(CONFIG_ENV)) {
        return;
      }
      Raw known = byName.get(name);
      if (known != null) {
        put(out, new Raw(known.key(), known.fromFile(), new Given(value, name)));
        return;
      }
      // POLYSYNC_ is also the prefix of other programs' variables (the interop suite's POLYSYNC_URL):
      // only a near miss of a real name is taken for a typo and stops the start.
      Optional<String> near = nearest(name, byName.keySet());
      if (near.isPresent()) {
        problems.add("unknown environment variable " + name + "; did you mean " + near.get() + "?");
      } else {
        warnings.add("environment variable " + name + " is not a Polysync setting; ignored"
            + " (docs/configuration.md lists them)");
      }
    });
    return out;
  }

  private Optional<Path> configFile(Optional<Path> flag, Map<String, String> environment, Path workingDirectory) {
    Optional<Path> named = flag.or(() -> Optional.ofNullable(environment.get(CONFIG_ENV))
        .filter(s -> !s.isBlank()).map(Path::of));
    if (named.isPresent()) {
      Path path = workingDirectory.resolve(named.get());
      String where = "configuration file " + named.get() + " (" + (flag.isPresent() ? CONFIG_FLAG : CONFIG_ENV) + ")";
      if (!Files.exists(path)) {
        problems.add(where + " does not exist");
        return Optional.empty();
      }
      return readable(path, where);
    }
    Path implicit = workingDirectory.resolve(DEFAULT_FILE);
    return Files.exists(implicit) ? readable(implicit, "configuration file " + implicit) : Optional.empty();
  }

  private Optional<Path> readable(Path path, String where) {
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      problems.add(where + " is not a file this process can read");
      return Optional.empty();
    }
    return Optional.of(path);
  }

  /** Reads the file with Helidon Config and flattens it to dotted keys; a list is a comma-separated value. */
  private Map<ConfigKey, Raw> file(Path path) {
    String fileName = path.getFileName().toString();
    Config config;
    try {
      config = Config.builder()
          .disableEnvironmentVariablesSource()
          .disableSystemPropertiesSource()
          .disableParserServices()
          .addParser(YamlConfigParser.create())
          .sources(ConfigSources.file(path))
          .build();
      config.traverse().count(); // parse now, so that a syntax error is reported here
    } catch (RuntimeException e) {
      problems.add(fileName + " is not valid YAML: " + yamlProblem(e));
      return Map.of();
    }
    Map<String, Given> given = new LinkedHashMap<>();
    List<String> lists = new ArrayList<>();
    config.traverse().forEach(node -> {
      String key = node.key().toString();
      if (lists.stream().anyMatch(l -> key.startsWith(l + "."))) {
        return;
      }
      if (node.type() == Config.Type.LIST) {
        lists.add(key);
        List<String> items = new ArrayList<>();
        for (Config item : node.asNodeList().orElse(List.of())) {
          items.add(item.asString().orElse(""));
        }
        given.put(key, new Given(String.join(",", items), fileName));
      } else if (node.hasValue()) {
        given.put(key, new Given(node.asString().orElse(""), fileName));
      } else if (node.type() == Config.Type.OBJECT && node.asNodeList().map(List::isEmpty).orElse(true)) {
        given.put(key, new Given("", fileName)); // "server: {}" names no key; an unknown one is still reported
      }
    });
    return byKey(given, "in " + fileName);
  }

  /** SnakeYAML's problem and position without the quoted lines, which may hold a secret. */
  private static String yamlProblem(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String message = Optional.ofNullable(t.getMessage()).orElse(t.getClass().getSimpleName());
    List<String> kept = message.lines()
        .filter(l -> !l.isBlank() && !l.startsWith("    ") && !l.strip().equals("^"))
        .map(String::strip)
        .toList();
    return String.join(" ", kept);
  }

  /** The value of a key that some source set: read from its file when given as one, then checked. */
  private Optional<Configuration.Value> resolve(Raw raw, Path workingDirectory) {
    ConfigKey key = raw.key();
    String origin = raw.given().origin();
    String text = raw.given().text();
    if (raw.fromFile()) {
      String fileKey = key.fileName().orElseThrow();
      Path path = workingDirectory.resolve(text);
      try {
        text = stripLineEnds(Files.readString(path));
      } catch (NoSuchFileException e) {
        problems.add(fileKey + " (" + origin + "): no such file " + text);
        return Optional.empty();
      } catch (IOException | RuntimeException e) {
        problems.add(fileKey + " (" + origin + "): cannot read " + text + ": " + e.getClass().getSimpleName());
        return Optional.empty();
      }
      if (text.isEmpty()) {
        problems.add(fileKey + " (" + origin + "): " + raw.given().text() + " is empty");
        return Optional.empty();
      }
      origin = origin + " " + raw.given().text();
    }
    String checked = text.strip();
    Optional<String> normal = key.form().normalize(key.secret() ? text : checked);
    if (normal.isEmpty()) {
      problems.add(key.name() + ": expected " + key.form().expected() + ", got "
          + (key.secret() ? "something else (not shown: it is secret)" : "'" + checked + "'") + " (from " + origin
          + ")");
      return Optional.empty();
    }
    return Optional.of(new Configuration.Value(normal.get(), origin));
  }

  /** Docker and systemd credentials files end with a line break that is not part of the secret. */
  static String stripLineEnds(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  private static List<String> keySpellings() {
    List<String> names = new ArrayList<>();
    for (ConfigKey key : ConfigKeys.ALL) {
      names.add(key.name());
      key.fileName().ifPresent(names::add);
    }
    return names;
  }

  /**
   * "; did you mean 'x'?" for a near miss ({@code sever.port}), a group named alone ({@code storage}
   * for {@code storage.uri}) or a key without its group ({@code port} for {@code server.port}).
   */
  static String suggestion(String name, List<String> candidates) {
    if (name.endsWith(ConfigKey.FILE_SUFFIX)) {
      String base = name.substring(0, name.length() - ConfigKey.FILE_SUFFIX.length());
      if (candidates.contains(base)) {
        return "; did you mean '" + base + "'? (only secrets can be given as a file)";
      }
    }
    Optional<String> near = nearest(name, candidates)
        .or(() -> candidates.stream().filter(c -> c.startsWith(name + ".")).findFirst())
        .or(() -> candidates.stream().filter(c -> c.endsWith("." + name)).findFirst());
    return near.map(n -> "; did you mean '" + n + "'?").orElse(" (docs/configuration.md lists the keys)");
  }

  /** The candidate closest to {@code name} by edit distance, when it is close enough to be a typo. */
  static Optional<String> nearest(String name, java.util.Collection<String> candidates) {
    LevenshteinDistance distance = new LevenshteinDistance(SUGGESTION_DISTANCE);
    return candidates.stream()
        .filter(c -> distance.apply(name, c) >= 0)
        .min(Comparator.comparingInt((String c) -> distance.apply(name, c)).thenComparing(c -> c));
  }
}
