package io.redoubt.bench;

import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftMessage;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.exec.SignedUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Canonical encoding and decoding of the biggest message a site sends, a PBFT pre-prepare carrying
 * a full batch of client updates, and of one client update. Every hop encodes once and decodes
 * once per receiver, so these multiply by the fan-out of each round.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CodecBenchmarks {
    @Param({"64"})
    public int batch;

    @Param({"100"})
    public int operationBytes;

    private SignedUpdate update;
    private Bytes updateBytes;
    private PbftMessage.PrePrepare prePrepare;
    private Bytes prePrepareBytes;
    private final PbftConfig config = PbftConfig.localDefaults();

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        List<Bytes> updates = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            byte[] op = new byte[operationBytes];
            byte[] sig = new byte[64];
            for (int j = 0; j < op.length; j++) op[j] = (byte) random.nextInt(256);
            for (int j = 0; j < sig.length; j++) sig[j] = (byte) random.nextInt(256);
            SignedUpdate u = new SignedUpdate(ClientId.of(i % 5, i), i, Bytes.wrap(op), Bytes.wrap(sig));
            if (update == null) update = u;
            updates.add(u.encode());
        }
        updateBytes = update.encode();
        byte[] sig = new byte[64];
        prePrepare = new PbftMessage.PrePrepare(3, 1000, Digests.sha256(updates.get(0)), 1, updates, Bytes.wrap(sig));
        prePrepareBytes = prePrepare.encode();
    }

    @Benchmark
    public Bytes updateEncode() {
        return update.encode();
    }

    @Benchmark
    public SignedUpdate updateDecode() throws DecodeException {
        return SignedUpdate.decode(updateBytes);
    }

    @Benchmark
    public Bytes prePrepareEncode() {
        return prePrepare.encode();
    }

    @Benchmark
    public PbftMessage prePrepareDecode() throws DecodeException {
        return PbftMessage.decode(prePrepareBytes, config, 4);
    }
}
