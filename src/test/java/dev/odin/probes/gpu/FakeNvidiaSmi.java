package dev.odin.probes.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for nvidia-smi: a shell script that answers ODIN's exact query the way the real
 * one would, from a captured {@code --format=csv} row (units stripped, as nounits does), and
 * refuses any field this "driver" does not know with nvidia-smi's own message.
 */
final class FakeNvidiaSmi {

    private FakeNvidiaSmi() {
    }

    /** The captured query-gpu row of one section ("idle" or "load"): field name -> raw value. */
    static Map<String, String> capture(Path file, String section) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int i = lines.indexOf("# " + section + " :: query-gpu (csv, what the exporter parses)");
        if (i < 0) {
            throw new IOException("no " + section + " query-gpu section in " + file);
        }
        while (!lines.get(++i).startsWith("####")) {
            // the command line
        }
        String[] header = lines.get(i + 1).split(", ", -1);
        String[] values = lines.get(i + 2).split(", ", -1);
        Map<String, String> row = new LinkedHashMap<>();
        for (int k = 0; k < header.length; k++) {
            String h = header[k];
            int bracket = h.indexOf(" [");
            row.put(bracket > 0 ? h.substring(0, bracket) : h, values[k]);
        }
        return row;
    }

    /** The row's values for these fields, units dropped; a field the row lacks is an error. */
    static String answer(Map<String, String> row, List<String> fields) {
        List<String> out = new ArrayList<>();
        for (String f : fields) {
            String v = row.get(f);
            if (v == null) {
                throw new IllegalArgumentException("capture has no " + f);
            }
            out.add(v.replaceAll(" (W|MiB|%|MHz|us)$", ""));
        }
        return String.join(", ", out);
    }

    /**
     * A script that prints {@code output} and exits with {@code exit} when asked ODIN's query in
     * the spelling given, and fails like nvidia-smi for an unknown field otherwise.
     */
    static Path script(Path dir, boolean oldSpelling, String output, int exit) throws IOException {
        Files.createDirectories(dir);
        Path out = dir.resolve(oldSpelling ? "old.out" : "new.out");
        Files.writeString(out, output);
        String query = "--query-gpu=" + String.join(",", GpuCsv.fields(oldSpelling));
        String unknown = oldSpelling ? "clocks_event_reasons.active" : "clocks_throttle_reasons.active";
        String text = "#!/bin/sh\n"
                + "if [ \"$1\" = '" + query + "' ] && [ \"$2\" = '--format=csv,noheader,nounits' ]; then\n"
                + "  cat '" + out + "'\n  exit " + exit + "\nfi\n"
                + "echo 'Field \"" + unknown + "\" is not a valid field to query.'\n"
                + "echo\necho 'Please run nvidia-smi --help-query-gpu for more information.'\nexit 2\n";
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, text);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** A script that prints this and exits so, whatever it is asked. */
    static Path failing(Path dir, String output, int exit) throws IOException {
        Files.createDirectories(dir);
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\ncat <<'EOF'\n" + output + "\nEOF\nexit " + exit + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
