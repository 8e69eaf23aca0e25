package io.redoubt.sim;

/** Manual smoke entry point while developing: runs a few seeds and prints results. */
final class SmokeMain {
    public static void main(String[] args) {
        int sites = Integer.parseInt(args[0]);
        FaultProfile faults = FaultProfile.parse(args[1]);
        long seeds = Long.parseLong(args[2]);
        for (long seed = 1; seed <= seeds; seed++) {
            long t0 = System.nanoTime();
            SimResult r = new Simulation(SimConfig.defaults(Composition.parse("paxos/paxos"), sites, 3).withFaults(faults).withSeed(seed)).run();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("seed " + seed + " passed=" + r.passed() + " ordered=" + r.orderedUpdates() + " allExec=" + r.updatesExecutedByEveryServer()
                    + " virt=" + r.virtualMillis() + "ms steps=" + r.steps() + " msgs=" + r.messages() + " wall=" + ms + "ms agree=" + r.replicasAgree()
                    + " rounds@leader=" + r.roundsClientAtLeaderSite() + " elsewhere=" + r.roundsClientElsewhere() + " rej=" + r.rejections());
            if (!r.passed()) System.out.println(r.failureReport());
        }
    }
}
