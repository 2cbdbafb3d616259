package io.polysync.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The module rules of the design document's table, checked on the compiled main classes of every
 * module on this module's test class path.
 *
 * <p>Each module owns one package root: {@code io.polysync.spi} (sync-spi), {@code
 * io.polysync.engine} (sync-engine), {@code io.polysync.adapter.<name>} (adapter-*), {@code
 * io.polysync.protocol.<name>} (protocol-*), {@code io.polysync.bootstrap} (bootstrap). Rules
 * about modules that do not exist yet are allowed to match nothing, so they hold from the day
 * the module is added. A new module goes on this module's test class path in its pom, so its
 * classes are checked too.
 */
@AnalyzeClasses(packages = "io.polysync", importOptions = ImportOption.DoNotIncludeTests.class)
final class LayeringTest {

  private LayeringTest() {}

  /** The JDBC family and its drivers, pool and query builder: adapter-sql's alone. */
  static final String[] SQL_DRIVER_PACKAGES = {
    "java.sql..", "javax.sql..", "org.jooq..", "com.zaxxer..",
    "org.postgresql..", "org.mariadb..", "org.sqlite..", "org.h2.."
  };

  @ArchTest
  static final ArchRule SPI_DEPENDS_ONLY_ON_THE_JDK =
      classes()
          .that().resideInAPackage("io.polysync.spi..")
          .should().onlyDependOnClassesThat(
              resideInAnyPackage(
                      "io.polysync.spi..", "java..", "jakarta.annotation..", "jakarta.inject..")
                  .and(not(resideInAnyPackage(SQL_DRIVER_PACKAGES))))
          .because("sync-spi may depend on the JDK (not JDBC) and Jakarta annotations/inject"
              + " only: every adapter builds against it and must not inherit a library. Move the"
              + " code that needs the library into the engine or an adapter, or express it with"
              + " JDK types");

  @ArchTest
  static final ArchRule ENGINE_DEPENDS_ONLY_ON_THE_SPI_AND_JACKSON =
      classes()
          .that().resideInAPackage("io.polysync.engine..")
          .should().onlyDependOnClassesThat(
              resideInAnyPackage(
                      "io.polysync.engine..", "io.polysync.spi..", "com.fasterxml.jackson..",
                      "java..", "javax.crypto..")
                  .and(not(resideInAnyPackage(SQL_DRIVER_PACKAGES))))
          .because("sync-engine talks to storage only through sync-spi and knows no adapter,"
              + " protocol or server (JDK without JDBC, javax.crypto for at-rest encryption, and"
              + " Jackson besides). Put backend code in an adapter behind the SPI, HTTP code in a"
              + " protocol module; a new library for the engine needs the design table and this"
              + " rule changed together");

