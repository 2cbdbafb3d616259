package io.polysync.bootstrap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code polysync import}: a backup of {@code polysync export} into this storage. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    version = "Polysync 0.1.0",
    description = {"Restores a backup made by polysync export, on this or any other backend, with the same"
        + " revision trees.",
      "Checks the whole file first: a damaged line stops the import, names the line, and changes nothing."
          + " Refuses a namespace that holds documents unless --merge."})
final class ImportCommand implements Callable<Integer> {
  private final CliIo io;

  @Mixin StoreOptions store = new StoreOptions();

  @Parameters(paramLabel = "FILE", description = "The backup file.")
  Path file;

  @Option(names = "--into", paramLabel = "NAME",
      description = "Import the backup's one namespace under this name.")
  String into;

  @Option(names = "--merge", description = "Merge into namespaces that hold documents: revision trees are joined"
      + " as replication would (conflicts may appear), local documents are replaced; the namespace keeps its"
      + " _security and revs_limit.")
  boolean merge;

  @Option(names = "--progress-every", hidden = true, defaultValue = "1000",
      description = "Documents between two progress lines when not on a terminal.")
  long progressEvery;

  ImportCommand(CliIo io) {
    this.io = io;
  }

  private BufferedReader open() {
    try {
      return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CliException("no file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws IOException {
    List<Importer.Plan> plans;
    try (BufferedReader in = open()) {
      plans = Importer.validate(in);
    }
    try (StoreOptions.Opened opened = store.open()) {
      Importer.Summary summary = new Importer(opened.engine())
          .write(this::open, plans, Optional.ofNullable(into), merge, io, progressEvery);
      io.err().println("Imported " + summary.docs() + " documents (" + summary.leaves() + " leaves) and "
          + summary.locals() + " local documents into " + String.join(", ", summary.namespaces()) + ".");
      return 0;
    }
  }
}
