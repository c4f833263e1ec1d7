package io.tandem.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of README's "Architecture", checked on the node's compiled main classes: a rule that breaks
 * fails the build with the offending classes and lines.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
      .importPackages("io.tandem");

  @Test
  void packagesFormNoCycle() {
    slices().matching("io.tandem.(**)").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void onlyTheHazelcastImplementationUsesHazelcast() {
    noClasses().that().resideOutsideOfPackage("io.tandem.cluster.hazelcast..")
        .should().dependOnClassesThat().resideInAPackage("com.hazelcast..")
        .check(MAIN);
  }

  @Test
  void onlyStartUpKnowsTheHazelcastImplementation() {
    noClasses().that().resideOutsideOfPackages("io.tandem.cluster.hazelcast..", "io.tandem.bootstrap..")
        .should().dependOnClassesThat().resideInAPackage("io.tandem.cluster.hazelcast..")
        .check(MAIN);
  }

  @Test
  void onlyTheVipPackageStartsProcesses() {
    noClasses().that().resideOutsideOfPackage("io.tandem.vip..")
        .should().dependOnClassesThat().belongToAnyOf(ProcessBuilder.class, Process.class)
        .orShould().callMethod(Runtime.class, "exec", String.class)
        .orShould().callMethod(Runtime.class, "exec", String[].class)
        .check(MAIN);
  }

  @Test
  void nothingReachesIntoTheAdminApiOrTheStartUp() {
    noClasses().that().resideOutsideOfPackages("io.tandem.admin..", "io.tandem.bootstrap..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tandem.admin..", "io.tandem.bootstrap..")
        .check(MAIN);
  }

  @Test
  void theDataPathUsesNoControlPlanePackage() {
    noClasses().that().resideInAPackage("io.tandem.proxy..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tandem.admin..", "io.tandem.bootstrap..",
            "io.tandem.ctl..", "io.tandem.discovery..", "io.tandem.vip..", "io.tandem.health..")
        .check(MAIN);
  }
}