  @ArchTest
  static final ArchRule ADAPTERS_DO_NOT_USE_THE_ENGINE =
      noClasses()
          .that().resideInAPackage("io.polysync.adapter..")
          .should().dependOnClassesThat().resideInAPackage("io.polysync.engine..")
          .because("an adapter implements sync-spi and nothing else, so every backend behaves the"
              + " same: sync semantics belong in the engine. Move what the adapter needs into the"
              + " SPI (a value record or a small interface), or the logic into the engine")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule ADAPTERS_DO_NOT_ENCRYPT =
      noClasses()
          .that().resideInAPackage("io.polysync.adapter..")
          .should().dependOnClassesThat().resideInAPackage("javax.crypto..")
          .because("encryption at rest is the engine's sealing layer (SealedStorage), between the"
              + " engine and every adapter, so every backend gets the same and nothing is sealed"
              + " twice. An adapter stores the bytes it is handed; use the backend's own TLS for"
              + " the connection")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule ADAPTERS_DO_NOT_USE_EACH_OTHER =
      slices()
          .matching("io.polysync.adapter.(*)..")
          .should().notDependOnEachOther()
          .because("each adapter is one backend family and ships alone. Share code through"
              + " sync-spi (if it is SPI) or duplicate the few lines; never call another adapter")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule ADAPTERS_DO_NOT_USE_PROTOCOLS =
      noClasses()
          .that().resideInAPackage("io.polysync.adapter..")
          .should().dependOnClassesThat().resideInAPackage("io.polysync.protocol..")
          .because("storage knows nothing of wire protocols. Map protocol concepts onto SPI"
              + " values in the protocol module or the engine")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule PROTOCOLS_DO_NOT_USE_ADAPTERS =
      noClasses()
          .that().resideInAPackage("io.polysync.protocol..")
          .should().dependOnClassesThat().resideInAPackage("io.polysync.adapter..")
          .because("a protocol front-end serves every backend through the engine's public API."
              + " Call the engine instead; if it lacks what you need, add it to the engine")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule PROTOCOLS_DO_NOT_USE_EACH_OTHER =
      slices()
          .matching("io.polysync.protocol.(*)..")
          .should().notDependOnEachOther()
          .ignoreDependency(DescribedPredicate.alwaysTrue(), resideInAPackage("io.polysync.protocol.spi.."))
          .because("each protocol is a plugin that can be left out; protocol-spi is the contract they"
              + " all build on. Move shared behaviour into the engine's public API or protocol-spi")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule PROTOCOL_SPI_DEPENDS_ONLY_ON_THE_ENGINE_AND_HELIDON =
      classes()
          .that().resideInAPackage("io.polysync.protocol.spi..")
          .should().onlyDependOnClassesThat(
              resideInAnyPackage(
                      "io.polysync.protocol.spi..", "io.polysync.engine", "io.polysync.spi..",
                      "io.helidon..", "java..")
                  .and(not(resideInAnyPackage(SQL_DRIVER_PACKAGES))))
          .because("every front-end builds against protocol-spi: it may name the engine's public"
              + " API and Helidon's webserver API, nothing else. Put a helper a front-end needs in"
              + " that front-end, or in the engine's public API when several need it")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule ONLY_BOOTSTRAP_USES_BOOTSTRAP =
      noClasses()
          .that().resideOutsideOfPackage("io.polysync.bootstrap..")
          .should().dependOnClassesThat().resideInAPackage("io.polysync.bootstrap..")
          .because("bootstrap assembles the server and finds every plugin through ServiceLoader;"
              + " nothing may call back into it. Move the shared type to the module that owns"
              + " the concept (the SPI or the engine), and let bootstrap depend on it")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule TOKEN_LIBRARIES_STAY_IN_BOOTSTRAP =
      noClasses()
          .that().resideOutsideOfPackage("io.polysync.bootstrap..")
          .should().dependOnClassesThat().resideInAnyPackage("com.nimbusds..")
          .because("front-ends learn who is calling from protocol-spi's HttpAuthenticator chain, so"
              + " every protocol accepts the same credentials. Check a new kind of token in an"
              + " HttpAuthenticatorProvider plugin (bootstrap's JwtAuthenticator), not in a front-end");

  @ArchTest
  static final ArchRule SQL_DRIVERS_STAY_IN_ADAPTER_SQL =
      noClasses()
          .that().resideOutsideOfPackage("io.polysync.adapter.sql..")
          .should().dependOnClassesThat().resideInAnyPackage(SQL_DRIVER_PACKAGES)
          .because("driver types never reach the engine or the SPI: adapter-sql translates JDBC,"
              + " jOOQ and driver exceptions at its boundary (to SyncException with an error"
              + " code) and returns SPI values");

  @ArchTest
  static final ArchRule MONGODB_DRIVER_STAYS_IN_ADAPTER_MONGO =
      noClasses()
          .that().resideOutsideOfPackage("io.polysync.adapter.mongo..")
          .should().dependOnClassesThat().resideInAnyPackage("com.mongodb..", "org.bson..")
          .because("driver types never leave their adapter: adapter-mongo translates MongoDB"
              + " documents and exceptions at its boundary and returns SPI values");

  @ArchTest
  static final ArchRule LETTUCE_STAYS_IN_ADAPTER_REDIS =
      noClasses()
          .that().resideOutsideOfPackage("io.polysync.adapter.redis..")
          .should().dependOnClassesThat().resideInAPackage("io.lettuce..")
          .because("driver types never leave their adapter: adapter-redis translates Lettuce"
              + " replies and exceptions (RedisConnectionException to unavailable) at its"
              + " boundary and returns SPI values");

