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
        ModelSource.Fetched fetched = ModelSource.fetch(spec.uri(), spec.fallbackUri(), spec.trackingUri());
        byte[] bytes = fetched.bytes();
        Evaluator evaluator;
        LoadingModelEvaluatorBuilder builder = new LoadingModelEvaluatorBuilder();
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            builder.load(in);
            evaluator = builder.build();
            evaluator.verify();
        } catch (Exception e) {
            throw new ModelException("model " + fetched.servedBy() + " is not a valid PMML model: " + firstLine(e), e);
        }
        PMML pmml = builder.getPMML();
        Model model = pmml.getModels().isEmpty() ? null : pmml.getModels().get(0);
        String name = fetched.registryName() != null ? fetched.registryName()
                : model != null && model.getModelName() != null ? model.getModelName() : fileStem(fetched.servedBy());
        String version = spec.versionOverride() != null ? spec.versionOverride()
                : fetched.registryVersion() != null ? fetched.registryVersion() : headerVersion(pmml.getHeader(), bytes);
        LOG.info("model {} version {} served by {}", name, version, fetched.servedBy());
        return new LoadedModel(evaluator, pmml, name, version, fetched.servedBy(), spec.forceJpmml());
    }

    private static String headerVersion(Header header, byte[] bytes) {
        if (header != null && header.getModelVersion() != null && !header.getModelVersion().isBlank()) {
            return header.getModelVersion();
        }
        try {
            return "sha256-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
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
