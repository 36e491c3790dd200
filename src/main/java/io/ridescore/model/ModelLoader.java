package io.ridescore.model;

import org.dmg.pmml.Header;
import org.dmg.pmml.Model;
import org.dmg.pmml.PMML;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;
import org.jpmml.evaluator.ModelEvaluatorBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads a PMML model from wherever {@link ModelSource} finds it, builds its evaluator and runs the
 * evaluator's self-check. The reported name is the registry's, else the model's; the version is,
 * in order: the run's override, the registry version (or run id), the PMML header's
 * {@code modelVersion}, else a content hash, so two different files never report the same version.
 */
public final class ModelLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    private ModelLoader() {}

    public static LoadedModel load(ModelSpec spec) {
        return build(fetch(spec), spec.versionOverride(), spec);
    }

    /** The model the spec names as its source serves it now, or the fallback when the registry is down. */
    public static ModelRelease fetch(ModelSpec spec) {
        return release(spec.uri(), ModelSource.fetch(spec));
    }

    /**
     * The model the spec names, from that source only: a poll for a new version must not swap a
     * registry model for the fallback because the registry is down for a minute.
     */
    public static ModelRelease poll(ModelSpec spec) {
        return release(spec.uri(), ModelSource.fetchWithoutFallback(spec));
    }

    private static ModelRelease release(String uri, ModelSource.Fetched fetched) {
        return new ModelRelease(
                uri,
                fetched.servedBy(),
                fetched.registryName(),
                fetched.registryVersion(),
                digest(fetched.bytes()),
                fetched.bytes());
    }

    /** Bytes hashed in this JVM with their digest. */
    private record Hashed(byte[] bytes, String digest) {}

    /**
     * The model last hashed here: the checks before a local job hash it, then each of its tasks
     * reads the same bytes again. Comparing them is a fraction of a millisecond; SHA-256 on
     * C1-compiled code, as a batch month runs, takes 25 ms a megabyte, in every task's start.
     */
    private static volatile Hashed lastHashed;

    static String digest(byte[] bytes) {
        Hashed last = lastHashed;
        if (last != null && Arrays.equals(last.bytes, bytes)) {
            return last.digest;
        }
        String digest = sha256(bytes);
        lastHashed = new Hashed(bytes.clone(), digest);
        return digest;
    }

    /**
     * Parses and verifies a release, scored as the spec says; a model that does not parse or fails
     * its own verification is refused.
     */
    public static LoadedModel build(ModelRelease release, String versionOverride, ModelSpec spec) {
        Parsed parsed;
        try {
            parsed = PARSED.computeIfAbsent(
                    release.digest,
                    digest -> parse(
                            release,
                            spec.parseCache() == null ? null : new ParsedModelCache(Path.of(spec.parseCache()))));
        } finally {
            if (PARSED.size() > MAX_PARSED) {
                PARSED.clear();
            }
        }
        Evaluator evaluator = parsed.evaluator();
        PMML pmml = parsed.pmml();
        Model model = pmml.getModels().isEmpty() ? null : pmml.getModels().get(0);
        String name = release.registryName != null
                ? release.registryName
                : model != null && model.getModelName() != null ? model.getModelName() : fileStem(release.servedBy);
        String version = versionOverride != null
                ? versionOverride
                : release.registryVersion != null
                        ? release.registryVersion
                        : headerVersion(pmml.getHeader(), release.digest);
        LOG.info("model {} version {} served by {}", name, version, release.servedBy);
        return new LoadedModel(evaluator, pmml, name, version, release.servedBy, spec.forceJpmml(), release);
    }

    /** A parsed and verified model; jpmml-evaluator's evaluator is thread-safe, so tasks may share it. */
    private record Parsed(Evaluator evaluator, PMML pmml) {}

    /**
     * Models parsed in this JVM, by content digest: the checks before a local job parse the model,
     * and its tasks (in the same JVM) take it from here instead of parsing it again, as do the
     * tasks of one TaskManager. A large model (13,000 categories) takes about a second to parse.
     */
    private static final Map<String, Parsed> PARSED = new ConcurrentHashMap<>();

    private static final int MAX_PARSED = 8;

    private static Parsed parse(ModelRelease release, ParsedModelCache cache) {
        try {
            PMML pmml = cache == null ? null : cache.read(release.digest).orElse(null);
            if (pmml == null) {
                LoadingModelEvaluatorBuilder loading = new LoadingModelEvaluatorBuilder();
                try (InputStream in = new ByteArrayInputStream(release.pmml)) {
                    pmml = loading.load(in).getPMML();
                }
                if (cache != null) {
                    // before the evaluator is built on it, so nothing changes the tree while it is written
                    cache.write(release.digest, pmml);
                }
            }
            Evaluator evaluator = new ModelEvaluatorBuilder(pmml).build();
            evaluator.verify();
            return new Parsed(evaluator, pmml);
        } catch (Exception e) {
            throw new ModelException("model " + release.servedBy + " is not a valid PMML model: " + firstLine(e), e);
        }
    }

    private static String headerVersion(Header header, String digest) {
        if (header != null
                && header.getModelVersion() != null
                && !header.getModelVersion().isBlank()) {
            return header.getModelVersion();
        }
        return "sha256-" + digest.substring(0, 12);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String fileStem(String served) {
        String name = Path.of(served.split(" ")[0]).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