  @ArchTest
  static final ArchRule METRICS_LIBRARY_STAYS_IN_BOOTSTRAP =
      noClasses()
          .that().resideOutsideOfPackage("io.polysync.bootstrap..")
          .should().dependOnClassesThat().resideInAnyPackage("io.micrometer..", "io.prometheus..")
          .because("metrics are the server's concern: storage is timed by bootstrap's decorator"
              + " around the storage SPI, and a front-end reports its routes, documents and feeds"
              + " through protocol-spi's FrontEndMetrics. Report through that interface (add a"
              + " method there if needed) rather than naming a metrics library");

  @ArchTest
  static final ArchRule SPI_FIELDS_ARE_FINAL =
      fields()
          .that().areDeclaredInClassesThat().resideInAPackage("io.polysync.spi..")
          .and().arePublic()
          .should().beFinal()
          .because("SPI values cross threads and module boundaries and must not change after"
              + " construction. Make the type a record validated in its compact constructor,"
              + " or make the field private final")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule SPI_VALUE_TYPES_ARE_RECORDS =
      classes()
          .that().resideInAPackage("io.polysync.spi..")
          .and().arePublic()
          .and().areTopLevelClasses()
          .and().areNotInterfaces()
          .and().areNotEnums()
          .and().areNotRecords()
          .and().areNotAssignableTo(Throwable.class)
          .should(haveNoInstanceFields())
          .because("SPI value types are records (immutable, validated in the compact"
              + " constructor); other public SPI classes are stateless static helpers. Turn a"
              + " class that carries state into a record")
          .allowEmptyShould(true);

  @ArchTest
  static final ArchRule INTERNAL_PACKAGES_STAY_IN_THEIR_MODULE =
      classes()
          .that().resideInAPackage("io.polysync..")
          .should(accessInternalPackagesOfTheirOwnModuleOnly())
          .because("a .internal package is not API and may change at any time. Use the module's"
              + " public package, or make what you need public API there (a record, an"
              + " interface, a static factory)");

  // --- conditions ---------------------------------------------------------------------------

  private static final Pattern MODULE_ROOT =
      Pattern.compile("^(io\\.polysync\\.(?:adapter|protocol)\\.[^.]+|io\\.polysync\\.[^.]+)");

  /** The package root of the module that owns {@code packageName}: io.polysync.adapter.sql, ... */
  static Optional<String> moduleRoot(String packageName) {
    Matcher matcher = MODULE_ROOT.matcher(packageName);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  static boolean isInternal(String packageName) {
    return packageName.equals("internal")
        || packageName.endsWith(".internal")
        || packageName.contains(".internal.");
  }

  private static ArchCondition<JavaClass> accessInternalPackagesOfTheirOwnModuleOnly() {
    return new ArchCondition<>("access .internal packages of their own module only") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        Optional<String> originModule = moduleRoot(origin.getPackageName());
        for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
          JavaClass target = dependency.getTargetClass().getBaseComponentType();
          String targetPackage = target.getPackageName();
          if (!targetPackage.startsWith("io.polysync.") || !isInternal(targetPackage)) {
            continue;
          }
          Optional<String> targetModule = moduleRoot(targetPackage);
          if (!targetModule.equals(originModule)) {
            events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()
                + " reaches into " + targetModule.orElse(targetPackage) + "'s internals"));
          }
        }
      }
    };
  }

  private static ArchCondition<JavaClass> haveNoInstanceFields() {
    return new ArchCondition<>("have no instance fields") {
      @Override
      public void check(JavaClass javaClass, ConditionEvents events) {
        javaClass.getFields().stream()
            .filter(field -> !field.getModifiers().contains(JavaModifier.STATIC))
            .forEach(field -> events.add(SimpleConditionEvent.violated(field,
                javaClass.getName() + " holds state in field " + field.getName()
                    + " but is not a record")));
      }
    };
  }
}
