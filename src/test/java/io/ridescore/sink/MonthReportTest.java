package io.ridescore.sink;

import io.ridescore.event.RunSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MonthReportTest {
    private static final long HOUR_MICROS = 3_600_000_000L;

    private static MonthErrors.Totals errors() {
        MonthErrors.Totals t = new MonthErrors.Totals();
        t.add(12.0, 10.0, 8 * HOUR_MICROS, "v1");
        t.add(20.0, 21.0, 8 * HOUR_MICROS, "v1");
        t.add(5.0, 8.0, 17 * HOUR_MICROS, "v1");
        return t;
    }

    private static void write(Path dir) throws Exception {
        MonthReport.write(
                dir, "ridescore batch 2021-03", new RunSummary(4, 3, Map.of("model_refused", 1L), 0), errors(), null);
    }

    @Test
    void theReportGivesTheMonthsFiguresAndItsPlot(@TempDir Path dir) throws Exception {
        write(dir);

        assertThat(Files.readString(dir.resolve(MonthReport.MARKDOWN)))
                .contains("| rides in | 4 |", "| scored | 3 |", "| dead-lettered | 1 |")
                .contains("| MAE | 2.000 min |", "| RMSE | 2.160 min |", "| model_refused | 1 |")
                .contains("| 08 | 2 | 1.500 |", "| 17 | 1 | 3.000 |", "| 09 | 0 |");
        BufferedImage plot = ImageIO.read(dir.resolve(MonthReport.PLOT).toFile());
        assertThat(plot.getWidth()).isEqualTo(900);
        assertThat(plot.getHeight()).isEqualTo(420);
    }

    /** The plot drawn while a warm-up draws its own on another thread is the plot drawn alone. */
    @Test
    void aWarmUpChangesNothingInThePlot(@TempDir Path dir) throws Exception {
        Path alone = Files.createDirectory(dir.resolve("alone"));
        Path warmed = Files.createDirectory(dir.resolve("warmed"));
        write(alone);

        MonthReport.warmUp();
        write(warmed);

        assertThat(Files.readAllBytes(warmed.resolve(MonthReport.PLOT)))
                .isEqualTo(Files.readAllBytes(alone.resolve(MonthReport.PLOT)));
    }
}
