package io.polysync.bootstrap;

import io.polysync.engine.EngineError;
import io.polysync.engine.User;
import io.polysync.engine.UserContext;
import io.polysync.engine.UserStore;
import io.polysync.spi.SyncException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code polysync user}: the accounts of the engine's user store, the ones CouchDB's {@code _users}
 * and {@code _session} and Kinto's accounts see. A server administrator is a user with the role
 * {@value UserContext#SERVER_ADMIN}.
 */
@Command(
    name = "user",
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = "User accounts, shared by every front-end and every server on the storage.",
    synopsisSubcommandLabel = "(add | list | passwd | delete)")
final class UserCommand implements Callable<Integer> {
  private final CliIo io;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  UserCommand(CliIo io) {
    this.io = io;
  }

  CommandLine commandLine() {
    CommandLine cl = new CommandLine(this);
    cl.addSubcommand("add", new Add());
    cl.addSubcommand("list", new ListUsers());
    cl.addSubcommand("passwd", new Passwd());
    cl.addSubcommand("delete", new Delete());
    return cl;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(io.out());
    return 2;
  }

  /** Where the new password comes from; a prompt on the terminal when neither is given. */
  static final class PasswordSource {
    @Option(names = "--password-file", paramLabel = "FILE",
        description = "Read the password from the first line of FILE.")
    Path file;

    @Option(names = "--password-stdin", description = "Read the password from standard input (its first line).")
    boolean stdin;
  }

  private String password(PasswordSource source, String name) {
    if (source != null && source.file != null) {
      try {
        return firstLine(Files.readString(source.file, StandardCharsets.UTF_8), "--password-file " + source.file);
      } catch (IOException e) {
        throw new CliException("cannot read --password-file " + source.file + ": " + e.getMessage());
      }
    }
    if (source != null && source.stdin) {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        io.in().transferTo(bytes);
        return firstLine(bytes.toString(StandardCharsets.UTF_8), "standard input");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the password from standard input", e);
      }
    }
    var console = io.terminal().orElseThrow(() -> CliException.usage(
        "no terminal to ask for the password on: give --password-file FILE or --password-stdin"));
    char[] first = console.readPassword("Password for %s: ", name);
    char[] second = console.readPassword("Again: ");
    if (first == null || second == null) {
      throw CliException.usage("no password given");
    }
    try {
      if (!Arrays.equals(first, second)) {
        throw CliException.usage("the passwords differ");
      }
      return new String(first);
    } finally {
      Arrays.fill(first, '\0');
      Arrays.fill(second, '\0');
    }
  }

  private static String firstLine(String text, String where) {
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    if (line.isEmpty()) {
      throw CliException.usage("the password from " + where + " is empty");
    }
    return line;
  }

  private static String describe(User user) {
    return user.name() + (user.roles().isEmpty() ? "" : " (roles: " + String.join(", ", user.roles()) + ")");
  }

  private static CliException invalid(SyncException e) {
    if (e.errorCode() == EngineError.INVALID_USER) {
      return CliException.usage(e.getMessage());
    }
    if (e.errorCode() == EngineError.USER_EXISTS || e.errorCode() == EngineError.USER_NOT_FOUND) {
      return new CliException(e.getMessage());
    }
    throw e;
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Creates a user. The password comes from --password-file, --password-stdin, or a prompt on the"
          + " terminal; it is stored only as a PBKDF2 hash.")
  final class Add implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Parameters(paramLabel = "NAME", description = "The user's name (1 to 128 characters, no ':', not starting with '_').")
    String name;

    @ArgGroup(exclusive = true) PasswordSource source;

    @Option(names = "--role", paramLabel = "ROLE",
        description = "A role, repeatable. " + UserContext.SERVER_ADMIN + " makes a server administrator.")
    List<String> roles = new ArrayList<>();

    @Option(names = "--admin", description = "Make the user a server administrator (the role "
        + UserContext.SERVER_ADMIN + ").")
    boolean admin;

    @Override
    public Integer call() {
      List<String> all = new ArrayList<>(roles);
      if (admin && !all.contains(UserContext.SERVER_ADMIN)) {
        all.add(UserContext.SERVER_ADMIN);
      }
      String password = password(source, name);
      try (StoreOptions.Opened opened = store.open()) {
        User user = opened.engine().users().create(name, password, all);
        io.out().println("Created user " + describe(user) + ".");
        return 0;
      } catch (SyncException e) {
        throw invalid(e);
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the users with their roles.")
  final class ListUsers implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() {
      try (StoreOptions.Opened opened = store.open()) {
        UserStore users = opened.engine().users();
        String after = "";
        int count = 0;
        io.out().printf("%-32s %-24s %s%n", "NAME", "CREATED", "ROLES");
        while (true) {
          List<User> page = users.list(after, 500);
          for (User u : page) {
            io.out().printf("%-32s %-24s %s%n", u.name(), Instant.ofEpochMilli(u.created()), String.join(",", u.roles()));
            count++;
          }
          if (page.size() < 500) {
            break;
          }
          after = page.get(page.size() - 1).name();
        }
        io.err().println(count + (count == 1 ? " user" : " users"));
        return 0;
      }
    }
  }

  @Command(name = "passwd", mixinStandardHelpOptions = true,
      description = "Sets a user's password; the user's sessions end (running servers notice within about a second).")
  final class Passwd implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Parameters(paramLabel = "NAME") String name;

    @ArgGroup(exclusive = true) PasswordSource source;

    @Override
    public Integer call() {
      try (StoreOptions.Opened opened = store.open()) {
        if (opened.engine().users().get(name).isEmpty()) {
          throw new CliException("no user named " + name);
        }
        String password = password(source, name);
        opened.engine().users().setPassword(name, password);
        io.out().println("Password of " + name + " set.");
        return 0;
      } catch (SyncException e) {
        throw invalid(e);
      }
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a user.")
  final class Delete implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Parameters(paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      try (StoreOptions.Opened opened = store.open()) {
        UserStore users = opened.engine().users();
        users.delete(name);
        io.out().println("Deleted user " + name + ".");
        if (!hasServerAdmin(users)) {
          io.err().println("Note: no server administrator is left; the next server start creates one and prints"
              + " its password (or give it --admin NAME:PASSWORD, or run polysync user add NAME --admin).");
        }
        return 0;
      } catch (SyncException e) {
        throw invalid(e);
      }
    }
  }

  static boolean hasServerAdmin(UserStore users) {
    String after = "";
    while (true) {
      List<User> page = users.list(after, 500);
      if (page.stream().anyMatch(u -> u.roles().contains(UserContext.SERVER_ADMIN))) {
        return true;
      }
      if (page.size() < 500) {
        return false;
      }
      after = page.get(page.size() - 1).name();
    }
  }
}
