package dev.odin.probes.host;

import com.sun.jna.platform.linux.LibC;

/** statvfs(3) of a mount point, as node_exporter computes its filesystem gauges. */
public interface FilesystemStats {

    record Stats(double sizeBytes, double freeBytes, double availBytes, double files, double filesFree) {
    }

    /** @return the mount point's figures, or null when statvfs fails for it */
    Stats stat(String path);

    /** The real one, through JNA's libc binding (JNA comes with OSHI). */
    static FilesystemStats statvfs() {
        return path -> {
            LibC.Statvfs buf = new LibC.Statvfs();
            if (LibC.INSTANCE.statvfs(path, buf) != 0) {
                return null;
            }
            // node_exporter multiplies by f_bsize; so do we, so the numbers agree
            double bsize = buf.f_bsize.longValue();
            return new Stats(buf.f_blocks.longValue() * bsize, buf.f_bfree.longValue() * bsize,
                    buf.f_bavail.longValue() * bsize, buf.f_files.longValue(), buf.f_ffree.longValue());
        };
    }
}
