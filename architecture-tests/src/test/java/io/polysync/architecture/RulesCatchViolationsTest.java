package io.polysync.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.polysync.adapter.fixture.CleanAdapter;
import io.polysync.adapter.fixture.EncryptingAdapter;
import io.polysync.adapter.fixture.EngineCallingAdapter;
import io.polysync.adapter.fixture.InternalPeekingAdapter;
import io.polysync.adapter.otherfixture.NeighbourCallingAdapter;
import io.polysync.bootstrap.fixture.BootstrapFixture;
import io.polysync.bootstrap.fixture.TokenCheckingBootstrap;
import io.polysync.engine.fixture.BootstrapCallingEngine;
import io.polysync.engine.fixture.EngineFixture;
import io.polysync.engine.fixture.JdbcUsingEngine;
import io.polysync.engine.fixture.MetricsUsingEngine;
import io.polysync.engine.fixture.internal.InternalFixture;
import io.polysync.protocol.fixture.AdapterCallingProtocol;
import io.polysync.protocol.fixture.TokenParsingProtocol;
import io.polysync.spi.fixture.GoodValue;
import io.polysync.spi.fixture.MutableValue;
import org.junit.jupiter.api.Test;

/**
 * Proves the rules in {@link LayeringTest} are not vacuous: each one reports the small violating
 * fixture written for it (test sources only, never part of a module) and accepts a clean one.
 * Many rules are allowed to match nothing until their module exists, so without this a typo in a
 * package pattern would pass silently forever.
 */
final class RulesCatchViolationsTest {

  private static EvaluationResult evaluate(ArchRule rule, Class<?>... fixtures) {
    JavaClasses classes = new ClassFileImporter().importClasses(fixtures);
    return rule.evaluate(classes);
  }

  @Test
  void tokenLibrariesStayInBootstrap_protocolParsingTokens() {
    assertThat(evaluate(LayeringTest.TOKEN_LIBRARIES_STAY_IN_BOOTSTRAP, TokenParsingProtocol.class).hasViolation())
        .isTrue();
  }

  @Test
  void metricsLibraryStaysInBootstrap_engineCountingWithMicrometer() {
    assertThat(evaluate(LayeringTest.METRICS_LIBRARY_STAYS_IN_BOOTSTRAP, MetricsUsingEngine.class).hasViolation())
        .isTrue();
  }

  @Test
  void tokenLibrariesStayInBootstrap_bootstrapAuthenticator() {
    assertThat(evaluate(LayeringTest.TOKEN_LIBRARIES_STAY_IN_BOOTSTRAP,
        TokenCheckingBootstrap.class, AdapterCallingProtocol.class).hasViolation()).isFalse();
  }

  @Test
  void metricsLibraryStaysInBootstrap_cleanEngine() {
    assertThat(evaluate(LayeringTest.METRICS_LIBRARY_STAYS_IN_BOOTSTRAP, EngineFixture.class).hasViolation())
        .isFalse();
  }

  @Test
  void adaptersDoNotUseTheEngine_adapterCallingEngine() {
    assertThat(evaluate(LayeringTest.ADAPTERS_DO_NOT_USE_THE_ENGINE,
        EngineCallingAdapter.class, EngineFixture.class).hasViolation()).isTrue();
  }

  @Test
  void adaptersDoNotUseTheEngine_cleanAdapter() {
    assertThat(evaluate(LayeringTest.ADAPTERS_DO_NOT_USE_THE_ENGINE,
        CleanAdapter.class, EngineFixture.class, GoodValue.class).hasViolation()).isFalse();
  }

  @Test
  void adaptersDoNotEncrypt_adapterSealingItsValues() {
    assertThat(evaluate(LayeringTest.ADAPTERS_DO_NOT_ENCRYPT, EncryptingAdapter.class).hasViolation()).isTrue();
  }

  @Test
  void adaptersDoNotEncrypt_cleanAdapter() {
    assertThat(evaluate(LayeringTest.ADAPTERS_DO_NOT_ENCRYPT, CleanAdapter.class).hasViolation()).isFalse();
  }

