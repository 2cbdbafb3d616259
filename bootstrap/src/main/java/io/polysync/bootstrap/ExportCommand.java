package io.polysync.bootstrap;

import io.polysync.engine.DatabaseInfo;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code polysync export}: namespaces to an NDJSON backup ({@link Backup}). */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = {"Writes namespaces, with every revision, conflict, deleted leaf, attachment, local document,"
        + " _security and revs_limit, to an NDJSON backup that polysync import restores on any backend.",
      "Runs while servers write: a document written meanwhile is exported again (import merges both)."})
final class ExportCommand implements Callable<Integer> {
  private final CliIo io;

  @Mixin StoreOptions store = new StoreOptions();

  @Parameters(paramLabel = "NAMESPACE", arity = "0..*", description = "The namespaces to export.")
  List<String> namespaces = new ArrayList<>();

  @Option(names = "--all", description = "Every namespace but the server's own (_users, _polysync) and derived"
      + " indexes (_own_*, _kinto_grants): CouchDB databases, Kinto collections and Kinto's bucket, collection"
      + " and permission records.")
  boolean all;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE|-", defaultValue = "-",
      description = "Where to write (default -, standard output). A file is written beside its place and moved"
          + " there when complete.")
  String output;

  @Option(names = "--progress-every", hidden = true, defaultValue = "1000",
      description = "Documents between two progress lines when not on a terminal.")
  long progressEvery;

  ExportCommand(CliIo io) {
    this.io = io;
  }

  @Override
  public Integer call() throws IOException {
    if (namespaces.isEmpty() && !all) {
      throw CliException.usage("name the namespaces to export, or give --all");
    }
    try (StoreOptions.Opened opened = store.open()) {
      LinkedHashSet<String> names = new LinkedHashSet<>(namespaces);
      if (all) {
        for (DatabaseInfo info : NamespaceCommand.all(opened.engine())) {
          if (!Backup.leftOutOfAll(info.name())) {
            names.add(info.name());
          }
        }
      }
      for (String name : names) {
        if (Backup.NOT_EXPORTED.contains(name)) {
          throw CliException.usage(name + " holds the server's own records (accounts, keys) and is not exported");
        }
      }
      Exporter.Summary summary;
      if (output.equals("-")) {
        Writer out = new BufferedWriter(new OutputStreamWriter(io.out(), StandardCharsets.UTF_8), 1 << 16);
        summary = new Exporter(opened.engine(), out).export(List.copyOf(names), opened.redactedUri(), io,
            progressEvery);
      } else {
        Path target = Path.of(output).toAbsolutePath();
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try (OutputStream file = Files.newOutputStream(partial);
            Writer out = new BufferedWriter(new OutputStreamWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
          summary = new Exporter(opened.engine(), out).export(List.copyOf(names), opened.redactedUri(), io,
              progressEvery);
        } catch (RuntimeException | IOException e) {
          Files.deleteIfExists(partial);
          throw e;
        }
        try {
          Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot move the backup to " + target + ": " + e.getMessage(), e);
        }
      }
      io.err().println("Exported " + CliIo.count(summary.namespaces(), "namespace") + ": "
          + CliIo.count(summary.docs(), "document") + ", " + summary.leaves() + (summary.leaves() == 1 ? " leaf"
          : " leaves") + ", " + CliIo.count(summary.attachments(), "attachment") + ", "
          + CliIo.count(summary.locals(), "local document") + (output.equals("-") ? "." : " to " + output + "."));
      return 0;
    }
  }
}
