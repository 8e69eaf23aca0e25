package io.redoubt.lm.codec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A test message that uses every writer/reader method once, with a small decoder for it. */
record CodecSample(
        int tag,
        boolean flag,
        int number,
        long big,
        SiteId site,
        ServerId server,
        ClientId client,
        Bytes blob,
        String text,
        List<ServerId> servers,
        List<Bytes> blobs) {

    static final int BLOB_MAX = 64;
    static final int TEXT_MAX = 32;
    static final int SERVERS_MAX = 8;
    static final int BLOBS_MAX = 4;
    static final int BLOBS_ITEM_MAX = 16;

    Bytes encode() {
        return new CanonicalWriter()
                .u8(tag)
                .bool(flag)
                .i32(number)
                .i64(big)
                .site(site)
                .server(server)
                .client(client)
                .bytes(blob)
                .utf8(text)
                .list(servers, CanonicalWriter::server)
                .bytesList(blobs)
                .toBytes();
    }

    static CodecSample decode(Bytes encoded) throws DecodeException {
        CanonicalReader r = new CanonicalReader(encoded);
        CodecSample s = new CodecSample(
                r.u8(),
                r.bool(),
                r.i32(),
                r.i64(),
                r.site(),
                r.server(),
                r.client(),
                r.bytes(BLOB_MAX),
                r.utf8(TEXT_MAX),
                r.list(SERVERS_MAX, CanonicalReader::server),
                r.bytesList(BLOBS_MAX, BLOBS_ITEM_MAX));
        r.expectEnd();
        return s;
    }

    private static final String[] TEXT_PIECES = {"a", "Z", "0", " ", "\u00e9", "\u20ac", "\ud83d\ude00", "\u0000"};

    private static int nonNegativeInt(SplittableRandom rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> Integer.MAX_VALUE;
            default -> rnd.nextInt(0, Integer.MAX_VALUE);
        };
    }

    private static int anyInt(SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MIN_VALUE;
            case 3 -> Integer.MAX_VALUE;
            default -> rnd.nextInt();
        };
    }

    private static long anyLong(SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> 0L;
            case 1 -> -1L;
            case 2 -> Long.MIN_VALUE;
            case 3 -> Long.MAX_VALUE;
            default -> rnd.nextLong();
        };
    }

    private static Bytes randomBytes(SplittableRandom rnd, int max) {
        byte[] b = new byte[rnd.nextInt(max + 1)];
        rnd.nextBytes(b);
        return Bytes.wrap(b);
    }

    static String randomText(SplittableRandom rnd, int maxUtf8Bytes) {
        StringBuilder sb = new StringBuilder();
        int target = rnd.nextInt(maxUtf8Bytes + 1);
        while (true) {
            String piece = TEXT_PIECES[rnd.nextInt(TEXT_PIECES.length)];
            String next = sb + piece;
            if (next.getBytes(StandardCharsets.UTF_8).length > target) return sb.toString();
            sb.append(piece);
        }
    }

    static CodecSample random(SplittableRandom rnd) {
        List<ServerId> servers = new ArrayList<>();
        int ns = rnd.nextInt(SERVERS_MAX + 1);
        for (int i = 0; i < ns; i++) servers.add(new ServerId(SiteId.of(nonNegativeInt(rnd)), nonNegativeInt(rnd)));
        List<Bytes> blobs = new ArrayList<>();
        int nb = rnd.nextInt(BLOBS_MAX + 1);
        for (int i = 0; i < nb; i++) blobs.add(randomBytes(rnd, BLOBS_ITEM_MAX));
        return new CodecSample(
                rnd.nextInt(256),
                rnd.nextBoolean(),
                anyInt(rnd),
                anyLong(rnd),
                SiteId.of(nonNegativeInt(rnd)),
                new ServerId(SiteId.of(nonNegativeInt(rnd)), nonNegativeInt(rnd)),
                new ClientId(SiteId.of(nonNegativeInt(rnd)), nonNegativeInt(rnd)),
                randomBytes(rnd, BLOB_MAX),
                randomText(rnd, TEXT_MAX),
                List.copyOf(servers),
                List.copyOf(blobs));
    }
}
