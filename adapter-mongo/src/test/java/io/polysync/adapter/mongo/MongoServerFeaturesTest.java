package io.polysync.adapter.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import org.bson.Document;
import org.junit.jupiter.api.Test;

final class MongoServerFeaturesTest {

  @Test
  void from_replicaSetMember_transactions() {
    MongoServerFeatures f =
        MongoServerFeatures.from(
            Document.parse("{isWritablePrimary: true, setName: 'rs0', logicalSessionTimeoutMinutes: 30, maxWireVersion: 17}"));
    assertThat(f.replicaSet()).isTrue();
    assertThat(f.transactions()).isTrue();
    assertThat(f.replicated()).isTrue();
  }

  @Test
  void from_mongos_transactionsFromWireVersion8() {
    assertThat(MongoServerFeatures.from(
            Document.parse("{msg: 'isdbgrid', logicalSessionTimeoutMinutes: 30, maxWireVersion: 21}"))
        .transactions()).isTrue();
    assertThat(MongoServerFeatures.from(
            Document.parse("{msg: 'isdbgrid', logicalSessionTimeoutMinutes: 30, maxWireVersion: 7}"))
        .transactions()).isFalse();
  }

  @Test
  void from_standalone_noTransactions() {
    MongoServerFeatures f =
        MongoServerFeatures.from(
            Document.parse("{isWritablePrimary: true, logicalSessionTimeoutMinutes: 30, maxWireVersion: 21}"));
    assertThat(f.transactions()).isFalse();
    assertThat(f.replicated()).isFalse();
    assertThat(f.describe()).contains("standalone");
  }

  @Test
  void from_replicaSetWithoutSessions_noTransactions() {
    assertThat(MongoServerFeatures.from(Document.parse("{setName: 'rs0', maxWireVersion: 17}")).transactions())
        .isFalse();
  }

  @Test
  void probe_standIn_answersIsMasterAsAStandaloneWithoutSessions() {
    try (var client = com.mongodb.client.MongoClients.create(StandInServer.freshUri("features"))) {
      MongoServerFeatures f = MongoServerFeatures.probe(client.getDatabase("admin"));
      assertThat(f.replicaSet()).isFalse();
      assertThat(f.sharded()).isFalse();
      assertThat(f.transactions()).isFalse();
    }
  }
}
