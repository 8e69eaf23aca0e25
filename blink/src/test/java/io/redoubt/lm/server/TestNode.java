package io.redoubt.lm.server;

import io.redoubt.lm.TestEnvelopes;
import io.redoubt.blink.RotatingLink;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.exec.LogicalMachine;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.exec.ScriptedCore;
import io.redoubt.lm.exec.TimeoutNotice;
import io.redoubt.lm.sign.LmKeyring;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@link ServerNode} (server 0.0 of three sites of three servers) with its real link
 * ({@link RotatingLink}) driven by hand: an instant
 * scripted core orders every submitted event at once, a recording scripted core stands in for the wide-area
 * core, and a recording {@link ServerIo} shows what the node did.
 */
final class TestNode {
    static final SiteId SITE = SiteId.of(0);
    static final ServerId SELF = ServerId.of(0, 0);
    static final ServerId PEER = ServerId.of(0, 1);
    static final ServerId PEER2 = ServerId.of(0, 2);
    static final ServerId REMOTE = ServerId.of(1, 0);
    static final ClientId ALICE = ClientId.of(0, 0);
    static final ClientId BOB = ClientId.of(0, 1);
    static final Map<SiteId, Integer> SITES = new TreeMap<>(Map.of(SiteId.of(0), 3, SiteId.of(1), 3, SiteId.of(2), 3));

    /** Everything the node asked of its host. */
    static final class RecordingIo implements ServerIo {
        record Rejected(Object from, Rejection reason, String detail) {}

        final List<Map.Entry<ServerId, Bytes>> toServers = new ArrayList<>();
        final List<Map.Entry<ClientId, Bytes>> toClients = new ArrayList<>();
        final List<Map.Entry<ServerTimer, Long>> timersSet = new ArrayList<>();
        final List<ServerTimer> timersCancelled = new ArrayList<>();
        final List<Bytes> persisted = new ArrayList<>();
        final List<SignedUpdate> executed = new ArrayList<>();
        final List<Rejected> rejected = new ArrayList<>();
        final List<io.redoubt.lm.sign.CryptoJob> offloaded = new ArrayList<>();

        @Override
        public void sendToServer(ServerId to, Bytes frame) {
            toServers.add(Map.entry(to, frame));
        }

        @Override
        public void sendToClient(ClientId to, Bytes frame) {
            toClients.add(Map.entry(to, frame));
        }

        @Override
        public void setTimer(ServerTimer timer, long delayMillis) {
            timersSet.add(Map.entry(timer, delayMillis));
        }

        @Override
        public void cancelTimer(ServerTimer timer) {
            timersCancelled.add(timer);
        }

        @Override
        public void persist(Bytes record) {
            persisted.add(record);
        }

        @Override
        public void offload(io.redoubt.lm.sign.CryptoJob job) {
            offloaded.add(job); // these nodes' sites sign with a site key: nothing is offloaded
        }

        @Override
        public void executed(long globalSeq, SignedUpdate update, Bytes reply) {
            executed.add(update);
        }

        @Override
        public void rejected(Object from, Rejection reason, String detail) {
            rejected.add(new Rejected(from, reason, detail));
        }

        List<Rejection> reasons() {
            return rejected.stream().map(Rejected::reason).toList();
        }
    }

    final KeyDirectory keys;
    final RecordingIo io = new RecordingIo();
    final ScriptedCore.Factory localFactory = ScriptedCore.Factory.instant();
    final ScriptedCore.Factory wideFactory = ScriptedCore.Factory.recording();
    final ServerNode node;
    final ScriptedCore<ServerId> local;
    final ScriptedCore<SiteId> wide;

    TestNode(String scheme) {
        this(scheme, ServerConfig.benignSite());
    }

    TestNode(String scheme, ServerConfig config) {
        this(scheme, config, RotatingLink.FACTORY);
    }

    TestNode(String scheme, ServerConfig config, WideLink.Factory link) {
        this(scheme, config, link, false, List.of());
    }

    /**
     * @param byzantineSite whether this node's site is Byzantine (signs with f+1 certificates, so
     *     no key dealing), and so hands client updates in through CLink-Order
     * @param persisted what an earlier incarnation of this node persisted
     */
    TestNode(String scheme, ServerConfig config, WideLink.Factory link, boolean byzantineSite, List<Bytes> persisted) {
        keys = new KeyDirectory(SignatureScheme.named(scheme), Bytes.ofUtf8("server-node-test"));
        LmKeyring keyring;
        if (byzantineSite) {
            Map<SiteId, LmKeyring.SiteSpec> specs = new TreeMap<>();
            SITES.forEach((s, n) -> specs.put(s, new LmKeyring.SiteSpec(n, s.equals(SITE) ? 1 : 0,
                    s.equals(SITE) ? LmKeyring.Kind.CERTIFICATE : LmKeyring.Kind.SITE_KEY)));
            keyring = new LmKeyring(keys, specs, 0, true);
        } else {
            keyring = LmKeyring.allBenign(keys, SITES);
        }
        node = new ServerNode(SELF, keyring, keyring.signingFor(SELF), config, localFactory, wideFactory, link, keys,
                new KeyValueStore(), io, persisted);
        node.start();
        local = localFactory.last();
        wide = wideFactory.last();
    }

    SignedUpdate update(ClientId client, long seq) {
        Bytes op = KeyValueStore.put("k" + client, "v" + seq);
        return new SignedUpdate(client, seq, op, keys.scheme().sign(keys.client(client).privateKey(), SignedUpdate.signedContent(client, seq, op)));
    }

    Bytes request(SignedUpdate u) {
        return new Frame.Request(u).encode();
    }

    Frame.Wide wide(SiteId from, SiteId to, Bytes message) {
        return new Frame.Wide(from, to, TestEnvelopes.signed(keys, from, message));
    }

    TimeoutNotice notice(ServerId signer, TimerId timer, long generation) {
        return new TimeoutNotice(signer, timer, generation,
                keys.scheme().sign(keys.server(signer).privateKey(), TimeoutNotice.signedContent(signer, timer, generation)));
    }

    static Bytes flipBit(Bytes b, int bit) {
        byte[] a = b.toArray();
        a[bit / 8] ^= (byte) (1 << (bit % 8));
        return Bytes.wrap(a);
    }

    long counted(Rejection r) {
        return node.rejections().getOrDefault(r, 0L);
    }
}
