package io.redoubt.bft;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Iterates a HashMap (hash order) next to two maps that are fine. */
public final class HashOrderCore {
    private final HashMap<String, Long> votes = new HashMap<>();
    private final Map<String, Integer> indexOf = new HashMap<>();
    private final LinkedHashMap<String, Long> arrival = new LinkedHashMap<>();

    public void onVote(String from, long view) {
        votes.put(from, view);
        arrival.put(from, view);
    }

    public int index(String member) {
        return indexOf.getOrDefault(member, -1);
    }

    public List<String> voters(List<String> out) {
        for (Map.Entry<String, Long> e : votes.entrySet()) out.add(e.getKey());
        for (Map.Entry<String, Long> e : arrival.entrySet()) out.add(e.getKey());
        return out;
    }
}
