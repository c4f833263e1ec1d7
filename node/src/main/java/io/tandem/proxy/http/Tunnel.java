package io.tandem.proxy.http;

import io.vertx.core.net.NetSocket;

/** Bytes both ways between a client and a backend after a protocol switch (WebSocket), with back-pressure. */
final class Tunnel {
  private Tunnel() {}

  /** Pipes both ways; when either side closes, the other is closed and {@code onEnd} runs once. */
  static void splice(NetSocket client, NetSocket backend, Runnable onEnd) {
    client.pipeTo(backend);
    backend.pipeTo(client);
    backend.closeHandler(v -> client.close());
    client.closeHandler(v -> {
      backend.close();
      onEnd.run();
    });
  }
}
