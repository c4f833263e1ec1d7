package io.tandem.tls;

import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;

/** A KeyManagerFactory that hands out one ready key manager (what TLS engines and Netty's caching wrapper take). */
final class FixedKeyManagerFactory extends KeyManagerFactory {
  FixedKeyManagerFactory(KeyManager keyManager) {
    super(new Spi(keyManager), null, "tandem-sni");
  }

  private static final class Spi extends KeyManagerFactorySpi {
    private final KeyManager keyManager;

    Spi(KeyManager keyManager) {
      this.keyManager = keyManager;
    }

    @Override
    protected void engineInit(KeyStore ks, char[] password) {
      // already initialised
    }

    @Override
    protected void engineInit(ManagerFactoryParameters spec) {
      // already initialised
    }

    @Override
    protected KeyManager[] engineGetKeyManagers() {
      return new KeyManager[] {keyManager};
    }
  }
}
