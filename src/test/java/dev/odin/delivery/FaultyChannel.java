package dev.odin.delivery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A real file channel that fails as a full disk does: writes stop with "No space left on device"
 * after a byte budget (the last one written in part), and force() can be made to fail.
 */
final class FaultyChannel extends FileChannel {

    /** The faults, shared by every channel one {@link #opener} opens. */
    static final class Faults {
        /** Bytes still writable; -1 is no limit. */
        volatile long writeBudget = -1;
        volatile boolean failForce;
        /** Fail every write to files whose name starts with this. */
        volatile String failFilesStartingWith;
    }

    private final FileChannel real;
    private final Faults faults;
    private final String name;

    private FaultyChannel(FileChannel real, Faults faults, String name) {
        this.real = real;
        this.faults = faults;
        this.name = name;
    }

    static DiskQueue.Opener opener(Faults faults) {
        return (Path p, OpenOption... options) -> {
            String prefix = faults.failFilesStartingWith;
            if (prefix != null && p.getFileName().toString().startsWith(prefix)) {
                throw new IOException(p + ": No space left on device");
            }
            return new FaultyChannel(FileChannel.open(p, options), faults, p.getFileName().toString());
        };
    }

    private IOException enospc() {
        return new IOException(name + ": No space left on device");
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        long budget = faults.writeBudget;
        if (budget < 0) {
            return real.write(src);
        }
        if (budget == 0) {
            throw enospc();
        }
        int n = (int) Math.min(budget, src.remaining());
        ByteBuffer part = src.slice().limit(n);
        int written = real.write(part);
        src.position(src.position() + written);
        faults.writeBudget = budget - written;
        return written;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (faults.failForce) {
            throw new IOException(name + ": Input/output error");
        }
        real.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("not used by the queue");
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new UnsupportedOperationException("not used by the queue");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        throw new UnsupportedOperationException("not used by the queue");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        throw new UnsupportedOperationException("not used by the queue");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
