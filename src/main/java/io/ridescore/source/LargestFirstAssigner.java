package io.ridescore.source;

import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Hands out the largest split left first. Readers pull splits as they finish them, so with the
 * large ones first the last splits of a month are the small shares {@link RowGroupEnumerator} cuts
 * for its end, and the readers finish close together instead of one waiting a whole row group on
 * the other. Flink's default hands splits out in no order of size.
 */
public final class LargestFirstAssigner implements FileSplitAssigner {
    private static final Comparator<FileSourceSplit> LARGEST_FIRST = Comparator.comparingLong(FileSourceSplit::length)
            .reversed()
            .thenComparing(split -> split.path().toString())
            .thenComparingLong(FileSourceSplit::offset);

    private final PriorityQueue<FileSourceSplit> splits = new PriorityQueue<>(LARGEST_FIRST);

    public LargestFirstAssigner(Collection<FileSourceSplit> splits) {
        this.splits.addAll(splits);
    }

    @Override
    public Optional<FileSourceSplit> getNext(String hostname) {
        return Optional.ofNullable(splits.poll());
    }

    @Override
    public void addSplits(Collection<FileSourceSplit> returned) {
        splits.addAll(returned);
    }

    @Override
    public Collection<FileSourceSplit> remainingSplits() {
        return new ArrayList<>(splits);
    }
}
