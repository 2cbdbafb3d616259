package io.polysync.spi.tck.selftest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Proves the compliance kit can fail: each kit part is run against storages with one deliberate
 * bug and must report it, in the test that targets that bug; the same parts run against a
 * fault-free wrapper must pass, so the failures are the bugs' and not the wrappers'.
 */
final class TckSelfTest {

  private static Events run(DiscoverySelector selector) {
    return EngineTestKit.engine("junit-jupiter").selectors(selector).execute().testEvents();
  }

  private static Events run(Class<?> kit) {
    return run(selectClass(kit));
  }

  private static Events run(Class<?> kit, String test) {
    return run(selectMethod(kit, test));
  }

  private static String describe(Event event) {
    String why = event.getPayload(TestExecutionResult.class)
        .flatMap(TestExecutionResult::getThrowable)
        .map(Throwable::getMessage)
        .orElse("");
    return event.getTestDescriptor().getDisplayName() + ": " + why;
  }

  /** Asserts the named tests failed (each with a message containing {@code because}, if given). */
  private static void assertFailed(Events events, String because, String... tests) {
    List<String> failed = events.failed().stream().map(TckSelfTest::describe).toList();
    assertThat(failed).as("failed tests").isNotEmpty();
    for (String test : tests) {
      assertThat(failed)
          .as("failures, expecting %s", test)
          .anySatisfy(f -> {
            assertThat(f).startsWith(test + "()");
            assertThat(f).contains(because);
          });
    }
  }

  private static void assertPassed(Events events) {
    assertThat(events.failed().stream().map(TckSelfTest::describe).toList()).isEmpty();
    assertThat(events.succeeded().count()).isPositive();
  }

  @Test
  void forwardingWrapper_passesTheKit() {
    assertPassed(run(BrokenKits.ForwardingChanges.class));
    assertPassed(run(BrokenKits.ForwardingConcurrency.class));
  }

  @Test
  void lateVisibility_failsFeed() {
    assertFailed(
        run(BrokenKits.LateVisibilityConcurrency.class,
            "feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState"),
        "the feed skipped a committed write",
        "feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState");
  }

  @Test
  void lateVisibility_failsFeedAcrossStorages() {
    assertFailed(
        run(BrokenKits.LateVisibilityMultiInstance.class,
            "feed_writersOnOneStorageReadersOnAnother_readersSeeEveryFinalState"),
        "the feed skipped a committed write",
        "feed_writersOnOneStorageReadersOnAnother_readersSeeEveryFinalState");
  }

  @Test
  void ignoresExpectedSeq_failsCompareAndSet() {
    assertFailed(
        run(BrokenKits.IgnoresExpectedSeqDocuments.class),
        "",
        "write_staleExpectedSeq_conflictChangesNothing",
        "write_createOverExisting_conflictWithCurrentSeq",
        "write_mixedBatch_resultPerItemInOrder");
  }

  @Test
  void ignoresExpectedSeq_failsUnderContention() {
    assertFailed(
        run(BrokenKits.IgnoresExpectedSeqConcurrency.class, "write_concurrentCreatesOfOneId_exactlyOneWins"),
        "",
        "write_concurrentCreatesOfOneId_exactlyOneWins");
    assertFailed(
        run(BrokenKits.IgnoresExpectedSeqConcurrency.class,
            "feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState"),
        "a lost update",
        "feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState");
  }

  @Test
  void wallClockTimestamps_failStrictIncrease() {
    assertFailed(
        run(BrokenKits.WallClockTimestampsChanges.class),
        "timestamp",
        "write_seqsAndTimestamps_strictlyIncreaseWithinAndAcrossBatches");
  }

  @Test
  void changesFromLog_failsOncePerDocument() {
    assertFailed(
        run(BrokenKits.ChangesFromLogChanges.class),
        "",
        "changes_rewrittenDocuments_eachOnceAtLatestSeq",
        "changes_pagedBySeq_coversEveryDocumentOnceAscending");
  }

  @Test
  void changesOffByOne_failsSinceAndFeed() {
    assertFailed(
        run(BrokenKits.ChangesOffByOneChanges.class),
        "",
        "changes_since_excludesSinceItself",
        "changes_pagedBySeq_coversEveryDocumentOnceAscending");
    assertFailed(
        run(BrokenKits.ChangesOffByOneConcurrency.class,
            "feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState"),
        "the feed skipped a committed write",
        "feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState");
  }

  @Test
  void watermarkLagsOneCommit_failsFeedAfterStall() {
    assertFailed(
        run(BrokenKits.WatermarkLagsOneCommitConcurrency.class,
            "feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState"),
        "the feed stopped at seq",
        "feed_concurrentWritersAndReaders_everyReaderSeesEveryFinalState");
  }

  @Test
  void notEqualSkipsMissing_failsDifferentialQuery() {
    assertFailed(
        run(BrokenKits.NotEqualSkipsMissingQuery.class),
        "",
        "query_knownCases_matchWrittenAnswers",
        "query_randomQueries_equalReferenceEvaluator");
  }

  @Test
  void sortsByFirstKeyOnly_failsDifferentialQuery() {
    assertFailed(
        run(BrokenKits.SortsByFirstKeyOnlyQuery.class, "query_randomQueries_equalReferenceEvaluator"),
        "seed",
        "query_randomQueries_equalReferenceEvaluator");
  }

  @Test
  void declinesEveryQuery_failsVacuousPushdown() {
    assertFailed(
        run(BrokenKits.DeclinesEveryQueryQuery.class, "query_randomQueries_equalReferenceEvaluator"),
        "at least one query must be answered",
        "query_randomQueries_equalReferenceEvaluator");
  }

  @Test
  void answersUndeclaredQueries_failsCapabilityCheck() {
    assertFailed(
        run(BrokenKits.AnswersUndeclaredQueriesQuery.class),
        "storage.unsupported_capability",
        "query_undeclaredPushdown_unsupportedCapability",
        "query_randomQueries_equalReferenceEvaluator");
  }

  @Test
  void withoutPushdown_passesQueryKit() {
    assertPassed(run(BrokenKits.WithoutPushdownQuery.class));
  }

  @Test
  void localSignalsOnly_passesLocalButFailsAcrossStorages() {
    assertPassed(run(BrokenKits.LocalSignalsOnlySignals.class));
    assertFailed(
        run(BrokenKits.LocalSignalsOnlyMultiInstance.class,
            "signals_writeThroughOneStorage_wakesListenerOnAnother"),
        "signal on the other storage",
        "signals_writeThroughOneStorage_wakesListenerOnAnother");
  }

  @Test
  void unforcedJournal_failsDurability() {
    assertFailed(
        run(BrokenKits.UnforcedJournalDurability.class),
        "acknowledged documents lost by the kill",
        "kill_afterAcknowledgedWrites_everyAcknowledgedWriteSurvivesRestart");
  }
}
