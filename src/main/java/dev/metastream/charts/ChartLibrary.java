package dev.metastream.charts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The charting library the dashboard serves and {@code evaluate --html} inlines: Apache ECharts' prebuilt bundle from
 * the {@code org.webjars.npm:echarts} WebJar on the classpath. The version is read from the WebJar's own
 * {@code pom.properties}, so upgrading the dependency in the POM is the only change an upgrade needs.
 */
public final class ChartLibrary {
    private static final String POM_PROPERTIES = "META-INF/maven/org.webjars.npm/echarts/pom.properties";
    private static volatile byte[] bundle;

    private ChartLibrary() {}

    /** The WebJar's version, e.g. {@code 5.3.1}. */
    public static String version() {
        try (InputStream in = resource(POM_PROPERTIES)) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The minified bundle ({@code echarts.min.js}, about 1 MB), read once and kept. */
    public static byte[] bundle() {
        byte[] b = bundle;
        if (b == null) {
            String path = "META-INF/resources/webjars/echarts/" + version() + "/dist/echarts.min.js";
            try (InputStream in = resource(path)) {
                b = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bundle = b;
        }
        return b;
    }

    /** The bundle as text, for inlining into a {@code <script>} element. */
    public static String bundleText() {
        return new String(bundle(), StandardCharsets.UTF_8);
    }

    private static InputStream resource(String path) {
        InputStream in = ChartLibrary.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException(path + " is not on the classpath: the org.webjars.npm:echarts dependency "
                    + "is missing from the build");
        }
        return in;
    }
}
