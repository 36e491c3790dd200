package io.ridescore.model;

import org.dmg.pmml.PMML;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Parsed models on disk, by the PMML's SHA-256 and the jpmml-evaluator version that parsed them. Parsing
 * PMML takes jpmml's JAXB context (about 0.6 s to build in a fresh JVM) and the XML itself; a
 * parsed model read back with Java serialization takes under a tenth of that, and every command
 * and task is a fresh JVM or class loader. Like Python's __pycache__, the cache only ever saves
 * time: an entry that is missing, unreadable or from another jpmml version is parsed again, and a
 * directory that cannot be written to is left alone. Reading is filtered to jpmml's and the JDK's
 * classes, so a planted file cannot instantiate anything else. The newest {@link #KEPT} entries stay.
 */
final class ParsedModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(ParsedModelCache.class);

    static final int KEPT = 32;

    private static final String SUFFIX = "-jpmml-" + jpmmlVersion() + ".ser";

    private static final ObjectInputFilter ONLY_PMML = ObjectInputFilter.Config.createFilter(
            "maxdepth=10000;maxbytes=1073741824;org.dmg.pmml.**;org.jpmml.**;java.lang.*;java.util.*;java.math.*;!*");

    private final Path dir;

    ParsedModelCache(Path dir) {
        this.dir = dir;
    }

    static String entryName(String digest) {
        return digest + SUFFIX;
    }

    Optional<PMML> read(String digest) {
        Path entry = dir.resolve(entryName(digest));
        try (InputStream file = Files.newInputStream(entry);
                ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(file, 1 << 16))) {
            in.setObjectInputFilter(ONLY_PMML);
            PMML pmml = (PMML) in.readObject();
            // Reading it marks it used, so the entries that go first are the ones unused longest.
            Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis()));
            return Optional.of(pmml);
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        } catch (IOException
                | ClassNotFoundException
                | ClassCastException
                | IllegalStateException
                | StackOverflowError e) {
            LOG.warn("parsed model cache entry {} unusable ({}), parsing the model again", entry, e.toString());
            return Optional.empty();
        }
    }

    void write(String digest, PMML pmml) {
        Path entry = dir.resolve(entryName(digest));
        try {
            Files.createDirectories(dir);
            Path partial = Files.createTempFile(dir, digest, ".partial");
            try (OutputStream file = Files.newOutputStream(partial);
                    ObjectOutputStream out = new ObjectOutputStream(new BufferedOutputStream(file, 1 << 16))) {
                out.writeObject(pmml);
            } catch (IOException | RuntimeException | StackOverflowError e) {
                // a tree nested deeper than serialization's recursion can follow is parsed every time instead
                Files.deleteIfExists(partial);
                throw e;
            }
            // Whole or absent: a reader never sees a half-written entry, and two writers of one model agree.
            Files.move(partial, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            trim();
        } catch (IOException | RuntimeException | StackOverflowError e) {
            LOG.info("parsed model not cached in {}: {}", dir, e.toString());
        }
    }

    private void trim() throws IOException {
        List<Path> entries;
        try (Stream<Path> files = Files.list(dir)) {
            entries = files.filter(f -> f.getFileName().toString().endsWith(".ser"))
                    .sorted(Comparator.comparing(ParsedModelCache::modified).reversed())
                    .toList();
        }
        for (Path old : entries.subList(Math.min(KEPT, entries.size()), entries.size())) {
            Files.deleteIfExists(old);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException gone) {
            return FileTime.fromMillis(0);
        }
    }

    /** From the artifact's Maven metadata, which the shaded job jar keeps too. */
    private static String jpmmlVersion() {
        try (InputStream in =
                PMML.class.getResourceAsStream("/META-INF/maven/org.jpmml/pmml-evaluator/pom.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // an unknown version still names a cache of its own
        }
        return "unknown";
    }
}
