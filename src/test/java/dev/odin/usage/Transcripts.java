package dev.odin.usage;

/** Transcript lines in Claude Code's layout (~/.claude/projects/<project>/<session>.jsonl). */
final class Transcripts {

    private Transcripts() {
    }

    static String assistant(String session, String time, String msg, String req, String model, long in, long out,
            long write5m, long write1h, long read, String blockType, boolean sidechain) {
        return "{\"parentUuid\":\"p\",\"isSidechain\":" + sidechain + ",\"userType\":\"external\","
                + "\"cwd\":\"/home/u/proj\",\"sessionId\":\"" + session + "\",\"version\":\"2.1.330\","
                + "\"gitBranch\":\"main\",\"message\":{\"id\":\"" + msg + "\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[{\"type\":\"" + blockType
                + "\"}],\"stop_reason\":null,\"usage\":{\"input_tokens\":" + in + ",\"cache_creation_input_tokens\":"
                + (write5m + write1h) + ",\"cache_read_input_tokens\":" + read + ",\"cache_creation\":{"
                + "\"ephemeral_5m_input_tokens\":" + write5m + ",\"ephemeral_1h_input_tokens\":" + write1h
                + "},\"output_tokens\":" + out + ",\"service_tier\":\"standard\"}},\"requestId\":\"" + req
                + "\",\"type\":\"assistant\",\"uuid\":\"u-" + msg + "\",\"timestamp\":\"" + time + "\"}\n";
    }

    /** A project directory under a fresh transcripts root (root = its parent). */
    static java.nio.file.Path tempProject(String project) {
        try {
            return java.nio.file.Files.createDirectories(java.nio.file.Files.createTempDirectory("odin-transcripts")
                    .resolve(project));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String user(String session, String time) {
        return "{\"type\":\"user\",\"sessionId\":\"" + session + "\",\"message\":{\"role\":\"user\",\"content\":\"hi\"},"
                + "\"timestamp\":\"" + time + "\"}\n";
    }
}
