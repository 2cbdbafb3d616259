package io.polysync.engine;

import static io.polysync.engine.TestDocs.doc;
import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The engine's own evaluation (over range scans) must agree with the adapter's push-down. */
final class QueryTest {

  private static List<String> run(Database db, Query query) {
    List<String> ids = new ArrayList<>();
    Optional<Query.Cursor> after = Optional.empty();
    while (true) {
      QueryResult page = db.query(new Query(query.filter(), query.sort(), after, query.limit(), query.includeDeleted()));
      page.documents().forEach(d -> ids.add(d.id()));
      if (page.next().isEmpty()) {
        return ids;
      }
      after = page.next();
    }
  }

  @Test
  void query_fallbackEvaluation_equalsPushdown_acrossPages() {
    long seed = new Random().nextLong();
    System.out.println("QueryTest seed=" + seed);
    Random random = new Random(seed);
    TestStorages.Limited limited = TestStorages.limited(10_000);
    try (SyncEngine pushdown = TestStorages.memoryEngine();
        SyncEngine fallback = SyncEngine.create(limited, TestStorages.options())) {
      Database a = pushdown.createDatabase("q");
      Database b = fallback.createDatabase("q");
      List<DocumentWrite> docs = new ArrayList<>();
      for (int i = 0; i < 1100; i++) {
        docs.add(DocumentWrite.of(doc("d" + i).put("n", random.nextInt(50)).put("t", random.nextBoolean() ? "x" : "y")));
      }
      a.bulkDocs(docs, true);
      b.bulkDocs(docs, true);
      Query query = new Query(
          new Query.Filter.And(List.of(
              new Query.Filter.Compare(Query.Field.body("n"), Query.Op.GE, JsonValue.JsonNumber.of(10)),
              new Query.Filter.Compare(Query.Field.body("t"), Query.Op.EQ, new JsonValue.JsonString("x")))),
          List.of(new Query.SortKey(Query.Field.body("n"), true)),
          Optional.empty(), 37, false);
      List<String> expected = run(a, query);
      assertThat(expected).as("seed %d", seed).isNotEmpty();
      assertThat(run(b, query)).as("seed %d", seed).isEqualTo(expected);
    } finally {
      limited.close();
    }
  }

  @Test
  void query_namingItsIds_readsOnlyThoseWithoutPushdown_andAgreesWithPushdown() {
    TestStorages.Limited limited = TestStorages.limited(10_000);
    try (SyncEngine pushdown = TestStorages.memoryEngine();
        SyncEngine fallback = SyncEngine.create(limited, TestStorages.options())) {
      Database a = pushdown.createDatabase("q");
      Database b = fallback.createDatabase("q");
      List<DocumentWrite> docs = new ArrayList<>();
      for (int i = 0; i < 1200; i++) {
        docs.add(DocumentWrite.of(doc("d" + i).put("n", i % 7)));
      }
      a.bulkDocs(docs, true);
      b.bulkDocs(docs, true);
      for (Database db : List.of(a, b)) {
        db.delete("d5", db.get("d5", ReadOptions.defaults()).rev());
      }
      List<JsonValue> named = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        named.add(new JsonValue.JsonString("d" + (i * 19)));
      }
      named.add(new JsonValue.JsonString("d5"));
      named.add(new JsonValue.JsonString("missing"));
      for (boolean tombstones : List.of(false, true)) {
        Query query = new Query(
            new Query.Filter.And(List.of(
                new Query.Filter.In(Query.Field.id(), named),
                new Query.Filter.Compare(Query.Field.body("n"), Query.Op.LE, JsonValue.JsonNumber.of(3)))),
            List.of(new Query.SortKey(Query.Field.body("n"), true)), Optional.empty(), 7, tombstones);
        limited.rangeCalls.set(0);
        List<String> expected = run(a, query);
        assertThat(expected).isNotEmpty();
        assertThat(run(b, query)).isEqualTo(expected);
        assertThat(limited.rangeCalls.get()).as("range scans for a query naming its ids").isZero();
      }
      Query byIds = new Query(new Query.Filter.Or(List.of(
          new Query.Filter.Compare(Query.Field.id(), Query.Op.EQ, new JsonValue.JsonString("d5")),
          new Query.Filter.In(Query.Field.id(), named))), List.of(), Optional.empty(), 1000, true);
      assertThat(run(b, byIds)).isEqualTo(run(a, byIds)).contains("d5");
      limited.rangeCalls.set(0);
      run(b, new Query(new Query.Filter.Compare(Query.Field.body("n"), Query.Op.EQ, JsonValue.JsonNumber.of(1)),
          List.of(), Optional.empty(), 1000, false));
      assertThat(limited.rangeCalls.get()).as("a query naming no ids scans").isPositive();
    } finally {
      limited.close();
    }
  }

  @Test
  void query_documents_carryIdRevAndBody() {
    try (SyncEngine engine = TestStorages.memoryEngine()) {
      Database db = engine.createDatabase("q");
      WriteOutcome.Ok ok = db.put(doc("only").put("n", 1));
      QueryResult result = db.query(new Query(Query.Filter.all(), List.of(), Optional.empty(), 10, false));
      assertThat(result.documents()).singleElement().satisfies(d -> {
        assertThat(d.rev()).isEqualTo(ok.rev());
        assertThat(d.json().get("n").asInt()).isEqualTo(1);
        assertThat(d.timestamp()).isEqualTo(ok.timestamp());
      });
      assertThat(result.next()).isEmpty();
    }
  }
}
