package io.polysync.protocol.kinto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Route templates relative to {@code /v1}: every id replaced by a placeholder. */
final class KintoRoutesTest {
  @Test
  void template_rootAndServerEndpoints() {
    assertThat(KintoRoutes.template("")).isEqualTo("/");
    assertThat(KintoRoutes.template("/")).isEqualTo("/");
    assertThat(KintoRoutes.template("/__heartbeat__")).isEqualTo("/__heartbeat__");
    assertThat(KintoRoutes.template("/batch")).isEqualTo("/batch");
    assertThat(KintoRoutes.template("/accounts/alice")).isEqualTo("/accounts/{uid}");
    assertThat(KintoRoutes.template("/no-such-thing")).isEqualTo("/{unknown}");
  }

  @Test
  void template_objects() {
    assertThat(KintoRoutes.template("/buckets")).isEqualTo("/buckets");
    assertThat(KintoRoutes.template("/buckets/default")).isEqualTo("/buckets/{bid}");
    assertThat(KintoRoutes.template("/buckets/b1/groups/g1")).isEqualTo("/buckets/{bid}/groups/{gid}");
    assertThat(KintoRoutes.template("/buckets/b1/history")).isEqualTo("/buckets/{bid}/history");
    assertThat(KintoRoutes.template("/buckets/b1/collections/c1/records"))
        .isEqualTo("/buckets/{bid}/collections/{cid}/records");
    assertThat(KintoRoutes.template("/buckets/b1/collections/c1/records/r%2F1"))
        .isEqualTo("/buckets/{bid}/collections/{cid}/records/{rid}");
    assertThat(KintoRoutes.template("/buckets/b1/collections/c1/events"))
        .isEqualTo("/buckets/{bid}/collections/{cid}/events");
    assertThat(KintoRoutes.template("/buckets/b1/collections/c1/records/r1/x/y")).isEqualTo("/{unknown}");
  }
}
