package io.polysync.spi.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.polysync.spi.Capability;
import io.polysync.spi.JsonValue;
import io.polysync.spi.JsonValue.JsonArray;
import io.polysync.spi.JsonValue.JsonNumber;
import io.polysync.spi.JsonValue.JsonObject;
import io.polysync.spi.JsonValue.JsonString;
import io.polysync.spi.Query;
import io.polysync.spi.Query.Field;
import io.polysync.spi.Query.Filter;
import io.polysync.spi.Query.Op;
import io.polysync.spi.QueryEvaluator;
import io.polysync.spi.QueryEvaluator.Candidate;
import io.polysync.spi.StorageError;
import io.polysync.spi.StoredDocument;
import io.polysync.spi.WriteItem;
import io.polysync.spi.WriteResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Query push-down, by differential testing against {@link QueryEvaluator}: random documents with
 * nested bodies of mixed types, some deleted, some without a query body, and random queries
 * (every operator, nested boolean filters, sorts on body, id, seq and timestamp fields in both
 * directions, limits, deleted documents in and out, keyset pagination). Every answer the storage
 * gives must equal the reference evaluator's over the same data, document for document and in
 * order; a query it declines (empty answer) is the engine's to evaluate.
 *
 * <p>The capability is tested both ways: with {@link Capability#QUERY_PUSHDOWN} declared, the
 * storage must answer at least one random query (push-down must not be vacuous); without it,
 * every call throws {@link StorageError#UNSUPPORTED_CAPABILITY}.
 *
 * <p>Random data comes from a seeded generator; a failure names its seed, and {@code
 * -Dpolysync.tck.seed=N} replays it.
 *
 * <p>Subclass it once per backend and implement {@link #config()}; see {@link StorageTck}.
 */
public abstract class QueryTck extends StorageTck {
  /** The system property that replays a seed. */
  public static final String SEED_PROPERTY = "polysync.tck.seed";

  private static final int DOCUMENTS = 160;
  private static final int QUERIES = 400;

  private boolean pushdown() {
    return storage().capabilities().has(Capability.QUERY_PUSHDOWN);
  }

  private static Query query(Filter filter, List<Query.SortKey> sort, int limit, boolean deleted) {
    return new Query(filter, sort, Optional.empty(), limit, deleted);
  }

  @Test
  protected void query_undeclaredPushdown_unsupportedCapability() {
    String ns = newNamespace();
    writeOne(ns, item("doc", "1-a", 0));
    Query q = query(Filter.all(), List.of(), 10, false);
    if (pushdown()) {
      Optional<List<StoredDocument>> answer = storage().queries().query(ns, q);
      answer.ifPresent(docs -> assertThat(docs).extracting(StoredDocument::id).containsExactly("doc"));
    } else {
      assertError(StorageError.UNSUPPORTED_CAPABILITY, () -> storage().queries().query(ns, q));
    }
  }

  /** Hand-picked cases whose answers are written out, so the oracle itself is pinned too. */
  @Test
  protected void query_knownCases_matchWrittenAnswers() {
    String ns = newNamespace();
    Map<String, Candidate> reference = new LinkedHashMap<>();
    put(ns, reference, "a", obj("n", num("1"), "s", str("x")));
    put(ns, reference, "b", obj("n", num("1.0"), "s", str("y")));
    put(ns, reference, "c", obj("n", num("-2.5")));
    put(ns, reference, "d", obj("s", str("\u00e9"), "o", obj("x", JsonValue.JsonBoolean.TRUE)));
    put(ns, reference, "e", obj("n", str("1")));
    WriteResult.Written f = writeOne(ns, item("f", "1-a", 0));
    writeOne(ns, tombstone("f", "2-d", f.seq()));
    reference.put("f", new Candidate("f", stored(ns, "f").seq(), stored(ns, "f").timestamp(), true, JsonObject.empty()));

    checkKnown(ns, reference, query(new Filter.Compare(Field.body("n"), Op.EQ, num("1")), List.of(), 10, false), "a", "b");
    checkKnown(ns, reference, query(new Filter.Compare(Field.body("n"), Op.NE, num("1")), List.of(), 10, false), "c", "d", "e");
    checkKnown(ns, reference, query(new Filter.Compare(Field.body("n"), Op.NE, num("1")), List.of(), 10, true), "c", "d", "e", "f");
    checkKnown(ns, reference, query(new Filter.Compare(Field.body("n"), Op.LT, num("1")), List.of(), 10, false), "c");
    checkKnown(ns, reference, query(new Filter.Compare(Field.body("n"), Op.GE, num("1")), List.of(), 10, false), "a", "b");
    checkKnown(ns, reference, query(new Filter.Exists(Field.body("o", "x"), true), List.of(), 10, false), "d");
    checkKnown(ns, reference, query(new Filter.Exists(Field.body("s"), false), List.of(), 10, false), "c", "e");
    checkKnown(ns, reference, query(new Filter.In(Field.body("s"), List.of(str("y"), str("\u00e9"))), List.of(), 10, false), "b", "d");
    checkKnown(ns, reference, query(new Filter.Not(new Filter.Exists(Field.body("n"), true)), List.of(), 10, false), "d");
    checkKnown(ns, reference,
        query(Filter.all(), List.of(new Query.SortKey(Field.body("n"), true)), 10, false),
        "e", "a", "b", "c", "d");
    checkKnown(ns, reference,
        query(Filter.all(), List.of(new Query.SortKey(Field.body("s"), false)), 2, false),
        "c", "e");
  }

  private void put(String ns, Map<String, Candidate> reference, String id, JsonObject body) {
    WriteResult.Written w =
        writeOne(ns, new WriteItem(id, "1-a", false, state(id, "1-a"), 0, Optional.of(body)));
    reference.put(id, new Candidate(id, w.seq(), w.timestamp(), false, body));
  }

  private void checkKnown(String ns, Map<String, Candidate> reference, Query q, String... expected) {
    assertThat(QueryEvaluator.evaluate(q, reference.values()))
        .as("reference evaluator on %s", q)
        .extracting(Candidate::id)
        .containsExactly(expected);
    if (pushdown()) {
      storage().queries().query(ns, q).ifPresent(docs ->
          assertThat(docs).as("push-down of %s", q).extracting(StoredDocument::id).containsExactly(expected));
    }
  }

  @Test
  protected void query_randomQueries_equalReferenceEvaluator() {
    long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
    try {
      runRandom(seed);
    } catch (AssertionError e) {
      throw new AssertionError(
          "query differential test failed with seed " + seed + " (replay with -D" + SEED_PROPERTY
              + "=" + seed + "): " + e.getMessage(), e);
    }
  }

  private void runRandom(long seed) {
    Random random = new Random(seed);
    String ns = newNamespace();
    Map<String, Candidate> reference = writeRandomDocuments(ns, random);
    if (!pushdown()) {
      assertError(
          StorageError.UNSUPPORTED_CAPABILITY,
          () -> storage().queries().query(ns, query(Filter.all(), List.of(), 10, false)));
      return;
    }
    Generator gen = new Generator(random, reference);
    int answered = 0;
    int pagedAnswered = 0;
    for (int i = 0; i < QUERIES; i++) {
      Filter filter = gen.filter(3);
      List<Query.SortKey> sort = gen.sort();
      boolean includeDeleted = random.nextBoolean();
      int limit = gen.limit();
      Optional<Query.Cursor> after = Optional.empty();
      if (random.nextInt(4) == 0) {
        Candidate from = gen.anyCandidate();
        after = Optional.of(QueryEvaluator.cursorAfter(sort, from));
      }
      Query q = new Query(filter, sort, after, limit, includeDeleted);
      Optional<List<StoredDocument>> answer = storage().queries().query(ns, q);
      if (answer.isPresent()) {
        answered++;
        assertSameAnswer(q, answer.get(), QueryEvaluator.evaluate(q, reference.values()), reference);
      }
      if (random.nextInt(3) == 0 && pages(ns, filter, sort, includeDeleted, 1 + random.nextInt(7), reference)) {
        pagedAnswered++;
      }
    }
    System.out.println(
        "QueryTck: " + storage() + " pushed down " + answered + " of " + QUERIES
            + " random queries and " + pagedAnswered + " paginations (seed " + seed + ")");
    assertThat(answered)
        .as("QUERY_PUSHDOWN is declared, so at least one query must be answered natively")
        .isPositive();
  }

  /** Follows cursors page by page; false if the storage declined a page. */
  private boolean pages(
      String ns, Filter filter, List<Query.SortKey> sort, boolean includeDeleted, int pageSize,
      Map<String, Candidate> reference) {
    List<Candidate> expected =
        QueryEvaluator.evaluate(query(filter, sort, Integer.MAX_VALUE, includeDeleted), reference.values());
    List<String> seen = new ArrayList<>();
    Optional<Query.Cursor> after = Optional.empty();
    for (int round = 0; round <= reference.size() + 1; round++) {
      Query q = new Query(filter, sort, after, pageSize, includeDeleted);
      Optional<List<StoredDocument>> page = storage().queries().query(ns, q);
      if (page.isEmpty()) {
        return false;
      }
      assertSameAnswer(q, page.get(), QueryEvaluator.evaluate(q, reference.values()), reference);
      page.get().forEach(d -> seen.add(d.id()));
      if (page.get().size() < pageSize) {
        assertThat(seen)
            .as("pages of %d concatenated for %s / %s", pageSize, filter, sort)
            .containsExactlyElementsOf(expected.stream().map(Candidate::id).toList());
        return true;
      }
      after = Optional.of(QueryEvaluator.cursorAfter(sort, reference.get(page.get().getLast().id())));
    }
    throw new AssertionError("pagination did not end after " + reference.size() + " pages");
  }

  private static void assertSameAnswer(
      Query q, List<StoredDocument> actual, List<Candidate> expected, Map<String, Candidate> reference) {
    assertThat(actual)
        .as("answer to %s", q)
        .extracting(StoredDocument::id)
        .containsExactlyElementsOf(expected.stream().map(Candidate::id).toList());
    for (StoredDocument d : actual) {
      assertThat(d.seq()).as("seq of %s in the answer", d.id()).isEqualTo(reference.get(d.id()).seq());
    }
  }

  private Map<String, Candidate> writeRandomDocuments(String ns, Random random) {
    Generator values = new Generator(random, Map.of());
    Map<String, Candidate> reference = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < DOCUMENTS; i++) {
      ids.add(switch (i % 8) {
        case 0 -> "\u00e9-" + i;
        case 1 -> "\uD83D\uDE00" + i;
        case 2 -> "Doc " + i;
        default -> "doc-" + i;
      });
    }
    for (int start = 0; start < ids.size(); start += 20) {
      List<WriteItem> batch = new ArrayList<>();
      for (String id : ids.subList(start, Math.min(ids.size(), start + 20))) {
        batch.add(values.write(id, "1-a", 0));
      }
      apply(ns, batch, reference);
    }
    // Rewrites, deletions and resurrections, so answers come from the latest state only.
    for (int round = 0; round < 3; round++) {
      List<WriteItem> batch = new ArrayList<>();
      for (String id : ids) {
        if (random.nextInt(4) == 0) {
          Candidate current = reference.get(id);
          String rev = (round + 2) + "-r";
          batch.add(random.nextInt(3) == 0
              ? tombstone(id, rev, current.seq())
              : values.write(id, rev, current.seq()));
        }
      }
      if (!batch.isEmpty()) {
        apply(ns, batch, reference);
      }
    }
    return reference;
  }

  private void apply(String ns, List<WriteItem> batch, Map<String, Candidate> reference) {
    List<WriteResult> results = storage().documents().write(ns, batch);
    for (int i = 0; i < batch.size(); i++) {
      WriteItem item = batch.get(i);
      assertThat(results.get(i)).as("write of %s", item.id()).isInstanceOf(WriteResult.Written.class);
      WriteResult.Written w = (WriteResult.Written) results.get(i);
      JsonObject body = item.deleted() ? JsonObject.empty() : item.queryBody().orElse(JsonObject.empty());
      reference.put(item.id(), new Candidate(item.id(), w.seq(), w.timestamp(), item.deleted(), body));
    }
  }

  static JsonNumber num(String value) {
    return new JsonNumber(new BigDecimal(value));
  }

  static JsonString str(String value) {
    return new JsonString(value);
  }

  static JsonObject obj(Object... pairs) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      members.put((String) pairs[i], (JsonValue) pairs[i + 1]);
    }
    return new JsonObject(members);
  }

  /** Random bodies and queries drawn from small pools, so that filters do match. */
  private static final class Generator {
    private static final List<String> STRINGS =
        List.of("", "a", "A", "b", "ab", "10", "9", "\u00e9", "e\u0301", "\uE000", "\uD83D\uDE00", "null", "true");
    private static final List<String> NUMBERS =
        List.of("0", "-0.0", "1", "1.0", "1.50", "1.5", "-1", "-2.5", "3.25", "10", "9", "1000", "1E+3", "-0.001", "12345678901234567890");
    private static final List<List<String>> PATHS =
        List.of(List.of("a"), List.of("b"), List.of("n"), List.of("s"), List.of("o"), List.of("o", "x"),
            List.of("o", "y"), List.of("arr"), List.of("missing"), List.of("a", "deep"), List.of("o", "x", "z"));

    private final Random random;
    private final List<Candidate> candidates;

    Generator(Random random, Map<String, Candidate> reference) {
      this.random = random;
      this.candidates = List.copyOf(reference.values());
    }

    WriteItem write(String id, String rev, long expectedSeq) {
      // One in ten live writes carries no query body: such documents have no body fields.
      Optional<JsonObject> body = random.nextInt(10) == 0 ? Optional.empty() : Optional.of(body());
      return new WriteItem(id, rev, false, state(id, rev), expectedSeq, body);
    }

    JsonObject body() {
      Map<String, JsonValue> m = new LinkedHashMap<>();
      maybe(m, "a", this::scalar);
      maybe(m, "b", () -> random.nextBoolean() ? scalar() : array());
      maybe(m, "n", () -> random.nextInt(5) == 0 ? scalar() : number());
      maybe(m, "s", () -> random.nextInt(5) == 0 ? scalar() : string());
      maybe(m, "o", () -> {
        if (random.nextInt(4) == 0) {
          return scalar();
        }
        Map<String, JsonValue> o = new LinkedHashMap<>();
        maybe(o, "x", this::scalar);
        maybe(o, "y", () -> random.nextBoolean() ? number() : array());
        return new JsonObject(o);
      });
      maybe(m, "arr", this::array);
      return new JsonObject(m);
    }

    private void maybe(Map<String, JsonValue> m, String name, java.util.function.Supplier<JsonValue> value) {
      if (random.nextInt(5) != 0) {
        m.put(name, value.get());
      }
    }

    JsonValue scalar() {
      return switch (random.nextInt(6)) {
        case 0 -> JsonValue.JsonNull.INSTANCE;
        case 1 -> JsonValue.JsonBoolean.TRUE;
        case 2 -> JsonValue.JsonBoolean.FALSE;
        case 3, 4 -> number();
        default -> string();
      };
    }

    JsonValue number() {
      return num(NUMBERS.get(random.nextInt(NUMBERS.size())));
    }

    JsonValue string() {
      return str(STRINGS.get(random.nextInt(STRINGS.size())));
    }

    JsonValue array() {
      List<JsonValue> values = new ArrayList<>();
      int n = random.nextInt(3);
      for (int i = 0; i < n; i++) {
        values.add(scalar());
      }
      return new JsonArray(values);
    }

    JsonValue anyValue() {
      return switch (random.nextInt(8)) {
        case 0 -> array();
        case 1 -> random.nextBoolean() ? JsonObject.empty() : obj("x", scalar());
        default -> scalar();
      };
    }

    Candidate anyCandidate() {
      return candidates.get(random.nextInt(candidates.size()));
    }

    Field field() {
      return switch (random.nextInt(10)) {
        case 0 -> Field.id();
        case 1 -> Field.seq();
        case 2 -> Field.timestamp();
        default -> new Field.Body(PATHS.get(random.nextInt(PATHS.size())));
      };
    }

    /** A value of the kind the field holds, usually one that occurs in the data. */
    JsonValue valueFor(Field field, boolean orderable) {
      return switch (field) {
        case Field.Id id -> random.nextInt(4) == 0 ? string() : str(anyCandidate().id());
        case Field.Seq seq -> JsonNumber.of(anyCandidate().seq() + random.nextInt(3) - 1);
        case Field.Timestamp ts -> JsonNumber.of(anyCandidate().timestamp() + random.nextInt(3) - 1);
        case Field.Body body -> orderable ? (random.nextBoolean() ? number() : string()) : anyValue();
      };
    }

    Filter filter(int depth) {
      int pick = random.nextInt(depth > 0 ? 9 : 5);
      return switch (pick) {
        case 0 -> random.nextInt(4) == 0 ? Filter.all() : exists();
        case 1, 2 -> compare();
        case 3 -> in();
        case 4 -> compare();
        case 5, 6 -> {
          List<Filter> children = new ArrayList<>();
          int n = random.nextInt(4);
          for (int i = 0; i < n; i++) {
            children.add(filter(depth - 1));
          }
          yield random.nextBoolean() ? new Filter.And(children) : new Filter.Or(children);
        }
        default -> new Filter.Not(filter(depth - 1));
      };
    }

    private Filter exists() {
      return new Filter.Exists(field(), random.nextBoolean());
    }

    private Filter compare() {
      Field field = field();
      Op op = Op.values()[random.nextInt(Op.values().length)];
      boolean orderable = op != Op.EQ && op != Op.NE;
      return new Filter.Compare(field, op, valueFor(field, orderable));
    }

    private Filter in() {
      Field field = field();
      List<JsonValue> values = new ArrayList<>();
      int n = 1 + random.nextInt(3);
      for (int i = 0; i < n; i++) {
        values.add(valueFor(field, false));
      }
      return new Filter.In(field, values);
    }

    List<Query.SortKey> sort() {
      List<Query.SortKey> keys = new ArrayList<>();
      int n = random.nextInt(4);
      for (int i = 0; i < n; i++) {
        keys.add(new Query.SortKey(field(), random.nextBoolean()));
      }
      return keys;
    }

    int limit() {
      int[] limits = {1, 2, 3, 5, 10, 50, 1000};
      return limits[random.nextInt(limits.length)];
    }
  }
}
