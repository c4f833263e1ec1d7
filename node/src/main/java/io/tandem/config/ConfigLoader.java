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

  /** Reads and validates {@code file}; errors name the file as given. */
  public static TandemConfig load(Path file) throws ConfigException {
    Problems problems = new Problems(file.toString());
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      problems.add("", "file not found");
      throw problems.exception();
    } catch (MalformedInputException e) {
      problems.add("", "is not UTF-8 text");
      throw problems.exception();
    } catch (IOException e) {
      problems.add("", "cannot read the file: " + e);
      throw problems.exception();
    }
    return read(yaml, file, problems);
  }

  /** Parses YAML text; {@code sourceName} names it in errors. The result's {@code source} is null. */
  public static TandemConfig parse(String yaml, String sourceName) throws ConfigException {
    return read(yaml, null, new Problems(sourceName));
  }

  private static TandemConfig read(String yaml, Path source, Problems problems) throws ConfigException {
    JsonNode root = tree(yaml, problems);
    if (!problems.isEmpty()) {
      throw problems.exception();
    }
    TandemConfig config = ConfigReader.read(root, source, problems);
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
