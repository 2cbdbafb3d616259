package io.polysync.bootstrap;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work (export, import, check) on standard error: a progress bar with rate and
 * time left on a terminal (the progressbar library draws it), plain lines otherwise, so a log
 * file or a CI job gets a line every {@code every} documents or every few seconds instead of a
 * stream of carriage returns.
 */
interface Progress extends AutoCloseable {
  /** One more unit done. */
  void step();

  /** The work is done (or stopped): the last line or the completed bar. */
  @Override
  void close();

  static Progress start(CliIo io, String task, long total, long every) {
    return io.terminal().isPresent()
        ? new Bar(io.err(), task, total)
        : new Lines(io.err(), task, total, every, Duration.ofSeconds(5), System::nanoTime);
  }

  /** The terminal's bar. */
  final class Bar implements Progress {
    private final ProgressBar bar;

    Bar(PrintStream err, String task, long total) {
      this.bar = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(Math.max(total, 1))
          .setStyle(ProgressBarStyle.ASCII)
          .setUnit(" docs", 1)
          .showSpeed()
          .setConsumer(new ConsoleProgressBarConsumer(err))
          .build();
    }

    @Override
    public void step() {
      bar.step();
      if (bar.getCurrent() > bar.getMax()) {
        // Documents written while the work ran: the total was an estimate.
        bar.maxHint(bar.getCurrent());
      }
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  /**
   * A line every {@code every} units, or at the first unit after {@code interval} without a line,
   * and a last line with the count and the rate.
   */
  final class Lines implements Progress {
    private final PrintStream err;
    private final String task;
    private final long total;
    private final long every;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final long started;
    private long done;
    private long lastLineAt;
    private boolean closed;

    Lines(PrintStream err, String task, long total, long every, Duration interval, LongSupplier nanoTime) {
      if (every < 1) {
        throw new IllegalArgumentException("every must be positive: " + every);
      }
      this.err = err;
      this.task = task;
      this.total = total;
      this.every = every;
      this.intervalNanos = interval.toNanos();
      this.nanoTime = nanoTime;
      this.started = nanoTime.getAsLong();
      this.lastLineAt = started;
    }

    @Override
    public void step() {
      done++;
      long now = nanoTime.getAsLong();
      if (done % every == 0 || now - lastLineAt >= intervalNanos) {
        lastLineAt = now;
        double rate = rate(now);
        StringBuilder line = new StringBuilder(task).append(": ").append(done);
        if (total > 0) {
          line.append('/').append(total)
              .append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, done * 100 / total)));
        }
        line.append(String.format(Locale.ROOT, ", %.0f docs/s", rate));
        if (total > done && rate > 0) {
          line.append(", about ").append(format(Duration.ofSeconds((long) Math.ceil((total - done) / rate))))
              .append(" left");
        }
        err.println(line);
      }
    }

    private double rate(long now) {
      double seconds = (now - started) / 1e9;
      return seconds > 0 ? done / seconds : 0;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      long now = nanoTime.getAsLong();
      err.println(String.format(Locale.ROOT, "%s: %d docs in %s (%.0f docs/s)", task, done,
          format(Duration.ofNanos(now - started)), rate(now)));
    }

    static String format(Duration d) {
      long s = d.toSeconds();
      if (s < 60) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
      }
      return s < 3600 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
          : String.format(Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60);
    }
  }
}
