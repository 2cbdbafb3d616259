package io.polysync.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class ParallelTest {
  @Test
  void map_longList_keepsTheItemsOrder() {
    List<Integer> items = IntStream.range(0, 5_000).boxed().toList();
    assertThat(Parallel.map(items, i -> "v" + i))
        .containsExactlyElementsOf(items.stream().map(i -> "v" + i).toList());
  }

  @Test
  void map_shortList_runsOnTheCallingThread() {
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    List<Integer> items = IntStream.range(0, Parallel.MIN_ITEMS - 1).boxed().toList();
    assertThat(Parallel.map(items, i -> {
      threads.add(Thread.currentThread());
      return i * 2;
    })).hasSize(items.size()).startsWith(0, 2, 4);
    assertThat(threads).containsExactly(Thread.currentThread());
  }

  @Test
  void map_itemThrows_exceptionReachesTheCaller() {
    List<Integer> items = IntStream.range(0, 2_000).boxed().toList();
    assertThatThrownBy(() -> Parallel.map(items, i -> {
      if (i == 1_234) {
        throw new IllegalStateException("item " + i);
      }
      return i;
    })).isInstanceOf(IllegalStateException.class).hasMessage("item 1234");
  }
}
