package io.redoubt.cli;

import io.redoubt.lm.core.Rejection;
import io.redoubt.sim.SimConfig;
import io.redoubt.sim.SimResult;
import io.redoubt.sim.Simulation;
import java.io.File;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The demo in virtual time: the same deployment as {@code demo}, run in the deterministic
 * simulator with real Ed25519 signatures, with progress and a summary.
 */
@Command(name = "virtual-demo", mixinStandardHelpOptions = true,
        description = "Run a whole deployment in the simulator's virtual time under a client workload, then check that every replica agrees.")
final class VirtualDemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    DeploymentOptions deployment;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SimConfig c = deployment.resolve(spec.commandLine(), new File("conf/paxos-paxos.conf"));

        int servers = c.deployment().servers().size();
        out.printf(Locale.ROOT, "virtual-demo: %s%n", Settings.describe(c));
        out.printf(Locale.ROOT, "  %d servers, %d clients proposing %d updates to a replicated key-value store; %s signatures; faults %s; seed %d%n",
                servers, c.sites() * c.clientsPerSite(), c.totalUpdates(), c.signatureScheme(), c.faults().cliName(), c.seed());
        long t0 = System.nanoTime();
        long[] lastPrinted = {-1};
        SimResult r = new Simulation(c).onProgress((virtualMillis, executed, total) -> {
            if (executed != lastPrinted[0]) {
                lastPrinted[0] = executed;
                out.printf(Locale.ROOT, "  t=%6.2fs virtual  %4d/%d updates executed by all %d servers%n", virtualMillis / 1000.0, executed, total, servers);
                out.flush();
            }
        }).run();
        double wallSeconds = (System.nanoTime() - t0) / 1e9;

        if (!r.faults().isEmpty()) {
            out.println("faults injected:");
            for (String f : r.faults()) out.println("  " + f);
        }
        out.println("summary:");
        out.printf(Locale.ROOT, "  updates ordered        %d of %d (global sequence 1..%d)%n", r.orderedUpdates(), c.totalUpdates(), r.orderedUpdates());
        out.printf(Locale.ROOT, "  executed by            %d of %d servers (every server executed all %d)%n",
                r.updatesExecutedByEveryServer() == c.totalUpdates() ? r.servers() : 0, r.servers(), r.updatesExecutedByEveryServer());
        out.printf(Locale.ROOT, "  replicas agree         %s%n", r.replicasAgree()
                ? "yes: same updates in the same order, identical key-value state on every server" : "NO");
        var lat = r.clientLatency();
        out.printf(Locale.ROOT, "  client latency         mean %.0f ms, p50 %.0f ms, p99 %.0f ms, max %.0f ms (virtual)%n",
                lat.meanMillis(), lat.p50Millis(), lat.p99Millis(), lat.maxMillis());
        for (String line : lat.histogramLines(40)) out.println("                     " + line);
        out.printf(Locale.ROOT, "  throughput             %.0f updates/s over %.2f s virtual%n",
                r.orderedUpdates() * 1000.0 / Math.max(1, r.virtualMillis()), r.virtualMillis() / 1000.0);
        out.printf(Locale.ROOT, "  network                %d messages, %.1f KiB; %d wide-area messages under %d LM signatures%n",
                r.messages(), r.bytes() / 1024.0, r.wideMessages(), r.lmSignatures());
        long rejected = 0;
        for (Map.Entry<Rejection, Long> e : r.rejections().entrySet()) rejected += e.getValue();
        out.printf(Locale.ROOT, "  rejected inputs        %d %s%n", rejected, rejected == 0 ? "" : r.rejections().toString());
        for (String line : r.rejectionTrace().subList(0, Math.min(3, r.rejectionTrace().size()))) out.println("                         " + line);
        out.printf(Locale.ROOT, "  leader changes         %d local, %d wide-area; %d crashes, %d partitions%n", r.exercised().localViewChanges(),
                r.exercised().wideViewChanges(), r.exercised().crashes(), r.exercised().partitions());
        out.printf(Locale.ROOT, "  safety (S1, S2)        %s%n", r.safetyViolations().isEmpty() ? "no violation" : r.safetyViolations());
        out.printf(Locale.ROOT, "  took                   %.2f s wall%n", wallSeconds);
        if (!r.passed()) {
            out.print(r.failureReport());
            return 1;
        }
        return r.replicasAgree() ? 0 : 1;
    }

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
