package dev.odin.delivery;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One queued entry of a {@link QueuedSender}: the payload bytes as the transport sends them,
 * the headers that go with them (a tenant, a content type...), a small sender-defined type (a
 * wire format, say) and how many items (log records, notifications) the payload holds; the
 * depth metrics count items. Entries with equal type and headers may travel in one batch.
 *
 * <p>On disk the headers go in front of the payload: type flag {@link #HEADERS} and a block of
 * (count, key, value...) in modified UTF-8. Records of the Loki queue written before this
 * class (flag {@link #LEGACY_TENANT}: one length byte and an ASCII tenant) still read back, as
 * header {@link #LEGACY_TENANT_HEADER}; records without a flag have no headers.
 */
public record Entry(byte type, Map<String, String> headers, byte[] payload, int items, long enqueuedMillis) {

    static final byte HEADERS = 0x20;
    static final byte LEGACY_TENANT = 0x40;
    /** The header a record of the old tenant layout reads back as (Loki's tenant). */
    public static final String LEGACY_TENANT_HEADER = "X-Scope-OrgID";

    public Entry {
        headers = headers == null || headers.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        if ((type & (HEADERS | LEGACY_TENANT)) != 0 || type < 0) {
            throw new IllegalArgumentException("entry types are 0..31: " + type);
        }
    }

    /** An entry to append: the enqueue time is set by the queue. */
    public static Entry of(byte type, Map<String, String> headers, byte[] payload, int items) {
        return new Entry(type, headers, payload, items, 0);
    }

    /** Same type and headers: may share a batch. */
    public boolean sameKind(Entry other) {
        return type == other.type && headers.equals(other.headers);
    }

    byte recordType() {
        return headers.isEmpty() ? type : (byte) (type | HEADERS);
    }

    byte[] recordPayload() {
        if (headers.isEmpty()) {
            return payload;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + 64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeShort(headers.size());
            for (Map.Entry<String, String> h : headers.entrySet()) {
                out.writeUTF(h.getKey());
                out.writeUTF(h.getValue());
            }
            out.write(payload);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a header over 64 KB
        }
    }

    /** The entry a queue record holds. */
    static Entry fromRecord(DiskQueue.Record r) throws IOException {
        byte[] p = r.payload();
        if ((r.type() & LEGACY_TENANT) != 0) {
            int len = p[0] & 0xff;
            String tenant = new String(p, 1, len, StandardCharsets.US_ASCII);
            return new Entry((byte) (r.type() & ~LEGACY_TENANT), Map.of(LEGACY_TENANT_HEADER, tenant),
                    Arrays.copyOfRange(p, 1 + len, p.length), r.items(), r.enqueuedMillis());
        }
        if ((r.type() & HEADERS) == 0) {
            return new Entry(r.type(), Map.of(), p, r.items(), r.enqueuedMillis());
        }
        var counting = new java.io.ByteArrayInputStream(p);
        DataInputStream in = new DataInputStream(counting);
        int n = in.readUnsignedShort();
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            headers.put(in.readUTF(), in.readUTF());
        }
        int start = p.length - counting.available();
        return new Entry((byte) (r.type() & ~HEADERS), headers, Arrays.copyOfRange(p, start, p.length), r.items(),
                r.enqueuedMillis());
    }
}
