package io.tandem.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a leaked buffer while it ran. Surefire runs with
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked; a leak is reported when the buffer is
 * garbage collected and a later allocation polls the detector, which this extension forces at the end.
 */
public final class NoLeakedBuffers implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeakedBuffers.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("log", LogCapture.of("io.netty.util.ResourceLeakDetector"));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try (LogCapture log = context.getStore(NS).remove("log", LogCapture.class)) {
      for (int round = 0; round < 3; round++) {
        System.gc();
        for (int i = 0; i < 64; i++) {
          ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(64);
          probe.release();
        }
      }
      List<String> leaks = log.lines().stream().filter(l -> l.contains("LEAK")).toList();
      assertEquals(List.of(), leaks, "Netty reported leaked buffers");
    }
  }
}
