package io.tandem.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP backend on blocking {@code java.net} sockets (one thread per connection), for exact control of half-close,
 * speaking first and slow reading. The handler runs once per accepted connection.
 */
public final class RawBackend implements AutoCloseable {
  public interface Handler {
    void handle(Socket socket) throws IOException;
  }

  public final String name;
  public final AtomicInteger accepted = new AtomicInteger();
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raw-backend");
    t.setDaemon(true);
    return t;
  });
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private RawBackend(String name, Handler handler) throws IOException {
    this.name = name;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.incrementAndGet();
          sockets.add(s);
          threads.execute(() -> {
            try (s) {
              handler.handle(s);
            } catch (IOException e) {
              // the proxy or the test closed it: fine for a test backend
            }
          });
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  public static RawBackend start(String name, Handler handler) throws IOException {
    return new RawBackend(name, handler);
  }

  /** Echoes every byte; on the client's FIN, ends its own output too. */
  public static RawBackend echo(String name) throws IOException {
    return start(name, s -> {
      InputStream in = s.getInputStream();
      byte[] buf = new byte[16384];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        s.getOutputStream().write(buf, 0, n);
      }
      s.shutdownOutput();
    });
  }

  /** Says its name on connect, then ends its output and reads until the client's FIN. */
  public static RawBackend banner(String name) throws IOException {
    return start(name, s -> {
      s.getOutputStream().write((name + "\n").getBytes(UTF_8));
      s.shutdownOutput();
      readAll(s.getInputStream());
    });
  }

  public int port() {
    return server.getLocalPort();
  }

  public static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  /** A port nothing listens on (connections are refused). */
  public static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    threads.shutdownNow();
  }
}
