package io.redoubt.cli;

import io.redoubt.compose.Deployment;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.server.Frame;
import io.redoubt.runtime.LocalDeployment;
import io.redoubt.runtime.cluster.SiteMembers;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code status}: how every server of a running deployment stands, asked over the network. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Ask every server of a running deployment for its views and leaders at both tiers, what it executed,"
                + " and which servers of its site it sees in the site's cluster.")
final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    RunningDeployment running;

    @Option(names = "--timeout", defaultValue = "5s", description = "how long to wait for answers (default: ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CommandLine cl = spec.commandLine();
        Deployment d = running.deployment();
        Duration limit = Duration.ofMillis(DeploymentOptions.millis(cl, "--timeout", timeout));
        LocalDeployment deployment = running.connect(0, 0);
        List<LocalDeployment.ServerStatus> answers = deployment.askStatus(ClientId.of(0, 0), limit);
        deployment.close();
        Map<ServerId, LocalDeployment.ServerStatus> byServer = new TreeMap<>();
        for (LocalDeployment.ServerStatus s : answers) byServer.put(s.status().server(), s);
        out.printf(Locale.ROOT, "%-7s %10s %12s %9s %11s %9s %8s %8s  %s%n", "server", "local view", "local leader", "wide view", "wide leader",
                "executed", "events", "rejected", "site cluster (operations only)");
        for (ServerId id : d.servers()) {
            LocalDeployment.ServerStatus answer = byServer.get(id);
            if (answer == null) {
                out.printf(Locale.ROOT, "%-7s no answer within %s%n", id, timeout);
            } else {
                Frame.Status s = answer.status();
                out.printf(Locale.ROOT, "%-7s %10d %12s %9d %11s %9d %8d %8d  %s%n", id, s.localView(), id.site().value() + "." + s.localLeader(), s.wideView(),
                        "site " + s.wideLeaderSite(), s.executedUpdates(), s.executedEvents(), s.rejections(),
                        answer.site().map(StatusCommand::describe).orElse("no report"));
            }
        }
        out.printf(Locale.ROOT, "status: %d of %d servers answered%n", byServer.size(), d.servers().size());
        return byServer.size() == d.servers().size() ? 0 : 1;
    }

    /** e.g. {@code up 1.0 1.1 1.2, unreachable none}. */
    static String describe(SiteMembers.View v) {
        if (!v.clusterOn()) return "off";
        String s = "up " + names(v.up()) + ", unreachable " + names(v.unreachable());
        return v.strangers() == 0 ? s : s + ", " + v.strangers() + " not of this site";
    }

    private static String names(java.util.Set<ServerId> ids) {
        return ids.isEmpty() ? "none" : new TreeSet<>(ids).stream().map(ServerId::toString).collect(Collectors.joining(" "));
    }
}
