package io.polysync.adapter.otherfixture;

import io.polysync.adapter.fixture.CleanAdapter;

/** Deliberately breaks the rules: one adapter calling another. Used by RulesCatchViolationsTest. */
public final class NeighbourCallingAdapter {
  public static Object read() {
    return CleanAdapter.read("a");
  }
}
