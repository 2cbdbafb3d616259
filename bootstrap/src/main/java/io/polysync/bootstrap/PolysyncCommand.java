package io.polysync.bootstrap;

import io.polysync.spi.SyncException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code polysync}: the command line. {@code serve} runs the server; the others are maintenance
 * commands that open the storage as the server does and may run while servers use it.
 */
@Command(
    name = "polysync",
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = "The Polysync sync server and its maintenance commands (docs/operations/cli.md).",
    synopsisSubcommandLabel = "COMMAND",
    footer = {"", "Each command takes --help. Without a command (or with only options), serve runs."})
final class PolysyncCommand implements Callable<Integer> {
  /** The commands; anything else as the first argument is taken as an option of serve. */
  static final Set<String> COMMANDS = Set.of(
      "serve", KeysCommand.NAME, "user", "namespace", "export", "import", "check", "help");

  private final CliIo io;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  PolysyncCommand(CliIo io) {
    this.io = io;
  }

  /** Runs {@code args} as the process's command line would; returns the exit status. */
  static int run(String[] args) {
    CliIo io = CliIo.system();
    if (args.length == 0 || !COMMANDS.contains(args[0]) && !isTopLevelOption(args[0])) {
      // Older launchers and scripts start the server with its options alone.
      return new CommandLine(new Main()).execute(args);
    }
    if (!args[0].equals("serve")) {
      quietLogging();
    }
    return new PolysyncCommand(io).execute(args);
  }

  private static boolean isTopLevelOption(String arg) {
    return Set.of("-h", "--help", "-V", "--version").contains(arg);
  }

  /** Plugin discovery logs at INFO for the server's log; a maintenance command's output is its own. */
  private static void quietLogging() {
    Logger.getLogger("").setLevel(Level.WARNING);
    Logger.getLogger("io.polysync").setLevel(Level.WARNING);
  }

  int execute(String... args) {
    return commandLine().execute(args);
  }

  CommandLine commandLine() {
    CommandLine cl = new CommandLine(this);
    // Main and KeysCommand name themselves "polysync serve" and "polysync keys" for their own
    // usage; under this command they are its subcommands.
    CommandLine serve = new CommandLine(new Main());
    serve.getCommandSpec().name("serve");
    cl.addSubcommand("serve", serve);
    CommandLine keys = new KeysCommand(io.out(), io.err()).commandLine();
    keys.getCommandSpec().name(KeysCommand.NAME);
    cl.addSubcommand(KeysCommand.NAME, keys);
    cl.addSubcommand("user", new UserCommand(io).commandLine());
    cl.addSubcommand("namespace", new NamespaceCommand(io).commandLine());
    cl.addSubcommand("export", new ExportCommand(io));
    cl.addSubcommand("import", new ImportCommand(io));
    cl.addSubcommand("check", new CheckCommand(io));
    cl.addSubcommand("help", new CommandLine.HelpCommand());
    cl.setOut(new PrintWriter(io.out(), true));
    cl.setErr(new PrintWriter(io.err(), true));
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      String name = commandLine.getCommandSpec().qualifiedName();
      if (e instanceof CliException ce) {
        io.err().println(name + ": " + ce.getMessage());
        return ce.exitCode();
      }
      if (e instanceof StartupException || e instanceof SyncException || e instanceof UncheckedIOException) {
        io.err().println(name + ": " + e.getMessage());
        return 1;
      }
      throw e;
    });
    return cl;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(io.out());
    return 2;
  }
}
