package io.redoubt.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code redoubt} command line: {@code demo}, {@code sim}, {@code fidelity}, {@code local} and {@code keygen}. */
@Command(name = "redoubt", mixinStandardHelpOptions = true, version = "redoubt 0.1.0",
        description = "Intrusion-tolerant state machine replication across wide-area networks (Lane 2008, Chapter 4).",
        subcommands = {DemoCommand.class, VirtualDemoCommand.class, SimCommand.class, FidelityCommand.class, LocalCommand.class, KeygenCommand.class,
                NodeCommand.class, StatusCommand.class,
                ClientCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command; valid: demo, virtual-demo, sim, fidelity, local, keygen, node, client, status");
    }

    public static void main(String[] args) {
        // Logging set up before any thread logs: otherwise SLF4J replays early calls and says so on stderr.
        org.slf4j.LoggerFactory.getILoggerFactory();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns the exit code (tests call this). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // A bad argument gets one line that says what would be valid, not a page of usage.
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine where = ex.getCommandLine();
            String sub = where.getCommandName();
            String valid = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException) {
                // Say what would have been accepted: the subcommands, or this command's options.
                valid = where.getSubcommands().isEmpty()
                        ? "; valid options: " + String.join(", ", where.getCommandSpec().optionsMap().keySet().stream()
                                .filter(n -> n.startsWith("--")).sorted().toList())
                        : "; valid commands: " + String.join(", ", where.getSubcommands().keySet());
            }
            err.println("redoubt: " + ex.getMessage().strip() + valid + " (see: bin/redoubt " + ("redoubt".equals(sub) ? "" : sub + " ") + "--help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, r) -> {
            // Each names what is wrong (a key and its value, or a key file) and the fix: one line, no stack trace.
            if (ex instanceof io.redoubt.compose.SettingsException || ex instanceof io.redoubt.runtime.keys.KeyFileException
                    || ex instanceof IllegalArgumentException) {
                err.println("redoubt: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
