package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class CsvReaderTest {

    private static List<List<String>> readAll(String text) throws IOException {
        List<List<String>> out = new ArrayList<>();
        try (CsvReader r = new CsvReader(new StringReader(text))) {
            for (List<String> rec = r.next(); rec != null; rec = r.next()) {
                out.add(rec);
            }
        }
        return out;
    }

    @Test
    void readsPlainAndQuotedFields() throws IOException {
        assertThat(readAll("a,b,c\n1,2,3\n")).containsExactly(List.of("a", "b", "c"), List.of("1", "2", "3"));
        assertThat(readAll("a,b\r\n1,2")).containsExactly(List.of("a", "b"), List.of("1", "2"));
        assertThat(readAll("a,b\r1,2\r")).containsExactly(List.of("a", "b"), List.of("1", "2"));
        assertThat(readAll("\"x, y\",\"he said \"\"hi\"\"\",\"multi\nline\"\nnext,,\n"))
                .containsExactly(List.of("x, y", "he said \"hi\"", "multi\nline"), List.of("next", "", ""));
        assertThat(readAll("\"\",a,\n")).containsExactly(List.of("", "a", ""));
        assertThat(readAll("a\"b,c\n")).containsExactly(List.of("a\"b", "c"));
        assertThat(readAll("\uFEFFh1,h2\n")).containsExactly(List.of("h1", "h2"));
        assertThat(readAll("a\n\nb\n")).containsExactly(List.of("a"), List.of(""), List.of("b"));
        assertThat(readAll("")).isEmpty();
    }

    @Test
    void tracksRecordStartLines() throws IOException {
        try (CsvReader r = new CsvReader(new StringReader("h\n\"two\nlines\"\nlast\n"))) {
            r.next();
            assertThat(r.recordLine()).isEqualTo(1);
            assertThat(r.next()).containsExactly("two\nlines");
            assertThat(r.recordLine()).isEqualTo(2);
            assertThat(r.next()).containsExactly("last");
            assertThat(r.recordLine()).isEqualTo(4);
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void rejectsMalformedQuoting() {
        assertThatThrownBy(() -> readAll("a,\"unterminated\n1,2\n"))
                .isInstanceOf(CsvReader.CsvFormatException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> readAll("a\n\"q\"x,1\n"))
                .isInstanceOf(CsvReader.CsvFormatException.class).hasMessageContaining("line 2");
    }
}
