package io.ridescore.config;

import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Month lists on the command line: {@code 2021-01}, {@code 2021-01..2021-03} or {@code 2021-01,2021-03}. */
public final class Months {
    private Months() {}

    public static List<YearMonth> parse(String text) {
        List<YearMonth> months = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] range = part.trim().split("\\.\\.");
            try {
                YearMonth from = YearMonth.parse(range[0].trim());
                YearMonth to = range.length > 1 ? YearMonth.parse(range[1].trim()) : from;
                if (to.isBefore(from)) {
                    throw new IllegalArgumentException("month range " + part + " ends before it starts");
                }
                for (YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
                    months.add(m);
                }
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(
                        "'" + part.trim() + "' is not a month (YYYY-MM or YYYY-MM..YYYY-MM)");
            }
        }
        return months;
    }
}
