package dev.odin.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, checked on the compiled main classes: every package
 * is one component or one shared idea, and the dependencies between them form no cycle, so a
 * component can be read, tested and replaced on its own.
 */
class ArchitectureTest {

    private static JavaClasses odin;

    @BeforeAll
    static void importClasses() {
        odin = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.odin");
    }

    @Test
    void noPackageTakesPartInACycle() {
        // each package is its own slice: dev.odin.probes and dev.odin.probes.gpu are two
        slices().matching("dev.odin.(**)").should().beFreeOfCycles().check(odin);
    }

    @Test
    void theSharedContractDependsOnNoOtherPackage() {
        noClasses().that().resideInAPackage("dev.odin.signal").should().dependOnClassesThat(
                resideInAPackage("dev.odin..").and(not(resideInAPackage("dev.odin.signal")))).check(odin);
    }

    @Test
    void noComponentReachesBackIntoTheWiring() {
        // dev.odin.config assembles the components into one Spring application; no component may
        // reach back into it (it was the hub of the old 21-package cycle)
        noClasses().that().resideOutsideOfPackages("dev.odin.config", "dev.odin").should().dependOnClassesThat()
                .resideInAPackage("dev.odin.config").check(odin);
    }
}
