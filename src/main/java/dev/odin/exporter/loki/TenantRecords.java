package dev.odin.exporter.loki;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Queue records that belong to a tenant: the type byte carries {@link #FLAG} and the payload
 * starts with the tenant's name (one length byte, ASCII). Records without the flag belong to the
 * configured default tenant, which keeps queues written before tenants existed readable.
 */
final class TenantRecords {

    static final byte FLAG = 0x40;

    private TenantRecords() {
    }

    static byte type(byte baseType, String tenant) {
        return tenant.isEmpty() ? baseType : (byte) (baseType | FLAG);
    }

    static byte[] wrap(String tenant, byte[] payload) {
        if (tenant.isEmpty()) {
            return payload;
        }
        byte[] name = tenant.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + name.length + payload.length];
        out[0] = (byte) name.length;
        System.arraycopy(name, 0, out, 1, name.length);
        System.arraycopy(payload, 0, out, 1 + name.length, payload.length);
        return out;
    }

    /** The tenant a queued record belongs to; empty for the default tenant. */
    static String tenant(DiskQueue.Record r) {
        if ((r.type() & FLAG) == 0) {
            return "";
        }
        int len = r.payload()[0] & 0xff;
        return new String(r.payload(), 1, len, StandardCharsets.US_ASCII);
    }

    /** The record as it was before the tenant went in: base type, original payload. */
    static DiskQueue.Record unwrap(DiskQueue.Record r) {
        if ((r.type() & FLAG) == 0) {
            return r;
        }
        int len = r.payload()[0] & 0xff;
        return new DiskQueue.Record(r.segment(), r.next(), r.enqueuedMillis(), (byte) (r.type() & ~FLAG), r.items(),
                Arrays.copyOfRange(r.payload(), 1 + len, r.payload().length));
    }
}
