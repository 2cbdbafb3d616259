package io.polysync.bootstrap;

import io.polysync.engine.DatabaseInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code polysync check}: reads everything and reports what is damaged ({@link Checker}). */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = {"Verifies namespaces: every revision tree well formed, every leaf's body present and (with"
        + " encryption at rest) opening under its key, attachment bytes matching their digests, sequence numbers"
        + " and counters consistent. Changes nothing; safe while servers run.",
      "Exit status: 0 when nothing is wrong, 1 when a problem was found."})
final class CheckCommand implements Callable<Integer> {
  private final CliIo io;

  @Mixin StoreOptions store = new StoreOptions();

  @Parameters(paramLabel = "NAMESPACE", arity = "0..*", description = "The namespaces to check (default: all).")
  List<String> namespaces = new ArrayList<>();

  @Option(names = "--progress-every", hidden = true, defaultValue = "1000",
      description = "Documents between two progress lines when not on a terminal.")
  long progressEvery;

  CheckCommand(CliIo io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    try (StoreOptions.Opened opened = store.open()) {
      List<String> names = new ArrayList<>(namespaces);
      long total = 0;
      if (names.isEmpty()) {
        for (DatabaseInfo info : NamespaceCommand.all(opened.engine())) {
          names.add(info.name());
          total += info.docCount() + info.docDelCount();
        }
      } else {
        for (String name : names) {
          if (!opened.engine().databaseExists(name)) {
            throw new CliException("no namespace named " + name);
          }
          DatabaseInfo info = opened.engine().database(name).info();
          total += info.docCount() + info.docDelCount();
        }
      }
      Checker checker = new Checker(opened.engine());
      List<Checker.Report> reports = new ArrayList<>();
      try (Progress progress = Progress.start(io, "check", total, progressEvery)) {
        for (String name : names) {
          reports.add(checker.check(name, progress));
        }
      }
      long problems = 0;
      for (Checker.Report r : reports) {
        problems += r.problemCount();
        io.out().println(r.namespace() + ": " + CliIo.count(r.docs(), "document") + " (" + r.live() + " live, "
            + r.deleted() + " deleted), " + r.leaves() + (r.leaves() == 1 ? " leaf, " : " leaves, ")
            + CliIo.count(r.conflicts(), "conflict") + ", " + CliIo.count(r.attachments(), "attachment") + ", "
            + CliIo.count(r.locals(), "local document") + ": "
            + (r.problemCount() == 0 ? "ok" : CliIo.count(r.problemCount(), "problem"))
            + (r.writtenMeanwhile() ? " (written during the check: counters not compared)" : ""));
        r.problems().forEach(p -> io.out().println("  problem: " + p));
        if (r.problemCount() > r.problems().size()) {
          io.out().println("  ... and " + (r.problemCount() - r.problems().size()) + " more");
        }
      }
      io.out().println(problems == 0 ? "No problems in " + CliIo.count(reports.size(), "namespace") + "."
          : CliIo.count(problems, "problem") + " in " + reports.stream().filter(r -> r.problemCount() > 0).count()
              + " of " + CliIo.count(reports.size(), "namespace") + ".");
      return problems == 0 ? 0 : 1;
    }
  }
}
