package io.ridescore.model;

import io.ridescore.event.RideRules;

import java.util.Map;

/**
 * A PU_DO field's categories as a table by zone pair: a ride's term is read at
 * {@code pu * ZONES + do}, without building its {@code "<PU>_<DO>"} string and looking that up among
 * thousands (a tenth of a batch month's work went there). Exactly the categories written as a ride's
 * PU_DO is written ({@code Integer.toString} of each zone, joined by {@code _}) with zones in
 * 0..{@value RideRules#MAX_ZONE} are in the table; a ride whose zones fall outside it is looked up
 * by its string as before, and no other spelling of a category ("01_5", "5_5_5") can equal a ride's.
 */
final class ZonePairTerms {
    static final int ZONES = RideRules.MAX_ZONE + 1;

    /** Not among the categories: refused where the field declares its values, no term where it keeps others as they are. */
    static final byte ABSENT = 0;

    static final byte NO_TERM = 1;
    static final byte TERM = 2;

    private final byte[] kinds = new byte[ZONES * ZONES];
    private final double[] coefficients = new double[ZONES * ZONES];

    /** The table of a field's categories: each to its coefficient, or to {@code noTerm} where it has none. */
    static ZonePairTerms of(Map<Object, Object> terms, Object noTerm) {
        ZonePairTerms table = new ZonePairTerms();
        terms.forEach((category, term) -> {
            int at = indexOf(category.toString());
            if (at >= 0) {
                table.kinds[at] = term == noTerm ? NO_TERM : TERM;
                table.coefficients[at] = term == noTerm ? 0 : (Double) term;
            }
        });
        return table;
    }

    /** Where a ride with these zones is in the table, or -1 where it is not (a zone missing or out of range). */
    static int indexOf(Integer pu, Integer dO) {
        if (pu == null || dO == null || pu < 0 || pu >= ZONES || dO < 0 || dO >= ZONES) {
            return -1;
        }
        return pu * ZONES + dO;
    }

    byte kind(int at) {
        return kinds[at];
    }

    double coefficient(int at) {
        return coefficients[at];
    }

    /** The index of a category spelled exactly as a ride's PU_DO is, or -1. */
    private static int indexOf(String category) {
        int sep = category.indexOf('_');
        if (sep < 0) {
            return -1;
        }
        try {
            int pu = Integer.parseInt(category.substring(0, sep));
            int dO = Integer.parseInt(category.substring(sep + 1));
            int at = indexOf(pu, dO);
            return at >= 0 && category.equals(pu + "_" + dO) ? at : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
