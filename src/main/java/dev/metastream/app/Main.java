package dev.metastream.app;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code metastream} command line: a picocli top-level command whose subcommands do the work.
 *
 * <p>To add a subcommand, write a {@code @Command}-annotated class in this package and add it to the
 * {@code subcommands} list of the {@code @Command} annotation below &mdash; that list is the only registry.
 */
@Command(name = "metastream",
        mixinStandardHelpOptions = true,
        versionProvider = Main.ManifestVersionProvider.class,
        description = "A streaming continual meta-learner on Kafka Streams.",
        // ---- Subcommands: register new ones here, by class. ----
        subcommands = {
            HelpCommand.class,
            DemoCommand.class,
            RunCommand.class,
            ProduceCommand.class,
            ConsumeCommand.class,
            BenchCommand.class,
            EvaluateCommand.class,
            DetectorsCommand.class,
            SoakCommand.class,
        })
public final class Main implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    /** Creates the top-level command; picocli fills in the rest. */
    public Main() {
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        // JavaCPP checks the process's physical memory on every native allocation when maxPhysicalBytes > 0; ND4J
        // allocates per op, and that check was half of the learner's native time. Heap and off-heap stay bounded by
        // -Xmx and org.bytedeco.javacpp.maxBytes.
        if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** Without a subcommand there is nothing to do: a usage error (exit code 2). */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: choose one of "
                + spec.subcommands().keySet());
    }

    /**
     * Reports the version from the jar manifest ({@code Implementation-Version}), or {@code dev} when running from
     * classes outside a jar.
     */
    public static final class ManifestVersionProvider implements IVersionProvider {

        /** Creates the provider (picocli instantiates it). */
        public ManifestVersionProvider() {
        }

        /**
         * The version lines.
         *
         * @return {@code metastream <version>}
         */
        @Override
        public String[] getVersion() {
            return new String[] {"metastream " + version()};
        }

        /**
         * The metastream version.
         *
         * @return the manifest's {@code Implementation-Version}, or {@code dev}
         */
        public static String version() {
            String v = Main.class.getPackage().getImplementationVersion();
            return v == null || v.isBlank() ? "dev" : v;
        }
    }
}
