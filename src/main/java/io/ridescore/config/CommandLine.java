package io.ridescore.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.TextElement;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses {@code --key value} arguments into a typed Flink {@link Configuration}, refusing keys the
 * command does not know, so a typo fails at start instead of being silently ignored.
 */
public final class CommandLine {
    private CommandLine() {}

    /** Thrown for a bad command line; its message is the one line shown to the user. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }

    public static boolean wantsHelp(String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h");
    }

    public static Configuration parse(String[] args, List<ConfigOption<?>> known) {
        Set<String> keys = known.stream().map(ConfigOption::key).collect(Collectors.toSet());
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' (options are --name value)");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else if (isFlag(known, key)) {
                value = "true"; // a bare boolean option, as the README writes them: backfill --force
            } else {
                throw new UsageException("option --" + key + " needs a value");
            }
            if (!keys.contains(key)) {
                throw new UsageException("unknown option --" + key + " (known: "
                        + keys.stream().sorted().map(k -> "--" + k).collect(Collectors.joining(" ")) + ")");
            }
            values.put(key, value);
        }
        Configuration conf = Configuration.fromMap(values);
        for (ConfigOption<?> option : known) {
            try {
                conf.getOptional(option);
            } catch (IllegalArgumentException e) {
                if (option.hasDefaultValue() && option.defaultValue() instanceof Enum<?> example) {
                    throw new UsageException("option --" + option.key() + " must be one of "
                            + Arrays.stream(example.getDeclaringClass().getEnumConstants())
                                    .map(Object::toString)
                                    .collect(Collectors.joining(", "))
                            + ", not '" + values.get(option.key()) + "'");
                }
                throw new UsageException("option --" + option.key() + ": " + e.getMessage());
            }
        }
        return conf;
    }

    /** Whether the known option of that key is a boolean: it reads "true" and refuses anything else. */
    private static boolean isFlag(List<ConfigOption<?>> known, String key) {
        return known.stream()
                .filter(o -> o.key().equals(key))
                .anyMatch(o -> reads(o, "true") && !reads(o, "not-a-flag"));
    }

    private static boolean reads(ConfigOption<?> option, String value) {
        Configuration probe = Configuration.fromMap(Map.of(option.key(), value));
        try {
            probe.getOptional(option);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static String help(String usage, String summary, List<ConfigOption<?>> options) {
        StringBuilder out = new StringBuilder("usage: ")
                .append(usage)
                .append("\n\n")
                .append(summary)
                .append("\n\noptions:\n");
        for (ConfigOption<?> option : options) {
            String description = option.description().getBlocks().stream()
                    .map(b -> b instanceof TextElement ? ((TextElement) b).getFormat() : b.toString())
                    .collect(Collectors.joining(" "));
            out.append(String.format(
                    "  --%-16s %s%s%n",
                    option.key(),
                    description,
                    option.hasDefaultValue() ? " [default: " + option.defaultValue() + "]" : ""));
        }
        return out.toString();
    }
}
