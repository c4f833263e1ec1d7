package io.tandem.cluster.hazelcast;

import io.tandem.cluster.hazelcast.HazelcastRuntimeState;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * After a split heals, the runtime state with the higher version wins, so that no node ever sees the version go down
 * (nodes take only newer states). On equal versions the entry already in the merged cluster stays.
 */
final class HzHigherVersionMergePolicy implements SplitBrainMergePolicy<String, MergingValue<String>, Object> {

  public HzHigherVersionMergePolicy() {}

  @Override
  public Object merge(MergingValue<String> merging, MergingValue<String> existing) {
    if (existing == null || existing.getDeserializedValue() == null) {
      return merging.getRawValue();
    }
    long theirs = HazelcastRuntimeState.decode(merging.getDeserializedValue()).version();
    long ours = HazelcastRuntimeState.decode(existing.getDeserializedValue()).version();
    return theirs > ours ? merging.getRawValue() : existing.getRawValue();
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
