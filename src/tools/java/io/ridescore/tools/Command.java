package io.ridescore.tools;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.util.List;

/** A subcommand of {@code scripts/ridescore}: its options are typed and listed by its --help. */
interface Command {
    String name();

    String summary();

    List<ConfigOption<?>> options();

    /** @return the process exit code */
    int run(Configuration conf) throws Exception;
}
