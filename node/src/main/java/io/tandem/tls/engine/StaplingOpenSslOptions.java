package io.tandem.tls.engine;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslServerContext;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Vert.x's OpenSSL engine options ({@link OpenSSLEngineOptions}), but the server contexts it builds have OCSP stapling on
 * ({@code SslContextBuilder.enableOcsp}), so that each engine can be given a response
 * ({@code ReferenceCountedOpenSslEngine.setOcspResponse}) before its handshake sends the certificate. Vert.x's own
 * factory ({@code DefaultSslContextFactory}) builds the same contexts without that switch and offers no hook for it;
 * this one does what it does for a server, plus the switch. Client contexts are built by Vert.x's. (It extends
 * {@link SSLEngineOptions}, not {@link OpenSSLEngineOptions}, whose code-generation annotations are not on the class
 * path; so Vert.x does not check that OpenSSL loads: {@code ServerTls} uses it only when it does.)
 *
 * <p>Example: {@code serverOptions.setSslEngineOptions(new StaplingOpenSslOptions())}.
 */
public final class StaplingOpenSslOptions extends SSLEngineOptions {
  public StaplingOpenSslOptions() {}

  private StaplingOpenSslOptions(StaplingOpenSslOptions other) {
    super(other);
  }

  @Override
  public StaplingOpenSslOptions copy() {
    return new StaplingOpenSslOptions(this);
  }

  @Override
  public SslContextFactory sslContextFactory() {
    OpenSSLEngineOptions vertx = new OpenSSLEngineOptions();
    return new Factory(vertx.sslContextFactory(), vertx.isSessionCacheEnabled());
  }

  /** Collects what Vert.x sets, and builds a server context with OCSP on. */
  private static final class Factory implements SslContextFactory {
    private final SslContextFactory vertx;
    private final boolean sessionCache;
    private boolean useAlpn;
    private boolean forClient;
    private ClientAuth clientAuth;
    private KeyManagerFactory kmf;
    private TrustManagerFactory tmf;
    private Set<String> ciphers;
    private List<String> protocols;

    Factory(SslContextFactory vertx, boolean sessionCache) {
      this.vertx = vertx;
      this.sessionCache = sessionCache;
    }

    @Override
    public SslContextFactory useAlpn(boolean useAlpn) {
      this.useAlpn = useAlpn;
      vertx.useAlpn(useAlpn);
      return this;
    }

    @Override
    public SslContextFactory clientAuth(ClientAuth clientAuth) {
      this.clientAuth = clientAuth;
      vertx.clientAuth(clientAuth);
      return this;
    }

    @Override
    public SslContextFactory forClient(boolean forClient) {
      this.forClient = forClient;
      vertx.forClient(forClient);
      return this;
    }

    @Override
    public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
      this.kmf = kmf;
      vertx.keyMananagerFactory(kmf);
      return this;
    }

    @Override
    public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
      this.tmf = tmf;
      vertx.trustManagerFactory(tmf);
      return this;
    }

    @Override
    public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
      this.ciphers = enabledCipherSuites;
      vertx.enabledCipherSuites(enabledCipherSuites);
      return this;
    }

    @Override
    public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
      this.protocols = applicationProtocols;
      vertx.applicationProtocols(applicationProtocols);
      return this;
    }

    @Override
    public SslContextFactory serverName(String serverName) {
      vertx.serverName(serverName);
      return this;
    }

    @Override
    public SslContext create() throws SSLException {
      if (forClient) {
        return vertx.create();
      }
      SslContextBuilder builder = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.OPENSSL).enableOcsp(true);
      if (tmf != null) {
        builder.trustManager(tmf);
      }
      if (ciphers != null && !ciphers.isEmpty()) {
        builder.ciphers(ciphers);
      }
      if (useAlpn && protocols != null && !protocols.isEmpty()) {
        // As Vert.x does for OpenSSL, which cannot send a fatal alert when no protocol matches.
        builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols));
      }
      if (clientAuth != null) {
        builder.clientAuth(clientAuth);
      }
      SslContext context = builder.build();
      if (context instanceof OpenSslServerContext
          && context.sessionContext() instanceof OpenSslServerSessionContext sessions) {
        sessions.setSessionCacheEnabled(sessionCache);
      }
      return context;
    }
  }
}
