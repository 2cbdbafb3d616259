package io.polysync.spi.tck.selftest;

import io.polysync.spi.Storage;
import io.polysync.spi.StorageConfig;
import io.polysync.spi.Storages;
import io.polysync.spi.tck.ChangesTck;
import io.polysync.spi.tck.ConcurrencyTck;
import io.polysync.spi.tck.DocumentsTck;
import io.polysync.spi.tck.DurabilityTck;
import io.polysync.spi.tck.ForwardingStorage;
import io.polysync.spi.tck.MultiInstanceTck;
import io.polysync.spi.tck.QueryTck;
import io.polysync.spi.tck.SignalsTck;

/**
 * Kit parts bound to faulty storages, run by {@link TckSelfTest} through the JUnit test kit. Their
 * names do not end in {@code Test}, so the build never runs them as tests of their own: they are
 * meant to fail.
 */
final class BrokenKits {
  private BrokenKits() {}

  private static final StorageConfig CONFIG = StorageConfig.of("memory:tck-selftest");

  private static Storage open() {
    return Storages.open(CONFIG);
  }

  /** The plain forwarding wrapper: the same kit parts must pass, so failures are the faults'. */
  static final class ForwardingChanges extends ChangesTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return new ForwardingStorage(BrokenKits.open());
    }
  }

  static final class ForwardingConcurrency extends ConcurrencyTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return new ForwardingStorage(BrokenKits.open());
    }
  }

  static final class LateVisibilityConcurrency extends ConcurrencyTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.lateVisibility(BrokenKits.open());
    }
  }

  static final class LateVisibilityMultiInstance extends MultiInstanceTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.lateVisibility(BrokenKits.open());
    }
  }

  static final class IgnoresExpectedSeqDocuments extends DocumentsTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.ignoresExpectedSeq(BrokenKits.open());
    }
  }

  static final class IgnoresExpectedSeqConcurrency extends ConcurrencyTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.ignoresExpectedSeq(BrokenKits.open());
    }
  }

  static final class WallClockTimestampsChanges extends ChangesTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.wallClockTimestamps(BrokenKits.open());
    }
  }

  static final class ChangesFromLogChanges extends ChangesTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.changesFromLog(BrokenKits.open());
    }
  }

  static final class ChangesOffByOneChanges extends ChangesTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.changesOffByOne(BrokenKits.open());
    }
  }

  static final class ChangesOffByOneConcurrency extends ConcurrencyTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.changesOffByOne(BrokenKits.open());
    }
  }

  static final class WatermarkLagsOneCommitConcurrency extends ConcurrencyTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.watermarkLagsOneCommit(BrokenKits.open());
    }
  }

  static final class NotEqualSkipsMissingQuery extends QueryTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.notEqualSkipsMissing(BrokenKits.open());
    }
  }

  static final class SortsByFirstKeyOnlyQuery extends QueryTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.sortsByFirstKeyOnly(BrokenKits.open());
    }
  }

  static final class DeclinesEveryQueryQuery extends QueryTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.declinesEveryQuery(BrokenKits.open());
    }
  }

  static final class AnswersUndeclaredQueriesQuery extends QueryTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.answersUndeclaredQueries(BrokenKits.open());
    }
  }

  static final class WithoutPushdownQuery extends QueryTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.withoutPushdown(BrokenKits.open());
    }
  }

  static final class LocalSignalsOnlySignals extends SignalsTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.localSignalsOnly(BrokenKits.open());
    }
  }

  static final class LocalSignalsOnlyMultiInstance extends MultiInstanceTck {
    @Override
    protected StorageConfig config() {
      return CONFIG;
    }

    @Override
    protected Storage open() {
      return Faults.localSignalsOnly(BrokenKits.open());
    }
  }

  /** Acknowledges writes that are still in a process-local buffer: a kill loses them. */
  static final class UnforcedJournalDurability extends DurabilityTck {
    private final StorageConfig config = unforcedJournal();

    @Override
    protected StorageConfig config() {
      return config;
    }
  }

  private static StorageConfig unforcedJournal() {
    java.io.File journal = new java.io.File(
        System.getProperty("java.io.tmpdir"), "polysync-tck-" + java.util.UUID.randomUUID() + ".journal");
    journal.deleteOnExit();
    return new StorageConfig("memory:unforced", java.util.Map.of(
        io.polysync.spi.tck.memory.InMemoryStorageProvider.JOURNAL, journal.getPath(),
        io.polysync.spi.tck.memory.InMemoryStorageProvider.JOURNAL_FORCE, "false"));
  }
}
