package io.polysync.adapter.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.junit.jupiter.api.Test;

final class MongoWritePlanTest {
  private static WriteItem item(String id, long expectedSeq, boolean deleted) {
    return new WriteItem(id, "1-a", deleted, new byte[] {1}, expectedSeq, Optional.empty());
  }

  private static Document stored(long seq, boolean deleted) {
    return new Document("s", seq).append("d", deleted);
  }

  @Test
  void plan_compareAndSetPerItem_seqsAndTimestampsInItemOrder() {
    List<WriteItem> items =
        List.of(item("new", 0, false), item("stale", 3, false), item("live", 5, true), item("absent", 9, false));
    Map<String, Document> current =
        Map.of(MongoKeys.hex("stale"), stored(4, false), MongoKeys.hex("live"), stored(5, false));
    MongoWritePlan plan =
        MongoWritePlan.plan(items, new WriteResult[4], current, 10, 1_000, 2, 0, 500);
    assertThat(plan.results())
        .containsExactly(
            new WriteResult.Written("new", 11, 1_001),
            new WriteResult.Conflict("stale", 4),
            new WriteResult.Written("live", 12, 1_002),
            new WriteResult.Conflict("absent", 0));
    assertThat(plan.steps).extracting(MongoWritePlan.Step::index).containsExactly(0, 2);
    MongoWritePlan.Totals all = plan.totals(plan.steps);
    assertThat(all).isEqualTo(new MongoWritePlan.Totals(12, 1_002, 2, 1));
  }

  @Test
  void plan_clockAhead_timestampsFollowTheClock() {
    MongoWritePlan plan =
        MongoWritePlan.plan(List.of(item("a", 0, false), item("b", 0, false)), new WriteResult[2], Map.of(),
            0, 0, 0, 0, 5_000);
    assertThat(plan.results())
        .containsExactly(new WriteResult.Written("a", 1, 5_000), new WriteResult.Written("b", 2, 5_001));
  }

  @Test
  void totals_subsetApplied_countsOnlyWhatLanded() {
    MongoWritePlan plan =
        MongoWritePlan.plan(
            List.of(item("a", 0, false), item("b", 7, false), item("c", 0, true)),
            new WriteResult[3],
            Map.of(MongoKeys.hex("b"), stored(7, true)),
            7, 70, 0, 1, 0);
    MongoWritePlan.Step b = plan.steps.get(1);
    assertThat(plan.totals(List.of(b))).isEqualTo(new MongoWritePlan.Totals(9, 72, 1, 0));
    assertThat(plan.totals(List.of())).isEqualTo(new MongoWritePlan.Totals(7, 70, 0, 1));
    plan.lost(plan.steps.get(0), 0);
    assertThat(plan.results().get(0)).isEqualTo(new WriteResult.Conflict("a", 0));
  }

  @Test
  void plan_presetRejections_keptAndSkipped() {
    WriteResult[] preset = new WriteResult[2];
    preset[0] = new WriteResult.Conflict("x", 0);
    MongoWritePlan plan =
        MongoWritePlan.plan(List.of(item("x", 0, false), item("y", 0, false)), preset, Map.of(), 0, 0, 0, 0, 1);
    assertThat(plan.results().get(0)).isSameAs(preset[0]);
    assertThat(plan.results().get(1)).isEqualTo(new WriteResult.Written("y", 1, 1));
  }

  @Test
  void hex_ordersByCodePoint() {
    List<String> ids = List.of("a", "b", "\u00e9", "\uE000", "\uFFFD", "\uD83D\uDE00", "aa", "");
    List<String> byHex = ids.stream().sorted((x, y) -> MongoKeys.hex(x).compareTo(MongoKeys.hex(y))).toList();
    List<String> byCodePoint = ids.stream().sorted(io.polysync.spi.Names::compare).toList();
    assertThat(byHex).isEqualTo(byCodePoint);
    assertThat(MongoKeys.hex("\u00e9")).isEqualTo("c3a9");
    // A lone surrogate sorts between U+D7FF and U+E000, as Names.compare has it.
    assertThat(MongoKeys.hex("\uD800").compareTo(MongoKeys.hex("\uD7FF"))).isPositive();
    assertThat(MongoKeys.hex("\uD800").compareTo(MongoKeys.hex("\uE000"))).isNegative();
  }
}
