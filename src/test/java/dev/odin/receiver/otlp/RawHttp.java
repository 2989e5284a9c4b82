package dev.odin.receiver.otlp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 spoken by hand over a socket, for what a well-behaved client library will not do:
 * paths exactly as written (no normalisation), bodies sent slowly or never finished, and a look
 * at whether the server closed the connection.
 */
final class RawHttp implements AutoCloseable {

    final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    /** Connects to 127.0.0.1:port from the given loopback source address (127.0.0.x). */
    RawHttp(int port, String sourceAddress) throws IOException {
        socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(15_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    RawHttp(int port) throws IOException {
        this(port, "127.0.0.1");
    }

    /** Sends the request line and headers (CRLF-terminated lines given without CRLF). */
    RawHttp head(String method, String target, String... headers) throws IOException {
        StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        b.append("\r\n");
        out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    RawHttp body(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends bytes, or false when the server has closed the connection. */
    boolean tryBody(byte[] bytes) {
        try {
            body(bytes);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The status code of the response (reads the status line and headers, and the rest that came). */
    int status() throws IOException {
        String head = readHead();
        if (head.isEmpty()) {
            return -1;
        }
        return Integer.parseInt(head.substring(9, 12));
    }

    private String lastHead = "";

    /** Everything up to the end of the headers. */
    String readHead() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                break;
            }
        }
        lastHead = b.toString(StandardCharsets.ISO_8859_1);
        return lastHead;
    }

    String lastHead() {
        return lastHead;
    }

    /** The response body by its Content-Length (after {@link #status()}). */
    String bodyText() throws IOException {
        int length = 0;
        for (String line : lastHead.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** True when the server closed the connection within the time (the read sees end of stream). */
    boolean closedByServer(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            byte[] buf = new byte[8192];
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
