package io.redoubt.lm.house;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The house rules (STYLE.md "Java determinism hazards", ARCHITECTURE.md section 3) as a plain
 * source scan: no compiler, no ArchUnit, so it runs in a second and needs no new dependency.
 *
 * <ol>
 *   <li><b>purity</b>: core main code names no clock, thread, executor, unseeded randomness,
 *       parallel stream or lock. The simulator can only replay a core that takes time and
 *       randomness as inputs.
 *   <li><b>hash-order</b>: a {@code HashMap}/{@code HashSet}/{@code ConcurrentHashMap} in core code
 *       is for lookup only; iterating one visits entries in hash order, which for enums and
 *       identity-hashed keys changes from run to run.
 *   <li><b>arrows</b>: a module's pom depends (in any scope) only on modules of a lower level in
 *       {@link #LAYERS}.
 * </ol>
 *
 * <p>Known limits, accepted because the simulator's trace comparison catches what slips through:
 * matching is textual, after comments and string literals are blanked. So it misses a forbidden
 * call reached through a helper outside the cores, a static wildcard import
 * ({@code import static java.lang.System.*} then {@code nanoTime()}), {@code java.time.*} then a
 * bare {@code Clock} type, and an unqualified {@code Random} type without {@code new} or import.
 * See {@link #hashOrder} for the limits of rule 2. Rule 3 reads only {@code project/dependencies}
 * (not profiles; {@code dependencyManagement} and plugin dependencies are no arrows).
 */
public final class HouseRules {

    /** One broken rule: path relative to the project root, 1-based line, rule, offending text. */
    public record Violation(String file, int line, String rule, String text) {
        @Override
        public String toString() {
            return file + ":" + line + " " + rule + " | " + text;
        }
    }

    /** Directories holding core main code (every file below is core). Missing ones are skipped. */
    public static final List<String> CORE_ROOTS = List.of(
            "protocols-paxos/src/main/java",
            "protocols-bft/src/main/java",
            "blink/src/main/java",
            "clink/src/main/java",
            "logical-machine/src/main/java/io/redoubt/lm/core",
            "logical-machine/src/main/java/io/redoubt/lm/exec",
            "logical-machine/src/main/java/io/redoubt/lm/server",
            "logical-machine/src/main/java/io/redoubt/lm/sign",
            "logical-machine/src/main/java/io/redoubt/lm/timeout");

    /** ARCHITECTURE.md section 3: a module may depend only on modules of a strictly lower level. */
    public static final Map<String, Integer> LAYERS = Map.of(
            "logical-machine", 0,
            "protocols-paxos", 1, "protocols-bft", 1,
            "blink", 2, "clink", 2,
            "compositions", 3,
            "simulation", 4, "runtime", 4,
            "cli", 5);

    /** The shared test kit (logical-machine's test-jar): every module above it may use it. */
    static final String TEST_KIT_MODULE = "logical-machine";

    static final String GROUP_ID = "io.redoubt";

    /** Rule 1. Qualified names and {@code new X(} forms keep project types (TimerId, SeededSecureRandom, a passed-in clock) out of the net. */
    static final Map<String, Pattern> FORBIDDEN = forbidden(
            "System.currentTimeMillis", "\\bSystem\\s*\\.\\s*currentTimeMillis\\b",
            "System.nanoTime", "\\bSystem\\s*\\.\\s*nanoTime\\b",
            "Instant.now", "\\bInstant\\s*\\.\\s*now\\b",
            "java.time now()", "\\b(?:LocalDateTime|LocalDate|LocalTime|ZonedDateTime|OffsetDateTime)\\s*\\.\\s*now\\b",
            "java.time.Clock", "\\bjava\\s*\\.\\s*time\\s*\\.\\s*Clock\\b|\\bClock\\s*\\.\\s*(?:system\\w*|tick\\w*)\\s*\\(",
            "Thread", "\\bThread\\b",
            "executor or timer", "\\b(?:ExecutorService|ScheduledExecutorService|Executors|CompletableFuture|ForkJoinPool|TimerTask)\\b"
                    + "|\\bjava\\s*\\.\\s*util\\s*\\.\\s*Timer\\b|\\bnew\\s+Timer\\s*\\(",
            "java.util.Random", "\\bjava\\s*\\.\\s*util\\s*\\.\\s*Random\\b|\\bnew\\s+Random\\s*\\(|\\bRandomGenerator\\s*\\.\\s*(?:getDefault|of)\\s*\\(",
            "ThreadLocalRandom", "\\bThreadLocalRandom\\b",
            "Math.random", "\\bMath\\s*\\.\\s*random\\s*\\(",
            "UUID.randomUUID", "\\bUUID\\s*\\.\\s*randomUUID\\b",
            "new SecureRandom", "\\bnew\\s+(?:java\\s*\\.\\s*security\\s*\\.\\s*)?SecureRandom\\s*\\(|\\bSecureRandom\\s*\\.\\s*getInstance\\w*\\s*\\(",
            "parallel stream", "\\bparallelStream\\s*\\(|\\.\\s*parallel\\s*\\(",
            "synchronized", "\\bsynchronized\\b");

    private static final Pattern HASH_TYPE = Pattern.compile("\\b(?:HashMap|HashSet|ConcurrentHashMap)\\b");
    private static final Pattern HASH_ASSIGNED =
            Pattern.compile("\\b(\\w+)\\s*=\\s*new\\s+(?:[\\w.]+\\.)?(?:HashMap|HashSet|ConcurrentHashMap)\\b");
    private static final String ITERATING_CALL = "forEach|entrySet|keySet|values|stream|parallelStream|iterator|spliterator";

    private HouseRules() {}

    /** Rules 1 and 2 over every {@code .java} file under {@link #CORE_ROOTS}. */
    public static List<Violation> scanCores(Path root) {
        List<Violation> found = new ArrayList<>();
        for (String core : CORE_ROOTS) {
            Path dir = root.resolve(core);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    found.addAll(checkSource(relative(root, file), Files.readString(file, StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sorted(found);
    }

    /** Rules 1 and 2 over one core source file. */
    static List<Violation> checkSource(String file, String source) {
        String code = blankCommentsAndStrings(source);
        String[] lines = source.split("\n", -1);
        Set<Violation> found = new LinkedHashSet<>(); // one report per line and rule
        for (Map.Entry<String, Pattern> rule : FORBIDDEN.entrySet()) {
            Matcher m = rule.getValue().matcher(code);
            while (m.find()) found.add(at(file, lines, code, m.start(), "purity: " + rule.getKey()));
        }
        found.addAll(hashOrder(file, lines, code));
        return new ArrayList<>(found);
    }

    /**
     * Rule 2, by names: collect every variable declared with a hash type (field, local, parameter:
     * {@code HashSet<X> name}) or assigned a new one ({@code name = new HashMap<>()}), then flag
     * {@code for (... : name)} and {@code name.entrySet()/keySet()/values()/forEach/stream/iterator()}.
     *
     * <p>Limits: names are per file, not per scope, so a same-named ordered collection elsewhere
     * in the file is flagged too (rename one); {@code other.name.values()} counts as {@code name};
     * only the first name of {@code HashSet<X> a, b} is seen; a hash collection passed to a
     * method, copied ({@code new ArrayList<>(set)}, {@code List.copyOf(set)}), printed, or returned
     * by a method and iterated by the caller is not followed.
     */
    static List<Violation> hashOrder(String file, String[] lines, String code) {
        Set<String> names = new TreeSet<>();
        Matcher type = HASH_TYPE.matcher(code);
        while (type.find()) {
            String name = declaredName(code, type.end());
            if (name != null) names.add(name);
        }
        Matcher assigned = HASH_ASSIGNED.matcher(code);
        while (assigned.find()) names.add(assigned.group(1));
        List<Violation> found = new ArrayList<>();
        for (String name : names) {
            String n = Pattern.quote(name);
            Pattern iterated = Pattern.compile("\\bfor\\s*\\([^;()]*:\\s*(?:this\\s*\\.\\s*)?" + n + "\\s*\\)"
                    + "|\\b" + n + "\\s*\\.\\s*(?:" + ITERATING_CALL + ")\\s*\\(");
            Matcher m = iterated.matcher(code);
            while (m.find()) found.add(at(file, lines, code, m.start(), "hash-order: " + name));
        }
        return found;
    }

    /**
     * After a hash type name: skips balanced generics and returns the declared variable's name, or
     * null when none follows ({@code new HashMap<>()}, a type argument {@code Map<K, HashSet<V>>},
     * a method's return type).
     */
    private static String declaredName(String code, int i) {
        i = skipSpace(code, i);
        if (i < code.length() && code.charAt(i) == '<') {
            for (int depth = 0; i < code.length(); i++) {
                if (code.charAt(i) == '<') depth++;
                else if (code.charAt(i) == '>' && --depth == 0) break;
            }
            i = skipSpace(code, i + 1);
        }
        int start = i;
        while (i < code.length() && Character.isJavaIdentifierPart(code.charAt(i))) i++;
        if (start == i || !Character.isJavaIdentifierStart(code.charAt(start))) return null;
        int after = skipSpace(code, i);
        return after < code.length() && "=;,):".indexOf(code.charAt(after)) >= 0 ? code.substring(start, i) : null;
    }

    private static int skipSpace(String code, int i) {
        while (i < code.length() && Character.isWhitespace(code.charAt(i))) i++;
        return i;
    }

    /** Rule 3 over the root pom's {@code <modules>} and each module's {@code <dependencies>}. */
    public static List<Violation> checkArrows(Path root) {
        Path rootPom = root.resolve("pom.xml");
        String rootFile = relative(root, rootPom);
        List<Violation> found = new ArrayList<>();
        // A dependency in the parent's own <dependencies> would be inherited by every module, including lower ones.
        for (PomElement d : pomElements(rootPom, "project/dependencies/dependency")) {
            if (isOurs(d)) found.add(new Violation(rootFile, d.line(), "arrows", "the parent pom depends on " + d.get("artifactId") + ": every module would inherit it"));
        }
        for (PomElement module : pomElements(rootPom, "project/modules/module")) {
            String from = module.text();
            Integer fromLevel = LAYERS.get(from);
            if (fromLevel == null) {
                found.add(new Violation(rootFile, module.line(), "arrows", "module " + from + " is not in HouseRules.LAYERS: add it at its level"));
                continue;
            }
            Path pom = root.resolve(from).resolve("pom.xml");
            for (PomElement d : pomElements(pom, "project/dependencies/dependency")) {
                if (!isOurs(d)) continue;
                String to = d.get("artifactId");
                boolean testJar = "test-jar".equals(d.get("type")) || "tests".equals(d.get("classifier"));
                if (testJar && to.equals(TEST_KIT_MODULE) && fromLevel > LAYERS.get(TEST_KIT_MODULE)) continue;
                Integer toLevel = LAYERS.get(to);
                String text = toLevel == null
                        ? from + " depends on " + to + ", which is not in HouseRules.LAYERS: add it at its level"
                        : from + " (level " + fromLevel + ") depends on " + to + " (level " + toLevel + "): only lower levels are allowed";
                if (toLevel == null || toLevel >= fromLevel) found.add(new Violation(relative(root, pom), d.line(), "arrows", text));
            }
        }
        return sorted(found);
    }

    private static boolean isOurs(PomElement dependency) {
        String group = dependency.get("groupId");
        return GROUP_ID.equals(group) || "${project.groupId}".equals(group);
    }

    /** An element of a pom found at an exact path, with its start line, text and child elements' texts. */
    record PomElement(int line, String text, Map<String, String> children) {
        String get(String child) {
            return children.getOrDefault(child, "");
        }
    }

    /** SAX rather than DOM: DOM forgets line numbers, and a report without a line is half a report. */
    static List<PomElement> pomElements(Path pom, String path) {
        if (!Files.isRegularFile(pom)) return List.of();
        List<PomElement> found = new ArrayList<>();
        try {
            SAXParserFactory.newInstance().newSAXParser().parse(pom.toFile(), new DefaultHandler() {
                final List<String> stack = new ArrayList<>();
                final StringBuilder text = new StringBuilder();
                Locator locator;
                int line;
                Map<String, String> children;

                @Override public void setDocumentLocator(Locator l) { locator = l; }

                @Override public void startElement(String uri, String local, String name, Attributes a) {
                    stack.add(name);
                    text.setLength(0);
                    if (String.join("/", stack).equals(path)) {
                        line = locator.getLineNumber();
                        children = new LinkedHashMap<>();
                    }
                }

                @Override public void characters(char[] ch, int start, int length) { text.append(ch, start, length); }

                @Override public void endElement(String uri, String local, String name) {
                    String at = String.join("/", stack);
                    if (at.equals(path)) {
                        found.add(new PomElement(line, text.toString().trim(), Map.copyOf(children)));
                        children = null;
                    } else if (children != null && at.startsWith(path + "/") && stack.size() == path.split("/").length + 1) {
                        children.put(name, text.toString().trim());
                    }
                    stack.remove(stack.size() - 1);
                    text.setLength(0);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom + ": " + e.getMessage(), e);
        }
        return found;
    }

    /**
     * Blanks comments, string, char and text-block literals with spaces (newlines kept, so offsets
     * and line numbers stay those of the source): a Javadoc naming System.nanoTime is no violation.
     */
    static String blankCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s);
        int n = s.length();
        for (int i = 0; i < n; ) {
            int end;
            if (s.startsWith("//", i)) {
                end = s.indexOf('\n', i);
                if (end < 0) end = n;
            } else if (s.startsWith("/*", i)) {
                end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                end = i + 3;
                while (end < n && !s.startsWith("\"\"\"", end)) end += s.charAt(end) == '\\' ? 2 : 1;
                end = Math.min(end + 3, n);
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char quote = s.charAt(i);
                end = i + 1;
                while (end < n && s.charAt(end) != quote && s.charAt(end) != '\n') end += s.charAt(end) == '\\' ? 2 : 1;
                end = Math.min(end + 1, n);
            } else {
                i++;
                continue;
            }
            for (int k = i; k < end; k++) if (s.charAt(k) != '\n') out.setCharAt(k, ' ');
            i = end;
        }
        return out.toString();
    }

    /** The project root, from a test's working directory (Surefire runs in the module directory). */
    public static Path projectRoot() {
        Path root = Path.of("").toAbsolutePath().getParent();
        try {
            if (root != null && Files.readString(root.resolve("pom.xml")).contains("<artifactId>redoubt-parent</artifactId>")) return root;
        } catch (IOException e) {
            // fall through to the error below
        }
        throw new IllegalStateException("no redoubt-parent pom.xml in the parent of " + Path.of("").toAbsolutePath());
    }

    private static Violation at(String file, String[] lines, String code, int offset, String rule) {
        int line = 1;
        for (int k = 0; k < offset; k++) if (code.charAt(k) == '\n') line++;
        return new Violation(file, line, rule, lines[line - 1].trim());
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private static List<Violation> sorted(List<Violation> violations) {
        return violations.stream()
                .sorted(Comparator.comparing(Violation::file).thenComparingInt(Violation::line).thenComparing(Violation::rule))
                .toList();
    }

    private static Map<String, Pattern> forbidden(String... nameThenRegex) {
        Map<String, Pattern> rules = new LinkedHashMap<>();
        for (int i = 0; i < nameThenRegex.length; i += 2) rules.put(nameThenRegex[i], Pattern.compile(nameThenRegex[i + 1]));
        return Collections.unmodifiableMap(rules);
    }
}
