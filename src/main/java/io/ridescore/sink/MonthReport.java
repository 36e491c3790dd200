package io.ridescore.sink;

import io.ridescore.event.RunSummary;
import io.ridescore.model.Agreement;
import io.ridescore.model.ShadowComparison;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The short report beside a scored month: counts, dead letters by reason, MAE/RMSE against the
 * actual duration, and a plot of the mean absolute error by pickup hour ({@code report.md} and
 * {@code error_by_hour.png}), from the totals the job summed as it scored ({@link MonthErrors}).
 * With a challenger, both models side by side on the rides both scored, with their agreement and a
 * verdict ({@link ShadowComparison}); the plot then shows both.
 */
public final class MonthReport {
    public static final String MARKDOWN = "report.md";
    public static final String PLOT = "error_by_hour.png";

    private MonthReport() {}

    /**
     * Writes report.md and error_by_hour.png into the (staged) predictions directory, from the job's
     * own totals; {@code shadow} is the comparison with a challenger, or null.
     */
    public static void write(
            Path predictions, String title, RunSummary summary, MonthErrors.Totals e, ShadowComparison.Totals shadow)
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
        List<Series> plotted = new ArrayList<>();
        if (shadow == null || shadow.pairs().isEmpty()) {
            plotted.add(new Series("serving", e, new Color(70, 130, 180)));
        } else {
            shadow.pairs().values().forEach(p -> challenger(md, p, plotted));
        }
        md.append("\n## Error by pickup hour\n\n![mean absolute error by pickup hour](")
                .append(PLOT)
                .append(")\n\n")
                .append("| hour | rides | MAE (min) |\n|---|---|---|\n");
        for (int h = 0; h < 24; h++) {
            md.append(String.format("| %02d | %,d | %.3f |%n", h, e.ridesByHour(h), e.maeByHour(h)));
        }
        Files.writeString(predictions.resolve(MARKDOWN), md.toString());
        plot(plotted, title, predictions.resolve(PLOT));
    }

    /** One challenger section: both models on the same rides, their agreement, and the verdict. */
    private static void challenger(StringBuilder md, ShadowComparison.Pair p, List<Series> plotted) {
        MonthErrors.Totals s = p.servingErrors();
        MonthErrors.Totals c = p.challengerErrors();
        Agreement a = p.agreement();
        md.append("\n## Challenger in shadow\n\n")
                .append(p.verdict())
                .append("\n\n| on the ")
                .append(String.format("%,d", c.rides()))
                .append(" rides both scored | serving | challenger |\n|---|---|---|\n")
                .append(String.format("| model | `%s` | `%s` |%n", p.serving, p.challenger))
                .append(String.format("| MAE | %.3f min | %.3f min |%n", s.mae(), c.mae()))
                .append(String.format("| RMSE | %.3f min | %.3f min |%n", s.rmse(), c.rmse()))
                .append(String.format(
                        "| mean predicted (actual %.2f) | %.2f min | %.2f min |%n",
                        s.meanActual(), s.meanPredicted(), c.meanPredicted()))
                .append("\nAgreement: ")
                .append(a.describe())
                .append('.')
                .append(String.format(" The challenger scored %,d rides the serving model refused", p.challengerOnly()))
                .append(String.format(" and refused %,d rides the serving model scored", p.challengerRefusedTotal()))
                .append(p.challengerRefused().isEmpty() ? "." : " " + p.challengerRefused() + ".")
                .append("\n\n| hour | rides both scored | serving MAE | challenger MAE |\n|---|---|---|---|\n");
        for (int h = 0; h < 24; h++) {
            md.append(String.format(
                    "| %02d | %,d | %.3f | %.3f |%n", h, c.ridesByHour(h), s.maeByHour(h), c.maeByHour(h)));
        }
        // Versions only: the two labels share a line above the plot.
        plotted.add(new Series("serving " + version(p.serving), s, new Color(70, 130, 180)));
        plotted.add(new Series("challenger " + version(p.challenger), c, new Color(230, 126, 34)));
    }

    private static String version(String nameAtVersion) {
        return nameAtVersion.substring(nameAtVersion.lastIndexOf('@') + 1);
    }

    private static final AtomicBoolean WARMING = new AtomicBoolean();

    /** One model's bars in the plot. */
    private record Series(String label, MonthErrors.Totals errors, Color color) {}

    /**
     * Starts, on a daemon thread, what the first plot in a process costs once (Java 2D, its fonts,
     * the PNG writer: 0.07 s in a local run, 0.15 s in a client's), so it is paid while the job runs
     * rather than after it, when the user waits for the report. Once per process: a backfill's later
     * months find it done.
     */
    public static void warmUp() {
        if (!WARMING.compareAndSet(false, true)) {
            return;
        }
        Thread warmUp = new Thread(
                () -> {
                    try {
                        BufferedImage image =
                                render(List.of(new Series("warm-up", new MonthErrors.Totals(), Color.GRAY)), "warm-up");
                        ImageIO.write(image, "png", OutputStream.nullOutputStream());
                    } catch (IOException | RuntimeException e) {
                        // nothing to do: the month's own plot meets the same cause and reports it
                    }
                },
                "report-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    private static void plot(List<Series> series, String title, Path file) throws IOException {
        ImageIO.write(render(series, title), "png", file.toFile());
    }

    private static BufferedImage render(List<Series> series, String title) {
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
        for (Series s : series) {
            for (int h = 0; h < 24; h++) {
                max = Math.max(max, s.errors().maeByHour(h));
            }
        }
        max = Math.ceil(max);
        int plotHeight = height - top - bottom;
        int slot = (width - left - 20) / 24;
        int barWidth = (slot - 6) / series.size();
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
            int x = left + h * slot + 3;
            for (int i = 0; i < series.size(); i++) {
                int barHeight = (int) (plotHeight * series.get(i).errors().maeByHour(h) / max);
                g.setColor(series.get(i).color());
                g.fillRect(x + i * barWidth, top + plotHeight - barHeight, barWidth, barHeight);
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%02d", h), x + slot / 2 - 10, height - bottom + 18);
        }
        g.setStroke(new BasicStroke(1));
        g.drawLine(left, top + plotHeight, width - 20, top + plotHeight);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        MonthErrors.Totals first = series.get(0).errors();
        g.drawString(
                title + ": mean absolute error (minutes) by pickup hour, MAE " + String.format("%.2f", first.mae())
                        + " over " + String.format("%,d", first.rides()) + " rides",
                left,
                30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        if (series.size() > 1) {
            for (int i = 0; i < series.size(); i++) {
                Series s = series.get(i);
                g.setColor(s.color());
                g.fillRect(left + 10 + i * 400, 38, 10, 10);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format("%s: MAE %.2f", s.label(), s.errors().mae()), left + 25 + i * 400, 48);
            }
        }
        g.drawString("pickup hour", width / 2 - 30, height - 12);
        g.dispose();
        return image;
    }
}
