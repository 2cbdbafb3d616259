package io.polysync.protocol.spi;

import static java.util.Objects.requireNonNull;

import io.polysync.engine.Database;
import io.polysync.engine.EngineError;
import io.polysync.engine.SecurityObject;
import io.polysync.engine.SyncEngine;
import io.polysync.engine.User;
import io.polysync.spi.SyncException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A private database per user, as CouchDB's {@code couch_peruser}: when on, every account that is
 * created gets the database {@code userdb-<hex of the UTF-8 name>} whose {@code _security} names
 * the user as its only member and admin; when {@code couch.peruser.delete_dbs} is on, deleting the
 * account deletes it. Every front-end that creates or deletes accounts calls this, and the server
 * gives existing accounts theirs at startup.
 *
 * <p>Settings (CouchDB's names and defaults): {@code couch.peruser.enabled} (false), {@code
 * couch.peruser.delete_dbs} (false), {@code couch.peruser.database_prefix} ({@code userdb-}).
 *
 * <p>Thread-safe; calls block on storage. Safe to call for an account whose database exists
 * already (another process, or a retry, made it): the security object is set again.
 */
public final class PerUserDatabases {
  private static final System.Logger LOG = System.getLogger(PerUserDatabases.class.getName());
  /** CouchDB's default prefix. */
  public static final String DEFAULT_PREFIX = "userdb-";
  /** The engine's longest database name. */
  private static final int MAX_NAME = 238;

  private final SyncEngine engine;
  private final boolean enabled;
  private final boolean deleteDatabases;
  private final String prefix;

  private PerUserDatabases(SyncEngine engine, boolean enabled, boolean deleteDatabases, String prefix) {
    this.engine = requireNonNull(engine, "engine is null");
    this.enabled = enabled;
    this.deleteDatabases = deleteDatabases;
    this.prefix = prefix;
  }

  /**
   * The per-user databases {@code settings} ask for.
   *
   * @throws IllegalArgumentException for a setting that is not true/false or a prefix that cannot
   *     start a database name
   */
  public static PerUserDatabases of(SyncEngine engine, Map<String, String> settings) {
    String prefix = Optional.ofNullable(settings.get("couch.peruser.database_prefix")).map(String::trim)
        .filter(s -> !s.isEmpty()).orElse(DEFAULT_PREFIX);
    if (!prefix.matches("[a-z][a-z0-9_$()+/-]*")) {
      throw new IllegalArgumentException("setting couch.peruser.database_prefix must start with a lower-case"
          + " letter and hold only a-z, 0-9 and _$()+/-: " + prefix);
    }
    return new PerUserDatabases(engine, flag(settings, "couch.peruser.enabled"),
        flag(settings, "couch.peruser.delete_dbs"), prefix);
  }

  /** {@link #of} with the front-end's settings. */
  public static PerUserDatabases of(FrontEndContext context) {
    return of(context.engine(), context.settings());
  }

  private static boolean flag(Map<String, String> settings, String key) {
    String value = settings.get(key);
    if (value == null || value.isBlank()) {
      return false;
    }
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("setting " + key + " must be true or false: " + value);
    };
  }

  public boolean enabled() {
    return enabled;
  }

  /** The database of user {@code name}: the prefix and the lower-case hex of the name's UTF-8 bytes. */
  public String databaseName(String name) {
    return prefix + HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Gives user {@code name} their database, when per-user databases are on: created if absent,
   * and its security object set to that user alone. A name too long for a database name (over
   * about 115 UTF-8 bytes with the default prefix) gets none, with a warning in the log.
   *
   * @return whether a database was created
   */
  public boolean userCreated(String name) {
    if (!enabled) {
      return false;
    }
    String db = databaseName(name);
    if (db.length() > MAX_NAME) {
      LOG.log(System.Logger.Level.WARNING, "per-user database: the name of user " + name
          + " is too long for a database name; no database made");
      return false;
    }
    boolean created = false;
    Database database;
    try {
      database = engine.createDatabase(db);
      created = true;
    } catch (SyncException e) {
      if (e.errorCode() != EngineError.DATABASE_EXISTS) {
        throw e;
      }
      database = engine.database(db);
    }
    List<String> only = List.of(name);
    SecurityObject security = new SecurityObject(only, List.of(), only, List.of());
    if (created || !database.security().equals(security)) {
      database.setSecurity(security);
    }
    return created;
  }

  /**
   * Deletes user {@code name}'s database, when per-user databases are on and {@code
   * couch.peruser.delete_dbs} is true.
   *
   * @return whether a database was deleted
   */
  public boolean userDeleted(String name) {
    if (!enabled || !deleteDatabases) {
      return false;
    }
    String db = databaseName(name);
    if (db.length() > MAX_NAME) {
      return false;
    }
    try {
      engine.deleteDatabase(db);
      return true;
    } catch (SyncException e) {
      if (e.errorCode() == EngineError.DATABASE_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Gives every existing account its database (the server calls this at startup when per-user
   * databases are on), so turning the setting on covers users who signed up before.
   *
   * @return how many databases were created
   */
  public int ensureAll() {
    if (!enabled) {
      return 0;
    }
    int created = 0;
    String after = "";
    while (true) {
      List<User> page = engine.users().list(after, 1000);
      for (User user : page) {
        if (userCreated(user.name())) {
          created++;
        }
      }
      if (page.size() < 1000) {
        return created;
      }
      after = page.get(page.size() - 1).name();
    }
  }
}
