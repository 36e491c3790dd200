package io.ridescore.run;

import io.ridescore.config.StartupException;
import org.jpmml.evaluator.Evaluator;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A session cluster started by scripts/cluster serves the job's libraries itself
 * (target/ridescore-libraries.jar, loaded parent-first), so they are not loaded again per job. They
 * must then be the versions the submitted jar was built with: a cluster started before the pom
 * changed would run this job's code against other libraries, and fail in ways far from the cause.
 * Anywhere else (a local run, a cluster without the libraries) the job's code and its libraries
 * come from one class loader and there is nothing to check.
 */
final class ClusterLibraries {
    private static final Pattern POM_PROPERTIES = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");

    private ClusterLibraries() {}

    /** Throws, saying which versions differ, when the cluster serves libraries of another build. */
    static void check() {
        check(ClusterLibraries.class, Evaluator.class);
    }

    static void check(Class<?> job, Class<?> library) {
        if (job.getClassLoader() == library.getClassLoader()) {
            return;
        }
        Path jobJar = jarOf(job);
        Path served = jarOf(library);
        if (jobJar != null && served != null) {
            compare(jobJar, served);
        }
    }

    /** Every library both jars carry must have the same version in each. */
    static void compare(Path jobJar, Path served) {
        Map<String, String> ours = versions(jobJar);
        List<String> differing = new ArrayList<>();
        versions(served).forEach((artifact, version) -> {
            String built = ours.get(artifact);
            if (built != null && !built.equals(version)) {
                differing.add(artifact + " " + version + " (this job: " + built + ")");
            }
        });
        if (!differing.isEmpty()) {
            throw new StartupException("this cluster serves libraries of another build: " + String.join(", ", differing)
                    + ", from " + served + "; restart it on this build (scripts/cluster stop, then start)"
                    + " or submit the jar built with them");
        }
    }

    /** groupId:artifactId to version, from the pom.properties Maven puts in every library's jar. */
    static Map<String, String> versions(Path jar) {
        Map<String, String> versions = new TreeMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (var entries = file.entries(); entries.hasMoreElements(); ) {
                var entry = entries.nextElement();
                Matcher m = POM_PROPERTIES.matcher(entry.getName());
                if (m.matches()) {
                    Properties pom = new Properties();
                    try (InputStream in = file.getInputStream(entry)) {
                        pom.load(in);
                    }
                    versions.put(m.group(1) + ":" + m.group(2), pom.getProperty("version", ""));
                }
            }
        } catch (IOException e) {
            throw new StartupException("cannot read " + jar + " to check the cluster's libraries: " + e.getMessage());
        }
        return versions;
    }

    private static Path jarOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            Path path = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(path) ? path : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
