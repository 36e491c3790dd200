package io.ridescore.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line as the README writes it: --key value, --key=value, and bare boolean flags. */
class CommandLineTest {
    static final ConfigOption<Boolean> FORCE =
            ConfigOptions.key("force").booleanType().defaultValue(false);
    static final ConfigOption<Boolean> STREAM =
            ConfigOptions.key("stream").booleanType().noDefaultValue();
    static final ConfigOption<Integer> ROWS =
            ConfigOptions.key("rows").intType().defaultValue(10);
    static final ConfigOption<String> NAME =
            ConfigOptions.key("name").stringType().noDefaultValue();
    static final List<ConfigOption<?>> KNOWN = List.of(FORCE, STREAM, ROWS, NAME);

    @Test
    void aBareBooleanOptionIsTrue() {
        Configuration conf = CommandLine.parse(new String[] {"--force", "--rows", "5", "--stream"}, KNOWN);
        assertThat(conf.get(FORCE)).isTrue();
        assertThat(conf.get(STREAM)).isTrue();
        assertThat(conf.get(ROWS)).isEqualTo(5);
        assertThat(CommandLine.parse(new String[] {"--force", "false"}, KNOWN).get(FORCE))
                .isFalse();
        assertThat(CommandLine.parse(new String[] {"--force=false"}, KNOWN).get(FORCE))
                .isFalse();
        assertThat(CommandLine.parse(new String[] {}, KNOWN).get(FORCE)).isFalse();
    }

    @Test
    void otherOptionsStillNeedAValue() {
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--rows"}, KNOWN))
                .hasMessage("option --rows needs a value");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--name", "--force"}, KNOWN))
                .hasMessage("option --name needs a value");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--rows", "many"}, KNOWN))
                .isInstanceOf(CommandLine.UsageException.class)
                .hasMessageStartingWith("option --rows: ");
    }
}
