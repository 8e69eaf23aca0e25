package io.redoubt.cli;

import io.redoubt.runtime.LocalDeployment;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code client load}: closed-loop clients against running servers ({@code node}), with progress and latency percentiles. */
@Command(name = "client", mixinStandardHelpOptions = true, description = "Clients of a running deployment.",
        subcommands = {ClientCommand.Load.class, ClientCommand.Put.class, ClientCommand.Get.class})
final class ClientCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing client command; valid: load, put, get");
    }

    @Command(name = "load", mixinStandardHelpOptions = true, description = "Closed-loop clients at every site, each proposing updates one at a time.")
    static final class Load implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        RunningDeployment running;

        @Option(names = "--clients-per-site", defaultValue = "1", description = "clients per site, identities 0.. (default: ${DEFAULT-VALUE})")
        int clientsPerSite;

        @Option(names = "--updates-per-client", defaultValue = "20", description = "updates each client proposes (default: ${DEFAULT-VALUE})")
        int updatesPerClient;

        @Option(names = "--deadline", defaultValue = "120s", description = "give up after this long (default: ${DEFAULT-VALUE})")
        String deadline;

        @Option(names = "--first-seq", defaultValue = "1", description = "each client's first sequence number: one more than its last in an earlier run (default: ${DEFAULT-VALUE})")
        long firstSeq;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            CommandLine cl = spec.commandLine();
            DeploymentOptions.atLeast(cl, "--clients-per-site", clientsPerSite, 1);
            DeploymentOptions.atLeast(cl, "--updates-per-client", updatesPerClient, 1);
            Duration limit = Duration.ofMillis(DeploymentOptions.millis(cl, "--deadline", deadline));
            LocalDeployment clients = running.connect(clientsPerSite, updatesPerClient);
            if (firstSeq < 1) throw new CommandLine.ParameterException(cl, "--first-seq must be >= 1, was " + firstSeq);
            LocalDeployment.Result result = clients.runWorkload(limit, (done, total) -> {}, firstSeq);
            clients.close();
            long completed = result.latenciesNanos().size();
            out.printf(Locale.ROOT, "client load: %d of %d updates acknowledged, %.0f updates/s, p50 %.0f ms, p99 %.0f ms%n", completed,
                    result.updates(), completed / Math.max(1e-9, result.seconds()), result.latencyMillis(0.5), result.latencyMillis(0.99));
            return completed == result.updates() ? 0 : 1;
        }
    }

    /** What {@code put} and {@code get} share: the deployment, the keys, which client, and one ordered operation. */
    abstract static class One implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        RunningDeployment running;

        @Option(names = "--client", defaultValue = "0.0", description = "which client, as SITE.INDEX (default: ${DEFAULT-VALUE})")
        String client;

        @Option(names = "--timeout", defaultValue = "30s", description = "give up after this long (default: ${DEFAULT-VALUE})")
        String timeout;

        abstract io.redoubt.lm.Bytes operation();

        /** Whether the operation is ordered like an update (else it is a local read). */
        boolean ordered() {
            return true;
        }

        abstract String describe(int status, String value);

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            CommandLine cl = spec.commandLine();
            io.redoubt.lm.ClientId id = DeploymentOptions.parse(cl, () -> io.redoubt.lm.ClientId.parse(client));
            Duration limit = Duration.ofMillis(DeploymentOptions.millis(cl, "--timeout", timeout));
            LocalDeployment clients = running.connect(0, 0);
            // A client's sequence numbers must grow across invocations; the clock in microseconds does, with no state kept here.
            long seq = java.time.Instant.now().getEpochSecond() * 1_000_000L + java.time.Instant.now().getNano() / 1_000;
            Optional<io.redoubt.lm.Bytes> reply = ordered() ? clients.submitOne(id, operation(), seq, limit) : clients.queryOne(id, operation(), limit);
            clients.close();
            if (reply.isEmpty()) {
                out.printf("client %s: no reply within %s%n", id, timeout);
                return 1;
            }
            var parsed = DeploymentOptions.parse(cl, () -> {
                try {
                    return io.redoubt.lm.app.KeyValueStore.parseReply(reply.get());
                } catch (io.redoubt.lm.codec.DecodeException e) {
                    throw new IllegalArgumentException("the servers' reply does not parse: " + e.getMessage());
                }
            });
            out.println(describe(parsed.getKey(), parsed.getValue().toUtf8()));
            return parsed.getKey() == io.redoubt.lm.app.KeyValueStore.STATUS_BAD_REQUEST ? 1 : 0;
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Write KEY = VALUE, ordered like every update; prints the previous value.")
    static final class Put extends One {
        @CommandLine.Parameters(index = "0", paramLabel = "KEY")
        String key;

        @CommandLine.Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        io.redoubt.lm.Bytes operation() {
            return io.redoubt.lm.app.KeyValueStore.put(key, value);
        }

        @Override
        String describe(int status, String previous) {
            return "put " + key + " = " + value + " (ordered; previous value: " + (previous.isEmpty() ? "none" : previous) + ")";
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Read KEY: a local read answered by the client's site (f+1 matching"
            + " answers at a BFT site), possibly behind the global order; with --linearizable the read is ordered like an update.")
    static final class Get extends One {
        @CommandLine.Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = "--linearizable", description = "order the read like an update, so it sees every update ordered before it")
        boolean linearizable;

        @Override
        io.redoubt.lm.Bytes operation() {
            return io.redoubt.lm.app.KeyValueStore.get(key);
        }

        @Override
        boolean ordered() {
            return linearizable;
        }

        @Override
        String describe(int status, String value) {
            return status == io.redoubt.lm.app.KeyValueStore.STATUS_NOT_FOUND ? key + ": not found" : key + " = " + value;
        }
    }
}
