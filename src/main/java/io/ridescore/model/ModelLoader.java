package io.ridescore.model;

import org.dmg.pmml.Header;
import org.dmg.pmml.Model;
import org.dmg.pmml.PMML;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;

import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Loads a PMML model from wherever {@link ModelSource} finds it, builds its evaluator and runs the
 * evaluator's self-check. The reported name is the registry's, else the model's; the version is,
 * in order: the run's override, the registry version (or run id), the PMML header's
 * {@code modelVersion}, else a content hash, so two different files never report the same version.
 */
public final class ModelLoader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelLoader.class);

    private ModelLoader() {}

    public static LoadedModel load(ModelSpec spec) {
        return build(fetch(spec), spec.versionOverride(), spec.forceJpmml());
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
        return new ModelRelease(uri, fetched.servedBy(), fetched.registryName(), fetched.registryVersion(),
                sha256(fetched.bytes()), fetched.bytes());
    }

    /** Parses and verifies a release; a model that does not parse or fails its own verification is refused. */
    public static LoadedModel build(ModelRelease release, String versionOverride, boolean forceJpmml) {
        Evaluator evaluator;
        LoadingModelEvaluatorBuilder builder = new LoadingModelEvaluatorBuilder();
        try (InputStream in = new java.io.ByteArrayInputStream(release.pmml)) {
            builder.load(in);
            evaluator = builder.build();
            evaluator.verify();
        } catch (Exception e) {
            throw new ModelException("model " + release.servedBy + " is not a valid PMML model: " + firstLine(e), e);
        }
        PMML pmml = builder.getPMML();
        Model model = pmml.getModels().isEmpty() ? null : pmml.getModels().get(0);
        String name = release.registryName != null ? release.registryName
                : model != null && model.getModelName() != null ? model.getModelName() : fileStem(release.servedBy);
        String version = versionOverride != null ? versionOverride
                : release.registryVersion != null ? release.registryVersion : headerVersion(pmml.getHeader(), release.digest);
        LOG.info("model {} version {} served by {}", name, version, release.servedBy);
        return new LoadedModel(evaluator, pmml, name, version, release.servedBy, forceJpmml, release);
    }

    private static String headerVersion(Header header, String digest) {
        if (header != null && header.getModelVersion() != null && !header.getModelVersion().isBlank()) {
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
