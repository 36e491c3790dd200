package io.ridescore.sink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Publishes a month's output atomically: the job writes into a hidden staging directory beside
 * the final one ({@code .month=02.staging}; readers such as Spark, pyarrow and DuckDB skip hidden
 * names), a {@code _SUCCESS} marker with the counts goes in last, and one directory rename makes
 * the month visible. A re-run replaces the old month the same way, so no half month is ever seen.
 */
public final class MonthPublisher {
    public static final String SUCCESS = "_SUCCESS";

    private MonthPublisher() {}

    public static Path staging(Path output) {
        return output.resolveSibling("." + output.getFileName() + ".staging");
    }

    public static boolean isComplete(Path output) {
        return Files.exists(output.resolve(SUCCESS));
    }

    /** Removes what an earlier, interrupted run left in the staging directory. */
    public static void clearStaging(Path output) throws IOException {
        deleteTree(staging(output));
    }

    /** Marks the staged month complete and swaps it in for the published one, if any. */
    public static void publish(Path output, String successMarker) throws IOException {
        Path staged = staging(output);
        Files.createDirectories(staged);
        Files.writeString(staged.resolve(SUCCESS), successMarker);
        Path replaced = output.resolveSibling("." + output.getFileName() + ".replaced");
        deleteTree(replaced);
        if (Files.exists(output)) {
            Files.move(output, replaced, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staged, output, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(replaced);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