  @Test
  void adaptersDoNotUseEachOther_adapterCallingAnotherAdapter() {
    assertThat(evaluate(LayeringTest.ADAPTERS_DO_NOT_USE_EACH_OTHER,
        NeighbourCallingAdapter.class, CleanAdapter.class).hasViolation()).isTrue();
  }

  @Test
  void adaptersDoNotUseEachOther_classesOfOneAdapter() {
    assertThat(evaluate(LayeringTest.ADAPTERS_DO_NOT_USE_EACH_OTHER,
        CleanAdapter.class, EngineCallingAdapter.class, InternalPeekingAdapter.class)
        .hasViolation()).isFalse();
  }

  @Test
  void protocolsDoNotUseAdapters_protocolCallingAdapter() {
    assertThat(evaluate(LayeringTest.PROTOCOLS_DO_NOT_USE_ADAPTERS,
        AdapterCallingProtocol.class, CleanAdapter.class).hasViolation()).isTrue();
  }

  @Test
  void onlyBootstrapUsesBootstrap_engineCallingBootstrap() {
    assertThat(evaluate(LayeringTest.ONLY_BOOTSTRAP_USES_BOOTSTRAP,
        BootstrapCallingEngine.class, BootstrapFixture.class).hasViolation()).isTrue();
  }

  @Test
  void engineDependsOnlyOnTheSpiAndJackson_engineUsingJdbc() {
    assertThat(evaluate(LayeringTest.ENGINE_DEPENDS_ONLY_ON_THE_SPI_AND_JACKSON,
        JdbcUsingEngine.class).hasViolation()).isTrue();
  }

  @Test
  void engineDependsOnlyOnTheSpiAndJackson_cleanEngine() {
    assertThat(evaluate(LayeringTest.ENGINE_DEPENDS_ONLY_ON_THE_SPI_AND_JACKSON,
        EngineFixture.class).hasViolation()).isFalse();
  }

  @Test
  void sqlDriversStayInAdapterSql_engineUsingJdbc() {
    assertThat(evaluate(LayeringTest.SQL_DRIVERS_STAY_IN_ADAPTER_SQL,
        JdbcUsingEngine.class).hasViolation()).isTrue();
  }

  @Test
  void internalPackagesStayInTheirModule_adapterUsingEngineInternals() {
    assertThat(evaluate(LayeringTest.INTERNAL_PACKAGES_STAY_IN_THEIR_MODULE,
        InternalPeekingAdapter.class, InternalFixture.class).hasViolation()).isTrue();
  }

  @Test
  void internalPackagesStayInTheirModule_ownModule() {
    assertThat(evaluate(LayeringTest.INTERNAL_PACKAGES_STAY_IN_THEIR_MODULE,
        InternalFixture.class, EngineFixture.class).hasViolation()).isFalse();
  }

  @Test
  void spiFieldsAreFinal_publicMutableField() {
    assertThat(evaluate(LayeringTest.SPI_FIELDS_ARE_FINAL, MutableValue.class).hasViolation())
        .isTrue();
  }

  @Test
  void spiValueTypesAreRecords_classWithState() {
    assertThat(evaluate(LayeringTest.SPI_VALUE_TYPES_ARE_RECORDS, MutableValue.class)
        .hasViolation()).isTrue();
  }

  @Test
  void spiRules_record() {
    assertThat(evaluate(LayeringTest.SPI_FIELDS_ARE_FINAL, GoodValue.class).hasViolation())
        .isFalse();
    assertThat(evaluate(LayeringTest.SPI_VALUE_TYPES_ARE_RECORDS, GoodValue.class)
        .hasViolation()).isFalse();
    assertThat(evaluate(LayeringTest.SPI_DEPENDS_ONLY_ON_THE_JDK, GoodValue.class)
        .hasViolation()).isFalse();
  }

  @Test
  void moduleRoot_packages() {
    assertThat(LayeringTest.moduleRoot("io.polysync.adapter.sql.internal")).hasValue(
        "io.polysync.adapter.sql");
    assertThat(LayeringTest.moduleRoot("io.polysync.protocol.couch")).hasValue(
        "io.polysync.protocol.couch");
    assertThat(LayeringTest.moduleRoot("io.polysync.engine.internal.crypto")).hasValue(
        "io.polysync.engine");
    assertThat(LayeringTest.moduleRoot("org.example")).isEmpty();
  }
}
