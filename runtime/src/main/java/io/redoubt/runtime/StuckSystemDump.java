package io.redoubt.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorRefWithCell;
import org.apache.pekko.actor.ActorSystemImpl;
import org.apache.pekko.actor.InternalActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.snapshot.ConnectionSnapshot;
import org.apache.pekko.stream.snapshot.LogicSnapshot;
import org.apache.pekko.stream.snapshot.MaterializerState$;
import org.apache.pekko.stream.snapshot.RunningInterpreter;
import org.apache.pekko.stream.snapshot.StreamSnapshot;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * What an actor system that does not terminate is still doing, for the failure that reports it:
 * the actors still alive in it and its running streams, stage by stage (an asynchronous shutdown
 * step that never completes blocks no thread, so only these show where it stopped), and the
 * stacks of the JVM's Pekko and server threads (a thread blocked forever shows there). A stop
 * that hangs is rare and seen mostly in CI; the report must explain it without a rerun.
 */
final class StuckSystemDump {
    private StuckSystemDump() {}

    /** Threads of actor systems (dispatchers, scheduler, Artery, streams) and of the servers (crypto pools); the rest is the JVM's and the test runner's. */
    private static final Pattern RELEVANT = Pattern.compile("pekko|redoubt|server-|clients|ask-|crypto", Pattern.CASE_INSENSITIVE);

    static String of(ActorSystem<?> system) {
        StringBuilder out = new StringBuilder();
        out.append("actor system ").append(system.name()).append(" at ").append(system.address()).append(", terminating: ")
                .append(system.classicSystem().whenTerminated().isCompleted() ? "terminated" : "not yet terminated").append('\n');
        out.append("-- actors still alive in it:\n").append(actorTree(system));
        out.append("-- its running streams (which stage waits for what):\n").append(streams(system));
        out.append("-- threads:\n").append(threads());
        return out.toString();
    }

    private static String actorTree(ActorSystem<?> system) {
        try {
            // Internal to Pekko (no public way to list a system's actors), so only for this report, and never fatal.
            if (system.classicSystem() instanceof ActorSystemImpl impl) return impl.printTree() + "\n";
            return "(not a classic actor system implementation: " + system.classicSystem().getClass().getName() + ")\n";
        } catch (RuntimeException e) {
            return "(cannot list its actors: " + e + ")\n";
        }
    }

    /** How long to wait for a running stream to describe itself. */
    private static final Duration SNAPSHOT_WAIT = Duration.ofSeconds(5);

    /**
     * Each running stream's stages and connections, from every materializer of the system (Artery
     * runs its streams on materializers of its own, so the system materializer alone is not enough).
     * Through Pekko internals, as {@link #actorTree}: never fatal.
     */
    private static String streams(ActorSystem<?> system) {
        StringBuilder out = new StringBuilder();
        try {
            if (!(system.classicSystem() instanceof ActorSystemImpl impl)) return "(not a classic actor system implementation)\n";
            InternalActorRef materializers = ((ActorRefWithCell) impl.systemGuardian()).getSingleChild("Materializers");
            if (!(materializers instanceof ActorRefWithCell m)) return "(no materializers)\n";
            for (ActorRef supervisor : CollectionConverters.asJava(m.children())) {
                out.append(supervisor.path().name()).append(":\n");
                try {
                    var snapshots = FutureConverters.asJava(MaterializerState$.MODULE$.requestFromSupervisor(supervisor, impl.dispatcher()))
                            .toCompletableFuture().get(SNAPSHOT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    for (StreamSnapshot stream : CollectionConverters.asJava(snapshots)) {
                        for (RunningInterpreter i : CollectionConverters.asJava(stream.activeInterpreters())) {
                            out.append("  interpreter, ").append(i.runningLogicsCount()).append(" running stages:\n");
                            for (LogicSnapshot l : CollectionConverters.asJava(i.logics())) out.append("    stage ").append(l.label()).append('\n');
                            for (ConnectionSnapshot c : CollectionConverters.asJava(i.connections())) {
                                out.append("    ").append(c.out().label()).append(" -> ").append(c.in().label()).append(": ").append(c.state()).append('\n');
                            }
                        }
                        for (var shell : CollectionConverters.asJava(stream.newShells())) {
                            out.append("  not yet started: ").append(shell.logics().size()).append(" stages\n");
                        }
                    }
                } catch (TimeoutException e) {
                    out.append("  (no answer within ").append(SNAPSHOT_WAIT.toSeconds()).append(" s)\n");
                } catch (ExecutionException e) {
                    out.append("  (").append(e.getCause()).append(")\n");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.append("(interrupted)\n");
        } catch (RuntimeException e) {
            out.append("(cannot list its streams: ").append(e).append(")\n");
        }
        return out.toString();
    }

    private static String threads() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        StringBuilder out = new StringBuilder();
        long[] deadlocked = mx.findDeadlockedThreads();
        if (deadlocked != null) out.append("DEADLOCKED thread ids: ").append(Arrays.toString(deadlocked)).append('\n');
        Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
        all.entrySet().stream().filter(e -> RELEVANT.matcher(e.getKey().getName()).find())
                .sorted(Comparator.comparing((Map.Entry<Thread, StackTraceElement[]> e) -> e.getKey().getName()))
                .forEach(e -> {
                    Thread t = e.getKey();
                    out.append('"').append(t.getName()).append("\" id=").append(t.getId()).append(' ').append(t.getState());
                    ThreadInfo info = mx.getThreadInfo(t.getId());
                    if (info != null && info.getLockName() != null) {
                        out.append(" on ").append(info.getLockName());
                        if (info.getLockOwnerName() != null) out.append(" owned by \"").append(info.getLockOwnerName()).append('"');
                    }
                    out.append('\n');
                    for (StackTraceElement frame : e.getValue()) out.append("    at ").append(frame).append('\n');
                });
        out.append("(").append(all.size()).append(" threads in the JVM)\n");
        return out.toString();
    }
}
