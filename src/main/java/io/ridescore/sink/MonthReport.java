package io.ridescore.sink;

import io.ridescore.event.RunSummary;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The short report beside a scored month: counts, dead letters by reason, MAE/RMSE against the
 * actual duration, and a plot of the mean absolute error by pickup hour ({@code report.md} and
 * {@code error_by_hour.png}), from the totals the job summed as it scored ({@link MonthErrors}).
 */
public final class MonthReport {
    public static final String MARKDOWN = "report.md";
    public static final String PLOT = "error_by_hour.png";

    private MonthReport() {}

    /** Writes report.md and error_by_hour.png into the (staged) predictions directory, from the job's own totals. */
    public static void write(Path predictions, String title, RunSummary summary, MonthErrors.Totals e)
            throws IOException {
        StringBuilder md = new StringBuilder("# ")
                .append(title)
                .append("\n\n")
                .append("| | |\n|---|---|\n")
                .append("| model version | `")
                .append(e.versions())
                .append("` |\n")
                .append(String.format("| rides in | %,d |%n", summary.in()))
                .append(String.format("| scored | %,d |%n", summary.scored()))
                .append(String.format("| dead-lettered | %,d |%n", summary.deadLettered()))
                .append(String.format("| MAE | %.3f min |%n", e.mae()))
                .append(String.format("| RMSE | %.3f min |%n", e.rmse()))
                .append(String.format(
                        "| mean predicted / actual | %.2f / %.2f min |%n", e.meanPredicted(), e.meanActual()))
                .append("\n## Dead letters by reason\n\n| reason | rides |\n|---|---|\n");
        summary.deadLetteredByReason()
                .forEach((reason, count) -> md.append(String.format("| %s | %,d |%n", reason, count)));
        md.append("\n## Error by pickup hour\n\n![mean absolute error by pickup hour](")
                .append(PLOT)
                .append(")\n\n")
                .append("| hour | rides | MAE (min) |\n|---|---|---|\n");
        for (int h = 0; h < 24; h++) {
            md.append(String.format("| %02d | %,d | %.3f |%n", h, e.ridesByHour(h), e.maeByHour(h)));
        }
        Files.writeString(predictions.resolve(MARKDOWN), md.toString());
        plot(e, title, predictions.resolve(PLOT));
    }

    private static void plot(MonthErrors.Totals e, String title, Path file) throws IOException {
        int width = 900;
        int height = 420;
        int left = 60;
        int bottom = 50;
        int top = 50;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        double max = 0.5;
        for (int h = 0; h < 24; h++) {
            max = Math.max(max, e.maeByHour(h));
        }
        max = Math.ceil(max);
        int plotHeight = height - top - bottom;
        int barWidth = (width - left - 20) / 24;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(220, 220, 220));
        for (int tick = 0; tick <= max; tick++) {
            int y = top + plotHeight - (int) (plotHeight * tick / max);
            g.drawLine(left, y, width - 20, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(Integer.toString(tick), left - 25, y + 4);
            g.setColor(new Color(220, 220, 220));
        }
        for (int h = 0; h < 24; h++) {
            int barHeight = (int) (plotHeight * e.maeByHour(h) / max);
            int x = left + h * barWidth + 3;
            g.setColor(new Color(70, 130, 180));
            g.fillRect(x, top + plotHeight - barHeight, barWidth - 6, barHeight);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%02d", h), x + barWidth / 2 - 10, height - bottom + 18);
        }
        g.setStroke(new BasicStroke(1));
        g.drawLine(left, top + plotHeight, width - 20, top + plotHeight);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(
                title + ": mean absolute error (minutes) by pickup hour, MAE " + String.format("%.2f", e.mae())
                        + " over " + String.format("%,d", e.rides()) + " rides",
                left,
                30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("pickup hour", width / 2 - 30, height - 12);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}
