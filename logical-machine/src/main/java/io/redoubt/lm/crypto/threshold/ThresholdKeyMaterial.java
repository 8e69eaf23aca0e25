package io.redoubt.lm.crypto.threshold;

import java.util.List;

/** What the dealer hands out: the public key for everyone and share i for server i only. */
public record ThresholdKeyMaterial(ThresholdPublicKey publicKey, List<KeyShare> shares) {
    public ThresholdKeyMaterial {
        shares = List.copyOf(shares);
        if (shares.size() != publicKey.servers()) {
            throw new IllegalArgumentException(shares.size() + " shares for l = " + publicKey.servers());
        }
        for (int i = 0; i < shares.size(); i++) {
            if (shares.get(i).serverIndex() != i + 1) throw new IllegalArgumentException("shares must be in server order 1..l");
        }
    }

    /** Share s_i of server i in 1..l. */
    public KeyShare share(int serverIndex) {
        return shares.get(publicKey.checkServerIndex(serverIndex) - 1);
    }

    @Override
    public String toString() {
        return "ThresholdKeyMaterial(" + publicKey + ", " + shares.size() + " shares)";
    }
}
