package io.redoubt.sim;

final class OneSeed {
    public static void main(String[] args) {
        SimConfig c = SimConfig.defaults(Composition.parse("paxos/paxos"), Integer.parseInt(args[0]), 3)
                .withFaults(FaultProfile.parse(args[1])).withSeed(Long.parseLong(args[2]));
        long t0 = System.nanoTime();
        SimResult r = new Simulation(c).run();
        System.out.println("passed=" + r.passed() + " ordered=" + r.orderedUpdates() + " virt=" + r.virtualMillis() + " steps=" + r.steps()
                + " wall=" + (System.nanoTime() - t0) / 1_000_000 + "ms rej=" + r.rejections());
        System.out.println(r.failureReport());
    }
}
