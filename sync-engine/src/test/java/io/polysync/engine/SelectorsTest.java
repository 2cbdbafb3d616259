package io.polysync.engine;

import static io.polysync.engine.TestDocs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polysync.spi.JsonValue;
import io.polysync.spi.Query;
import io.polysync.spi.QueryEvaluator;
import io.polysync.spi.SyncException;
import org.junit.jupiter.api.Test;

/** Mango selectors, cases after the CouchDB documentation's selector syntax section (/db/_find). */
final class SelectorsTest {

  private static boolean matches(String selector, String body) {
    Query.Filter filter = Selectors.toFilter(json(selector));
    var candidate = new QueryEvaluator.Candidate("doc1", 1, 1, false,
        (JsonValue.JsonObject) io.polysync.engine.internal.Json.toValue(json(body)));
    return QueryEvaluator.matches(filter, candidate);
  }

  @Test
  void toFilter_implicitEquality_andNestedFields() {
    assertThat(matches("{'director':'Lars von Trier'}", "{'director':'Lars von Trier'}")).isTrue();
    assertThat(matches("{'imdb.rating':8}", "{'imdb':{'rating':8}}")).isTrue();
    assertThat(matches("{'imdb':{'rating':8}}", "{'imdb':{'rating':8}}")).isTrue();
    assertThat(matches("{'imdb':{'rating':8}}", "{'imdb':{'rating':7}}")).isFalse();
  }

  @Test
  void toFilter_comparisons() {
    assertThat(matches("{'year':{'$gt':2010}}", "{'year':2011}")).isTrue();
    assertThat(matches("{'year':{'$gte':2010,'$lt':2011}}", "{'year':2010}")).isTrue();
    assertThat(matches("{'year':{'$lte':2009}}", "{'year':2010}")).isFalse();
    assertThat(matches("{'year':{'$eq':2010}}", "{'year':2010.0}")).isTrue();
  }

  @Test
  void toFilter_neAndNin_neverMatchAMissingField() {
    assertThat(matches("{'a':{'$ne':1}}", "{'b':1}")).isFalse();
    assertThat(matches("{'a':{'$ne':1}}", "{'a':2}")).isTrue();
    assertThat(matches("{'a':{'$nin':[1,2]}}", "{'b':1}")).isFalse();
    assertThat(matches("{'a':{'$nin':[1,2]}}", "{'a':3}")).isTrue();
  }

  @Test
  void toFilter_inExistsAndCombinations() {
    assertThat(matches("{'a':{'$in':['x','y']}}", "{'a':'y'}")).isTrue();
    assertThat(matches("{'a':{'$exists':false}}", "{'b':1}")).isTrue();
    assertThat(matches("{'$or':[{'a':1},{'b':2}]}", "{'b':2}")).isTrue();
    assertThat(matches("{'$and':[{'a':1},{'b':2}]}", "{'a':1,'b':3}")).isFalse();
    assertThat(matches("{'$nor':[{'a':1},{'b':2}]}", "{'a':3,'b':3}")).isTrue();
    assertThat(matches("{'a':{'$not':{'$eq':1}}}", "{'a':2}")).isTrue();
    assertThat(matches("{'_id':'doc1'}", "{}")).isTrue();
  }

  @Test
  void toFilter_unsupportedOperators_nameTheOperator() {
    for (String op : new String[] {"$regex", "$elemMatch", "$size", "$type", "$mod", "$all"}) {
      assertThatThrownBy(() -> Selectors.toFilter(json("{'a':{'" + op + "':1}}")))
          .isInstanceOfSatisfying(SyncException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(EngineError.INVALID_SELECTOR);
            assertThat(e.getMessage()).contains(op);
          });
    }
  }
}
