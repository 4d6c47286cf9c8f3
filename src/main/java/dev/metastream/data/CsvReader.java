package dev.metastream.data;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A small streaming reader for comma-separated values as described by RFC 4180.
 *
 * <ul>
 *   <li>Fields are separated by {@code ,}; records end with CRLF, LF or a lone CR, or at the end of the input.
 *       A final line break before the end of the input does not start another record.</li>
 *   <li>A field that starts with {@code "} is quoted: it may contain commas, line breaks and doubled quotes
 *       ({@code ""} stands for one {@code "}). After the closing quote only a separator, a line break or the end
 *       of the input may follow; anything else is a {@link CsvFormatException}, as is a quote that is never
 *       closed.</li>
 *   <li>In an unquoted field every character, a {@code "} included, is taken literally. No whitespace is
 *       trimmed.</li>
 *   <li>A byte-order mark at the very start is skipped. An empty line reads as a record with one empty field.</li>
 * </ul>
 *
 * <p>Not thread-safe.
 */
public final class CsvReader implements Closeable {

    /** Thrown for input that is not valid CSV; the message names the line. */
    public static final class CsvFormatException extends IOException {
        private static final long serialVersionUID = 1L;

        /** @param message what is wrong, and where */
        CsvFormatException(String message) {
            super(message);
        }
    }

    private static final int NONE = -2;

    private final Reader in;
    private int pushedBack = NONE;
    private long line = 1;
    private long recordLine;
    private boolean atStart = true;
    private boolean eof;

    /**
     * Wraps a character stream (buffered internally).
     *
     * @param in the CSV text; closed by {@link #close()}
     */
    public CsvReader(Reader in) {
        this.in = in instanceof BufferedReader ? in : new BufferedReader(in, 1 << 16);
    }

    /**
     * Reads the next record.
     *
     * @return the record's fields, or {@code null} at the end of the input
     * @throws CsvFormatException if the input is not valid CSV
     * @throws IOException        if reading fails
     */
    public List<String> next() throws IOException {
        if (eof) {
            return null;
        }
        int c = read();
        if (atStart) {
            atStart = false;
            if (c == '\uFEFF') {
                c = read();
            }
        }
        if (c == -1) {
            eof = true;
            return null;
        }
        recordLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (c == '"') {
                long quoteLine = line;
                while (true) {
                    c = read();
                    if (c == -1) {
                        throw new CsvFormatException("line " + quoteLine + ": quoted field is never closed"
                                + " (a \" inside a quoted field must be written as \"\")");
                    }
                    if (c == '"') {
                        c = read();
                        if (c != '"') {
                            break; // closing quote; c is the character after it
                        }
                    } else if (c == '\n') {
                        line++;
                    }
                    sb.append((char) c);
                }
                if (c != ',' && c != '\n' && c != '\r' && c != -1) {
                    throw new CsvFormatException("line " + line + ": unexpected character '" + (char) c
                            + "' after the closing quote of a field (quote the whole field and double inner"
                            + " quotes)");
                }
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c != -1) {
                    sb.append((char) c);
                    c = read();
                }
            }
            fields.add(sb.toString());
            sb.setLength(0);
            switch (c) {
                case ',' -> c = read();
                case '\r' -> {
                    int n = read();
                    if (n != '\n') {
                        pushedBack = n;
                    }
                    line++;
                    return fields;
                }
                case '\n' -> {
                    line++;
                    return fields;
                }
                default -> { // end of input
                    eof = true;
                    return fields;
                }
            }
        }
    }

    /**
     * The line on which the record last returned by {@link #next()} starts (1-based).
     *
     * @return the line number
     */
    public long recordLine() {
        return recordLine;
    }

    private int read() throws IOException {
        if (pushedBack != NONE) {
            int c = pushedBack;
            pushedBack = NONE;
            return c;
        }
        return in.read();
    }

    /** Closes the underlying reader. */
    @Override
    public void close() throws IOException {
        in.close();
    }
}
