package dev.odin.probes.process;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A process that looks like a Claude Code CLI to the process probe when started through a
 * link named {@code claude}: it listens on a port, holds a connection to the port it is given,
 * optionally starts a child, and waits until it is killed.
 */
public final class ClaudeStandIn {

    private ClaudeStandIn() {
    }

    public static void main(String[] args) throws Exception {
        int connectTo = Integer.parseInt(args[0]);
        boolean child = args.length > 1 && args[1].equals("child");
        try (ServerSocket listening = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                Socket connection = new Socket(InetAddress.getLoopbackAddress(), connectTo)) {
            if (child) {
                new ProcessBuilder("sleep", "600").start();
            }
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
            out.println("LISTEN " + listening.getLocalPort());
            Thread.sleep(600_000);
        }
    }
}
