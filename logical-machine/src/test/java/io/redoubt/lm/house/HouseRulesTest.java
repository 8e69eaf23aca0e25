package io.redoubt.lm.house;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.house.HouseRules.Violation;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The house rules (STYLE.md "Java determinism hazards", ARCHITECTURE.md section 3) shown to fail
 * on a fixture tree, then held on the real one. Issue 13.
 */
class HouseRulesTest {

    private static final Path ROOT = HouseRules.projectRoot();
    private static final Path FIXTURE = ROOT.resolve("logical-machine/src/test/resources/house-rules-fixture");

    private static final String PAXOS = "protocols-paxos/src/main/java/io/redoubt/paxos/";
    private static final String BFT = "protocols-bft/src/main/java/io/redoubt/bft/";

    /** "file:line rule", the part of a violation a test pins down. */
    private static List<String> where(List<Violation> violations) {
        return violations.stream().map(v -> v.file() + ":" + v.line() + " " + v.rule()).toList();
    }

    private static String report(List<Violation> violations) {
        return violations.size() + " house-rule violation(s):\n"
                + violations.stream().map(v -> "  " + v).collect(Collectors.joining("\n"));
    }

    @Test
    void aCoreThatReadsTheClockFails() {
        List<Violation> found = HouseRules.scanCores(FIXTURE);
        assertTrue(where(found).contains(PAXOS + "ClockReadingCore.java:8 purity: System.nanoTime"), report(found));
        Violation clock = found.stream().filter(v -> v.file().endsWith("ClockReadingCore.java")).findFirst().orElseThrow();
        assertEquals("lastProgress = System.nanoTime();", clock.text());
    }

    @Test
    void fixtureCoresBreakExactlyTheRulesTheyWereWrittenToBreak() {
        // Not flagged: CommentOnlyCore (forbidden names in comments, strings, a char and a text
        // block only), HashOrderCore's lookup-only HashMap and iterated LinkedHashMap, SeededCore's
        // lookup-only HashSet and TimerId, and WallClockApp (io.redoubt.lm.app is not core code).
        List<Violation> found = HouseRules.scanCores(FIXTURE);
        assertEquals(List.of(
                        BFT + "HashOrderCore.java:24 hash-order: votes",
                        PAXOS + "ClockReadingCore.java:8 purity: System.nanoTime",
                        PAXOS + "DiceCore.java:5 purity: java.util.Random"),
                where(found), report(found));
    }

    @Test
    void aCommentOrStringNamingAForbiddenCallIsNoViolation() {
        List<Violation> found = HouseRules.scanCores(FIXTURE);
        assertTrue(found.stream().noneMatch(v -> v.file().endsWith("CommentOnlyCore.java")), report(found));
    }

    @Test
    void blankingKeepsCodeAndLineNumbers() {
        String source = "a /* x\ny */ b // c\n\"s\\\"\" + 'q' + \"\"\"\nt\"\"\" + d";
        String blanked = HouseRules.blankCommentsAndStrings(source);
        assertEquals(source.length(), blanked.length());
        assertEquals(List.of("a", "b", "+", "+", "+", "d"), List.of(blanked.trim().split("\\s+")));
        assertEquals(source.lines().count(), blanked.lines().count());
    }

    @Test
    void fixtureModulesBreakExactlyTheArrowsTheyWereWrittenToBreak() {
        // Allowed and not flagged: the logical-machine test-jar (the shared test kit) from levels
        // 1 and 4, simulation -> protocols-paxos, and a plugin's own <dependencies>.
        List<Violation> found = HouseRules.checkArrows(FIXTURE);
        assertEquals(List.of(
                        "logical-machine/pom.xml:8 arrows", // logical-machine -> simulation
                        "pom.xml:14 arrows", // module gadgets is not in LAYERS
                        "protocols-paxos/pom.xml:9 arrows", // protocols-paxos -> protocols-bft, same level
                        "simulation/pom.xml:9 arrows"), // simulation -> runtime, test scope still counts
                where(found), report(found));
        assertTrue(found.get(2).text().contains("protocols-paxos (level 1) depends on protocols-bft (level 1)"), report(found));
    }

    @Test
    void realCoresArePureAndIterateNoHashCollection() {
        List<Violation> found = HouseRules.scanCores(ROOT);
        assertTrue(found.isEmpty(), report(found));
    }

    @Test
    void realModuleArrowsPointDown() {
        List<Violation> found = HouseRules.checkArrows(ROOT);
        assertTrue(found.isEmpty(), report(found));
    }
}
