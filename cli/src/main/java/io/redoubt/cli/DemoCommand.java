package io.redoubt.cli;

import picocli.CommandLine.Command;

/**
 * The main job: {@code local} with the default composition (conf/paxos-paxos.conf) and a short
 * workload: real servers, each its own actor system, mutual TLS on loopback, keys generated into
 * a temporary directory, the emulated WAN, durable logs; progress, then a summary ending in the
 * {@code local:} line. {@code virtual-demo} runs the same deployment in the simulator.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a whole deployment of real servers on loopback (mutual TLS, emulated WAN) under a client workload, then check that every replica agrees.")
final class DemoCommand extends LocalCommand {}
