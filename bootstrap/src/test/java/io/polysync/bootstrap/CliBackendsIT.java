package io.polysync.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A backup taken on SQLite restored onto each server backend, in a scratch database (or key
 * prefix) of its own: the same revision trees, security object and local documents. Needs the
 * servers {@link RawStore} names; skipped without them on a laptop, failed in CI.
 */
final class CliBackendsIT {
  @TempDir Path dir;
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String storage, String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--data";
    all[args.length + 1] = dir.toString();
    all[args.length + 2] = "--storage";
    all[args.length + 3] = storage;
    err.reset();
    return new PolysyncCommand(CliIo.of(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]))).execute(all);
  }

  private StoreOptions.Opened open(String storage) {
    return StoreOptions.open(dir, java.util.Optional.ofNullable(storage),
        new KeyOptions(true, "file", java.util.Optional.empty(), java.util.Optional.empty()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"postgresql", "mariadb", "redis"})
  void exportFromSqlite_importOnto_sameTrees(String backend) throws Exception {
    String source = "sqlite:" + dir.resolve("source.db");
    try (StoreOptions.Opened opened = open(source)) {
      CliTest.seed(opened.engine());
    }
    Path backup = dir.resolve("backup.ndjson");
    assertThat(run(source, "export", "--all", "-o", backup.toString())).as(err.toString()).isZero();
    try (RawStore target = RawStore.create(backend, dir)) {
      assertThat(run(target.storageUri(), "import", backup.toString())).as(err.toString()).isZero();
      assertThat(run(target.storageUri(), "check")).isZero();
      try (StoreOptions.Opened from = open(source); StoreOptions.Opened to = open(target.storageUri())) {
        var a = from.engine().database("notes");
        var b = to.engine().database("notes");
        assertThat(CliTest.trees(b)).isEqualTo(CliTest.trees(a)).hasSize(5);
        assertThat(b.security()).isEqualTo(a.security());
        assertThat(b.revsLimit()).isEqualTo(50);
        assertThat(b.localDocs("", 10)).isEqualTo(a.localDocs("", 10)).hasSize(2);
      }
    }
  }
}
