import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The floor of the stack Tandem is built on, for the benchmark's "bare" contender: a plain Vert.x 5 HTTP proxy with
 * nothing but round robin over the backends, a pooled keep-alive client, the headers copied as they are and the body
 * streamed. No limits, no health, no metrics, no header rewriting. Not a product: a calibration.
 *
 * Usage: java -cp 'node/target/lib/*' BareProxy.java LISTEN_PORT BACKEND_PORT...
 */
public class BareProxy {
  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(256));
    SocketAddress[] backends = new SocketAddress[args.length - 1];
    for (int i = 1; i < args.length; i++) {
      backends[i - 1] = SocketAddress.inetSocketAddress(Integer.parseInt(args[i]), "127.0.0.1");
    }
    AtomicInteger next = new AtomicInteger();
    vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(req -> forward(client, backends[Math.floorMod(next.getAndIncrement(), backends.length)], req))
        .listen(Integer.parseInt(args[0]), "127.0.0.1")
        .onSuccess(s -> System.out.println("bare proxy listening on 127.0.0.1:" + s.actualPort()))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }

  private static void forward(HttpClientAgent client, SocketAddress backend, HttpServerRequest req) {
    req.pause();
    client.request(new RequestOptions().setServer(backend).setMethod(req.method()).setURI(req.uri()))
        .onComplete(ar -> {
          if (ar.failed()) {
            req.response().setStatusCode(502).end();
            return;
          }
          var up = ar.result();
          up.headers().setAll(req.headers());
          up.send(req).onComplete(rr -> {
            if (rr.failed()) {
              req.response().setStatusCode(502).end();
              return;
            }
            var resp = rr.result();
            req.response().setStatusCode(resp.statusCode()).headers().setAll(resp.headers());
            req.response().send(resp);
          });
        });
  }
}
