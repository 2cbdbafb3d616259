package io.polysync.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class RedisReconnectDelayTest {
  @Test
  void reconnectDelay_startsShortAndNeverExceedsASecond() {
    assertThat(RedisStorage.RECONNECT_DELAY.createDelay(1)).isLessThanOrEqualTo(Duration.ofMillis(10));
    for (long attempt = 1; attempt <= 1_000; attempt++) {
      assertThat(RedisStorage.RECONNECT_DELAY.createDelay(attempt)).isLessThanOrEqualTo(Duration.ofSeconds(1));
    }
    // Lettuce's own default grows to 30 seconds after a long outage.
    assertThat(io.lettuce.core.resource.Delay.exponential().createDelay(40)).isGreaterThan(Duration.ofSeconds(1));
  }
}
