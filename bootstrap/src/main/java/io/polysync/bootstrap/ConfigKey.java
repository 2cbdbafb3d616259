package io.polysync.bootstrap;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One configuration key: its name in {@code polysync.yaml}, how it is spelt in the environment and
 * on the command line, its default, and what its values look like. {@link ConfigKeys#ALL} holds
 * every key; the loader, the secret-file forms and docs/configuration.md all follow from it.
 *
 * @param name the dotted key, as in {@code polysync.yaml}: {@code server.port}
 * @param form what a value must look like
 * @param defaultValue the value when no source sets one; empty when the default is worked out at
 *     start (see {@code defaultText}) or there is none
 * @param defaultText the default as docs/configuration.md shows it: the value in backticks, or words
 * @param description the meaning, one sentence as docs/configuration.md shows it
 * @param secret never printed; may also be given as a file ({@link #fileName()}, {@link
 *     #fileEnvNames()}, {@link #fileFlag()})
 * @param flag the {@code polysync serve} option that sets it, if any
 * @param legacyEnvNames environment variables that set it besides {@link #envName()}, kept from
 *     before the configuration file
 * @param frontEnd whether the front-ends receive it (in {@code FrontEndContext.settings()})
 */
record ConfigKey(
    String name, ValueForm form, Optional<String> defaultValue, String defaultText, String description,
    boolean secret, Optional<String> flag, List<String> legacyEnvNames, boolean frontEnd) {
  static final String ENV_PREFIX = "POLYSYNC_";
  static final String FILE_SUFFIX = "-file";

  ConfigKey {
    requireNonNull(name, "name is null");
    requireNonNull(form, "form is null");
    requireNonNull(defaultValue, "defaultValue is null");
    requireNonNull(defaultText, "defaultText is null");
    requireNonNull(description, "description is null");
    requireNonNull(flag, "flag is null");
    legacyEnvNames = List.copyOf(legacyEnvNames);
    if (!name.matches("[a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)*")) {
      throw new IllegalArgumentException("key " + name + ": lower case words separated by . or -");
    }
  }

  /** A key of the server itself (listening, storage, keys, TLS, logging). */
  static ConfigKey server(String name, ValueForm form, String description) {
    return new ConfigKey(name, form, Optional.empty(), "—", description, false, Optional.empty(), List.of(), false);
  }

  /** A front-end setting, handed to the front-ends under its own name. */
  static ConfigKey setting(String name, ValueForm form, String description) {
    return new ConfigKey(name, form, Optional.empty(), "—", description, false, Optional.empty(), List.of(), true);
  }

  /** With a default value, shown in backticks in the docs. */
  ConfigKey defaultValue(String value) {
    return defaultValue(value, "`" + value + "`");
  }

  /** With a default value that the docs describe in words (an empty list as "none"). */
  ConfigKey defaultValue(String value, String text) {
    return new ConfigKey(name, form, Optional.of(value), text, description, secret, flag, legacyEnvNames, frontEnd);
  }

  /** With a default worked out at start, described in words: {@code sqlite:<data>/polysync.db}. */
  ConfigKey defaultText(String text) {
    return new ConfigKey(name, form, Optional.empty(), text, description, secret, flag, legacyEnvNames, frontEnd);
  }

  ConfigKey flag(String option) {
    return new ConfigKey(name, form, defaultValue, defaultText, description, secret, Optional.of(option),
        legacyEnvNames, frontEnd);
  }

  ConfigKey legacyEnv(String... names) {
    return new ConfigKey(name, form, defaultValue, defaultText, description, secret, flag, List.of(names), frontEnd);
  }

  ConfigKey asSecret() {
    return new ConfigKey(name, form, defaultValue, defaultText, description, true, flag, legacyEnvNames, frontEnd);
  }

  /** {@code POLYSYNC_} and the key in upper case, dots and dashes as underscores: {@code POLYSYNC_SERVER_PORT}. */
  String envName() {
    return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** {@link #envName()}, then the legacy names. */
  List<String> envNames() {
    List<String> names = new ArrayList<>();
    names.add(envName());
    legacyEnvNames.stream().filter(n -> !n.equals(envName())).forEach(names::add);
    return List.copyOf(names);
  }

  /** The key naming a file that holds a secret's value: {@code admin-file}. Only for secrets. */
  Optional<String> fileName() {
    return secret ? Optional.of(name + FILE_SUFFIX) : Optional.empty();
  }

  /** Every environment name with {@code _FILE} appended: {@code POLYSYNC_ADMIN_FILE}. Only for secrets. */
  List<String> fileEnvNames() {
    return secret ? envNames().stream().map(n -> n + "_FILE").toList() : List.of();
  }

  /** The flag with {@code -file} appended: {@code --admin-file}. Only for secrets that have a flag. */
  Optional<String> fileFlag() {
    return secret ? flag.map(f -> f + FILE_SUFFIX) : Optional.empty();
  }
}
