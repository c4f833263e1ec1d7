package io.tandem.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reads a YAML file into a validated {@link TandemConfig}. Unknown keys are errors; every error names the file, the
 * field path and what is wrong, and all errors are reported together in one {@link ConfigException}.
 *
 * <p>Example: {@code ConfigLoader.load(Path.of("config/demo.yaml"))}; a mistake there surfaces as, for instance,
 * {@code config/demo.yaml: pools[0].backends[1].address: must be host:port (IPv6 as [::1]:8080), got "localhost"}.
 * The accepted keys, defaults and rules are documented in the README's configuration reference.
 */
public final class ConfigLoader {
  // YAML 1.2 booleans only: "yes", "no", "on" and "off" stay strings, so `country: NO` means what it says.
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
      .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ConfigLoader() {}

  /** Reads and validates a standalone node's {@code file}; same as {@code load(file, null)}. */
  public static TandemConfig load(Path file) throws ConfigException {
    return load(file, null);
  }

  /**
   * Reads and validates {@code file} for the node {@code nodeId} (from {@code --node}); errors name the file as given.
   * {@code nodeId} is required when the file has a {@code nodes} section and must be null when it has none.
   */
  public static TandemConfig load(Path file, String nodeId) throws ConfigException {
    return load(file, nodeId, System::getenv);
  }

  /**
   * Like {@link #load(Path, String)} with {@code ${NAME}} in {@code cluster.address} taken from {@code env} (which
   * gives null for a variable that is not set) instead of the process environment.
   */
  public static TandemConfig load(Path file, String nodeId, UnaryOperator<String> env) throws ConfigException {
    Problems problems = new Problems(file.toString());
    String yaml = readFile(file, problems);
    if (yaml == null) {
      throw problems.exception();
    }
    return read(yaml, file, nodeId, problems, env);
  }

  /** Parses YAML text of a standalone node; same as {@code parse(yaml, sourceName, null)}. */
  public static TandemConfig parse(String yaml, String sourceName) throws ConfigException {
    return parse(yaml, sourceName, null);
  }

  /** Parses YAML text for the node {@code nodeId}; {@code sourceName} names it in errors. The result's source is null. */
  public static TandemConfig parse(String yaml, String sourceName, String nodeId) throws ConfigException {
    return parse(yaml, sourceName, nodeId, System::getenv);
  }

  /** {@link #parse(String, String, String)} with the environment {@code env} (see {@link #load(Path, String,
   * UnaryOperator)}). */
  public static TandemConfig parse(String yaml, String sourceName, String nodeId, UnaryOperator<String> env)
      throws ConfigException {
    return read(yaml, null, nodeId, new Problems(sourceName), env);
  }

  /**
   * The node ids that {@code file} defines in its {@code nodes} section, in order, without validating anything else;
   * empty for a standalone file and for a file that cannot be read or parsed (loading it reports why). This is how
   * {@code tandem --check-config} without {@code --node} finds the nodes to check.
   */
  public static List<String> nodeIds(Path file) {
    String yaml = readFile(file, new Problems(file.toString()));
    return yaml == null ? List.of() : nodeIdsIn(yaml);
  }

  /** {@link #nodeIds(Path)} of YAML text. */
  static List<String> nodeIdsIn(String yaml) {
    JsonNode root = tree(yaml, new Problems(""));
    return root == null || !root.isObject() ? List.of() : Names.in(root.get("nodes"), "id");
  }

  /** The file's text, or null after recording why it cannot be read. */
  private static String readFile(Path file, Problems problems) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      problems.add("", "file not found");
    } catch (MalformedInputException e) {
      problems.add("", "is not UTF-8 text");
    } catch (IOException e) {
      problems.add("", "cannot read the file: " + e);
    }
    return null;
  }

  private static TandemConfig read(String yaml, Path source, String nodeId, Problems problems,
      UnaryOperator<String> env) throws ConfigException {
    JsonNode root = tree(yaml, problems);
    if (!problems.isEmpty()) {
      throw problems.exception();
    }
    TandemConfig config = ConfigReader.read(root, source, nodeId, problems, env);
    if (!problems.isEmpty()) {
      throw problems.exception();
    }
    return config;
  }

  /** The YAML document as a tree (null for an empty document), or null after recording a syntax error. */
  private static JsonNode tree(String yaml, Problems problems) {
    try (JsonParser parser = YAML.createParser(yaml)) {
      JsonNode root = YAML.readTree(parser);
      if (parser.nextToken() != null) {
        problems.add("", "holds more than one YAML document (---); put the whole configuration in one");
        return null;
      }
      return root;
    } catch (MarkedYAMLException e) {
      var mark = e.getProblemMark();
      problems.add("", "YAML syntax error at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)
          + ": " + e.getProblem());
      return null;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      problems.add("", "YAML syntax error" + where + ": " + e.getOriginalMessage());
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("reading YAML from a string cannot fail on I/O", e);
    }
  }
}
