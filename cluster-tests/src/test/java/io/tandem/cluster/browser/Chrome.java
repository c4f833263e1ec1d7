package io.tandem.cluster.browser;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.testing.MemberPorts;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Headless Chromium driven through chromedriver's W3C WebDriver HTTP API, with just the calls the dashboard tests
 * need (no Selenium). {@link #start()} skips the calling test, naming what is missing, when chromium or chromedriver
 * is not installed ({@code apt-get install chromium chromium-driver} on Debian). Example:
 * <pre>{@code
 * try (Chrome chrome = Chrome.start()) {
 *   chrome.open("http://127.0.0.1:9091/");
 *   chrome.click("button[data-action=drain][data-backend=b1]");
 *   String state = chrome.text("tr[data-backend='web/b1'] .admin-state");
 * }
 * }</pre>
 */
final class Chrome implements AutoCloseable {
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /** WebDriver answered with an error (W3C {@code {"value":{"error":...,"message":...}}}). */
  static final class WebDriverException extends RuntimeException {
    final String error;

    WebDriverException(String error, String message) {
      super(error + ": " + message);
      this.error = error;
    }
  }

  private final Process driver;
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private String session;

  private Chrome(Process driver, URI base) {
    this.driver = driver;
    this.base = base;
  }

  /** Starts chromedriver and a headless Chromium session; skips the test when either is not installed. */
  static Chrome start() throws Exception {
    Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
    Optional<Path> chromedriver = onPath("chromedriver");
    assumeTrue(chromium.isPresent(), "chromium is not installed (Debian: apt-get install chromium chromium-driver)");
    assumeTrue(chromedriver.isPresent(), "chromedriver is not installed (Debian: apt-get install chromium-driver)");
    int port = MemberPorts.free("127.0.0.1");
    Process process = new ProcessBuilder(chromedriver.get().toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Chrome chrome = new Chrome(process, URI.create("http://127.0.0.1:" + port));
    try {
      await().atMost(STARTUP).ignoreExceptions().until(() -> chrome.call("GET", "/status", null).path("ready")
          .asBoolean());
      ObjectNode options = JSON.createObjectNode().put("binary", chromium.get().toString());
      options.putArray("args").add("--headless").add("--no-sandbox").add("--disable-gpu")
          .add("--disable-dev-shm-usage").add("--window-size=1440,1100").add("--force-device-scale-factor=1");
      ObjectNode capabilities = JSON.createObjectNode();
      capabilities.putObject("capabilities").putObject("alwaysMatch").put("browserName", "chrome")
          .set("goog:chromeOptions", options);
      chrome.session = chrome.call("POST", "/session", capabilities).path("sessionId").asText();
      return chrome;
    } catch (Exception | Error e) {
      chrome.close();
      throw e;
    }
  }

  void open(String url) {
    session("POST", "/url", JSON.createObjectNode().put("url", url));
  }

  /** The text of the first element matching {@code css}, as shown; fails when there is none. */
  String text(String css) {
    return retryStale(() -> session("GET", "/element/" + find(css) + "/text", null).asText());
  }

  /** Whether an element matches {@code css} now. */
  boolean present(String css) {
    return !findAll(css).isEmpty();
  }

  void click(String css) {
    retryStale(() -> session("POST", "/element/" + find(css) + "/click", JSON.createObjectNode()));
  }

  /** Types {@code text} into the element matching {@code css}, as keystrokes. */
  void type(String css, String text) {
    retryStale(() -> session("POST", "/element/" + find(css) + "/value", JSON.createObjectNode().put("text", text)));
  }

  /** Runs {@code script} (a function body; {@code return} gives the result) in the page. */
  JsonNode script(String script) {
    ObjectNode body = JSON.createObjectNode().put("script", script);
    body.putArray("args");
    return session("POST", "/execute/sync", body);
  }

  /** Saves a PNG of the window to {@code file}. */
  void screenshot(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getMimeDecoder().decode(session("GET", "/screenshot", null).asText()));
  }

  private String find(String css) {
    return session("POST", "/element", locator(css)).path(ELEMENT).asText();
  }

  private List<String> findAll(String css) {
    List<String> ids = new ArrayList<>();
    session("POST", "/elements", locator(css)).forEach(e -> ids.add(e.path(ELEMENT).asText()));
    return ids;
  }

  private static ObjectNode locator(String css) {
    return JSON.createObjectNode().put("using", "css selector").put("value", css);
  }

  /** The dashboard re-renders in place, but an element may still be replaced between finding and using it. */
  private static <T> T retryStale(java.util.function.Supplier<T> action) {
    for (int attempt = 1; ; attempt++) {
      try {
        return action.get();
      } catch (WebDriverException e) {
        if (!e.error.equals("stale element reference") || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private JsonNode session(String method, String path, JsonNode body) {
    return call(method, "/session/" + session + path, body);
  }

  private JsonNode call(String method, String path, JsonNode body) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json");
      request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode value = JSON.readTree(response.body()).path("value");
      if (response.statusCode() >= 400 || value.has("error")) {
        throw new WebDriverException(value.path("error").asText("HTTP " + response.statusCode()),
            value.path("message").asText(response.body()));
      }
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Optional<Path> onPath(String... names) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : names) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    try {
      if (session != null) {
        call("DELETE", "/session/" + session, null);
      }
    } catch (RuntimeException e) {
      // the browser may already be gone; chromedriver is stopped below either way
    } finally {
      driver.destroy();
      try {
        driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (driver.isAlive()) {
        driver.destroyForcibly();
      }
    }
  }
}
