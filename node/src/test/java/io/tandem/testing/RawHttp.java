package io.tandem.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A byte-level HTTP/1.1 client for tests that need what regular clients refuse to send (smuggling attempts, slow
 * heads, Expect, upgrades) or need to see exactly what came back, including whether the connection was closed.
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** One response as read off the wire. */
  /** A response; {@code trailerLines}: the trailer fields of a chunked body (empty for others). */
  public record Response(int status, List<String> headerLines, byte[] body, List<String> trailerLines) {
    public Response(int status, List<String> headerLines, byte[] body) {
      this(status, headerLines, body, List.of());
    }

    public String header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      for (String l : headerLines) {
        if (l.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          return l.substring(prefix.length()).trim();
        }
      }
      return null;
    }

    public List<String> headers(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      List<String> values = new ArrayList<>();
      for (String l : headerLines) {
        if (l.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          values.add(l.substring(prefix.length()).trim());
        }
      }
      return values;
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  public RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one response; {@code headRequest} means no body follows whatever the headers say. */
  public Response read(boolean headRequest) throws IOException {
    String status = line();
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    List<String> headers = new ArrayList<>();
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      headers.add(l);
    }
    Response head = new Response(code, headers, new byte[0]);
    if (headRequest || code == 204 || code == 304 || code / 100 == 1) {
      return head;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    List<String> trailers = new ArrayList<>();
    String te = head.header("transfer-encoding");
    String cl = head.header("content-length");
    if (te != null && te.equalsIgnoreCase("chunked")) {
      while (true) {
        int size = Integer.parseInt(line().split(";")[0].trim(), 16);
        if (size == 0) {
          for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            trailers.add(l);
          }
          break;
        }
        body.write(in.readNBytes(size));
        line();
      }
    } else if (cl != null) {
      body.write(in.readNBytes(Integer.parseInt(cl)));
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(code, headers, body.toByteArray(), trailers);
  }

  public Response read() throws IOException {
    return read(false);
  }

  /** Whether the server closed the connection (reads EOF or a reset within the socket timeout). */
  public boolean closedByPeer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  public byte[] readExactly(int n) throws IOException {
    return in.readNBytes(n);
  }

  public void timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
