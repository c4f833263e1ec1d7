package io.tandem.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * This node's copy of the runtime changes on disk, as JSON:
 * {@code {"version":3,"changes":{"web/b1":{"pool":"web","backendId":"b1","state":"DRAINING",...}}}}.
 * Writes go to a temporary file that is then moved over the old one atomically, so a crash leaves the old or the new
 * file, never half of one. A missing file is no changes; an unreadable one is logged and treated as no changes.
 */
public final class StateFile {
  private static final Logger LOG = LogManager.getLogger(StateFile.class);
  public static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The saved changes by {@link BackendChange#key()} and the version they reached. */
  public record State(long version, Map<String, BackendChange> changes) {
    public static final State EMPTY = new State(0, Map.of());

    public State {
      changes = changes == null ? Map.of() : Map.copyOf(changes);
    }

    String toJson() {
      try {
        return JSON.writeValueAsString(new State(version, new TreeMap<>(changes)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot serialize runtime state", e);
      }
    }

    static State fromJson(String json) throws JsonProcessingException {
      State state = JSON.readValue(json, State.class);
      if (state == null) {
        throw new IllegalArgumentException("no JSON object");
      }
      if (state.version < 0) {
        throw new IllegalArgumentException("negative version " + state.version);
      }
      return state;
    }
  }

  private final Path path;

  public StateFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** The saved state; {@link State#EMPTY} when the file is missing or unreadable (the latter logged). */
  public State read() {
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      return State.EMPTY;
    } catch (IOException e) {
      LOG.warn("state file {} cannot be read ({}); starting without runtime changes", path, e.toString());
      return State.EMPTY;
    }
    try {
      return State.fromJson(text);
    } catch (JsonProcessingException e) {
      LOG.warn("state file {} is corrupt ({}); starting without runtime changes", path,
          e.getOriginalMessage());
      return State.EMPTY;
    } catch (RuntimeException e) {
      LOG.warn("state file {} is corrupt ({}); starting without runtime changes", path, e.getMessage());
      return State.EMPTY;
    }
  }

  /** Replaces the file with {@code state} atomically; returns false (and logs) when that fails. */
  public boolean write(State state) {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try {
      Path dir = path.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      Files.writeString(tmp, state.toJson());
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (IOException e) {
      LOG.warn("state file {} cannot be written ({}); runtime changes are kept in the cluster only", path,
          e.toString());
      return false;
    }
  }
}
