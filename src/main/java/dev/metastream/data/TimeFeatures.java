package dev.metastream.data;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A date/time column ({@code --time-columns}) as {@value #WIDTH} numeric features: hour of day, day of week and day of
 * year, each as a sine/cosine pair so that 23:59 sits next to 00:00 and Sunday next to Monday (the usual cyclic
 * encoding of periodic features, e.g. Chollet, "Deep Learning with Python" 2nd ed., 2021, on timeseries).
 *
 * <ul>
 *   <li>hour: {@code h = hour + minute / 60}, features {@code sin(2 pi h / 24)}, {@code cos(2 pi h / 24)} (a date
 *       without a time reads as 00:00, so both stay constant, 0 and 1);</li>
 *   <li>day of week: {@code d} = 0 (Monday) .. 6 (Sunday), {@code sin(2 pi d / 7)}, {@code cos(2 pi d / 7)};</li>
 *   <li>day of year: {@code y} = 0 .. 365, {@code sin(2 pi y / 365.25)}, {@code cos(2 pi y / 365.25)} (the
 *       season).</li>
 * </ul>
 *
 * <p>Accepted spellings (the vega datasets use the first two): {@code 2001/01/14 21:55}, {@code 2012-01-01},
 * {@code 2012-01-01 08:30:15}, {@code 2012-01-01T08:30}, {@code 2012/01/01}, optionally with seconds, fractions and a
 * trailing {@code Z} (ignored: the clock time as written is used, no zone conversion).
 */
final class TimeFeatures {
    private TimeFeatures() {}

    /** Features per time column. */
    static final int WIDTH = 6;

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm[:ss][.SSS]");

    /**
     * Parses a date or date-time.
     *
     * @return the time, or null when the text is not one of the accepted spellings
     */
    static LocalDateTime parse(String text) {
        String s = text.trim().replace('/', '-').replace('T', ' ');
        if (s.endsWith("Z")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            if (s.length() == 10) {
                return LocalDateTime.of(LocalDate.parse(s), LocalTime.MIDNIGHT);
            }
            return LocalDateTime.parse(s, DATE_TIME);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Writes the {@value #WIDTH} features of {@code t} into {@code out[at .. at + WIDTH - 1]}. */
    static void encode(LocalDateTime t, float[] out, int at) {
        double hour = t.getHour() + t.getMinute() / 60.0 + t.getSecond() / 3600.0;
        double dow = t.getDayOfWeek().getValue() - 1;
        double doy = t.getDayOfYear() - 1;
        out[at] = (float) Math.sin(2 * Math.PI * hour / 24);
        out[at + 1] = (float) Math.cos(2 * Math.PI * hour / 24);
        out[at + 2] = (float) Math.sin(2 * Math.PI * dow / 7);
        out[at + 3] = (float) Math.cos(2 * Math.PI * dow / 7);
        out[at + 4] = (float) Math.sin(2 * Math.PI * doy / 365.25);
        out[at + 5] = (float) Math.cos(2 * Math.PI * doy / 365.25);
    }

    /** Milliseconds since the epoch, reading the time as UTC (the example's event time). */
    static long epochMillis(LocalDateTime t) {
        return t.toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
