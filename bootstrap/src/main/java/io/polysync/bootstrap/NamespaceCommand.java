package io.polysync.bootstrap;

import io.polysync.engine.DatabaseInfo;
import io.polysync.engine.EngineError;
import io.polysync.engine.SyncEngine;
import io.polysync.spi.SyncException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code polysync namespace}: the storage's namespaces. A CouchDB database is one namespace; a
 * Kinto collection is one too, and Kinto's buckets, collections and permissions live in
 * namespaces whose names begin with {@code _}, beside the server's own ({@code _users},
 * {@code _polysync}).
 */
@Command(
    name = "namespace",
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = "Namespaces (CouchDB databases, Kinto collections, the server's own records).",
    synopsisSubcommandLabel = "(list | create | drop)")
final class NamespaceCommand implements Callable<Integer> {
  private final CliIo io;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  NamespaceCommand(CliIo io) {
    this.io = io;
  }

  CommandLine commandLine() {
    CommandLine cl = new CommandLine(this);
    cl.addSubcommand("list", new ListNamespaces());
    cl.addSubcommand("create", new Create());
    cl.addSubcommand("drop", new Drop());
    return cl;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(io.out());
    return 2;
  }

  /** Every namespace in name order. */
  static List<DatabaseInfo> all(SyncEngine engine) {
    List<DatabaseInfo> out = new ArrayList<>();
    String after = "";
    while (true) {
      List<DatabaseInfo> page = engine.listDatabases(after, 500);
      out.addAll(page);
      if (page.size() < 500) {
        return out;
      }
      after = page.get(page.size() - 1).name();
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists the namespaces with their live document count, deleted document count and update"
          + " sequence.")
  final class ListNamespaces implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() {
      try (StoreOptions.Opened opened = store.open()) {
        List<DatabaseInfo> all = all(opened.engine());
        io.out().printf("%-40s %12s %12s %12s%n", "NAME", "DOCS", "DELETED", "UPDATE_SEQ");
        for (DatabaseInfo info : all) {
          io.out().printf("%-40s %12d %12d %12d%n", info.name(), info.docCount(), info.docDelCount(),
              info.updateSeq());
        }
        io.err().println(all.size() + (all.size() == 1 ? " namespace" : " namespaces"));
        return 0;
      }
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates an empty namespace (CouchDB's database name rule: a lowercase letter, then a-z, 0-9"
          + " and _$()+-/).")
  final class Create implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Parameters(paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      try (StoreOptions.Opened opened = store.open()) {
        opened.engine().createDatabase(name);
        io.out().println("Created namespace " + name + ".");
        return 0;
      } catch (SyncException e) {
        if (e.errorCode() == EngineError.INVALID_DATABASE_NAME) {
          throw CliException.usage(e.getMessage());
        }
        if (e.errorCode() == EngineError.DATABASE_EXISTS) {
          throw new CliException("namespace " + name + " exists already");
        }
        throw e;
      }
    }
  }

  @Command(name = "drop", mixinStandardHelpOptions = true,
      description = {"Deletes a namespace with all its documents, local documents and attachments. Cannot be"
          + " undone: export it first.",
        "Asks for the name again on a terminal; elsewhere needs --yes."})
  final class Drop implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Parameters(paramLabel = "NAME") String name;

    @Option(names = "--yes", description = "Do not ask.") boolean yes;

    @Override
    public Integer call() {
      try (StoreOptions.Opened opened = store.open()) {
        if (!opened.engine().databaseExists(name)) {
          throw new CliException("no namespace named " + name);
        }
        DatabaseInfo info = opened.engine().database(name).info();
        if (!yes) {
          var console = io.terminal().orElseThrow(() -> CliException.usage(
              "refusing to drop " + name + " without --yes (no terminal to ask on)"));
          String answer = console.readLine("Drop namespace %s with %d documents (%d deleted)? Type its name to"
              + " confirm: ", name, info.docCount(), info.docDelCount());
          if (answer == null || !answer.strip().equals(name)) {
            throw new CliException("not dropped");
          }
        }
        opened.engine().deleteDatabase(name);
        io.out().println("Dropped namespace " + name + " (" + info.docCount() + " documents, " + info.docDelCount()
            + " deleted).");
        return 0;
      }
    }
  }
}
