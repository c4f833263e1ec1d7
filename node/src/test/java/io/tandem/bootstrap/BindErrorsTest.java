package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.BindException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindErrorsTest {
  @Test
  void theNativeTransportsPrefixIsDropped() {
    for (String message : List.of("bind(..) failed with error(-98): Address already in use",
        "bind(..) failed: Address already in use", "Address already in use")) {
      assertEquals("Address already in use", BindErrors.reason(new BindException(message)), message);
    }
  }

  @Test
  void otherMessagesAreKept() {
    assertEquals("Cannot assign requested address", BindErrors.reason(
        new BindException("Cannot assign requested address")));
    assertEquals("null", BindErrors.reason(new BindException()));
  }
}
