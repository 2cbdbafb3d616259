package io.polysync.protocol.couch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Route templates: endpoints by name, every database name, id and attachment name replaced. */
final class CouchRoutesTest {
  private static String template(String rawPath) {
    return CouchRoutes.template(Exchange.segments(rawPath));
  }

  @Test
  void template_serverEndpoints() {
    assertThat(template("/")).isEqualTo("/");
    assertThat(template("/_up")).isEqualTo("/_up");
    assertThat(template("/_session")).isEqualTo("/_session");
    assertThat(template("/_all_dbs")).isEqualTo("/_all_dbs");
    assertThat(template("/_node/x/_config")).isEqualTo("/{_other}/{rest}");
    assertThat(template("/_users")).isEqualTo("/_users");
    assertThat(template("/_users/org.couchdb.user:alice")).isEqualTo("/_users/{docid}");
    assertThat(template("/_users/_all_docs")).isEqualTo("/_users/_all_docs");
  }

  @Test
  void template_databaseEndpoints() {
    assertThat(template("/mydb")).isEqualTo("/{db}");
    assertThat(template("/mydb/")).isEqualTo("/{db}");
    assertThat(template("/a%2Fb/_changes")).isEqualTo("/{db}/_changes");
    assertThat(template("/mydb/_bulk_docs")).isEqualTo("/{db}/_bulk_docs");
    assertThat(template("/mydb/_bulk_get")).isEqualTo("/{db}/_bulk_get");
    assertThat(template("/mydb/_revs_diff")).isEqualTo("/{db}/_revs_diff");
    assertThat(template("/mydb/_all_docs")).isEqualTo("/{db}/_all_docs");
    assertThat(template("/mydb/_index/ddoc/json/name")).isEqualTo("/{db}/_index/{rest}");
    assertThat(template("/mydb/_whatever")).isEqualTo("/{db}/{_other}");
  }

  @Test
  void template_documents() {
    assertThat(template("/mydb/doc-1")).isEqualTo("/{db}/{docid}");
    assertThat(template("/mydb/doc-1/att/name.txt")).isEqualTo("/{db}/{docid}/{attachment}");
    assertThat(template("/mydb/_local/checkpoint-123")).isEqualTo("/{db}/_local/{docid}");
    assertThat(template("/mydb/_local%2Fcheckpoint-123")).isEqualTo("/{db}/_local/{docid}");
    assertThat(template("/mydb/_design/app")).isEqualTo("/{db}/_design/{ddoc}");
    assertThat(template("/mydb/_design%2Fapp")).isEqualTo("/{db}/_design/{ddoc}");
    assertThat(template("/mydb/_design/app/logo.png")).isEqualTo("/{db}/_design/{ddoc}/{attachment}");
  }
}
