package io.ridescore.model;

import org.dmg.pmml.Header;
import org.dmg.pmml.Model;
import org.dmg.pmml.PMML;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Loads a PMML model from a path or {@code file://} URI, builds its evaluator and runs the
 * evaluator's self-check. The reported version is, in order: the run's override, the PMML header's
 * {@code modelVersion}, else a content hash, so two different files never report the same version.
 */
public final class ModelLoader {
    private ModelLoader() {}

    public static LoadedModel load(ModelSpec spec) {
        Path path = localPath(spec.uri());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ModelException("model not found: " + path.toAbsolutePath());
        } catch (IOException e) {
            throw new ModelException("model " + path + " cannot be read: " + e.getMessage(), e);
        }
        Evaluator evaluator;
        LoadingModelEvaluatorBuilder builder = new LoadingModelEvaluatorBuilder();
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            builder.load(in);
            evaluator = builder.build();
            evaluator.verify();
        } catch (Exception e) {
            throw new ModelException("model " + path + " is not a valid PMML model: " + firstLine(e), e);
        }
        PMML pmml = builder.getPMML();
        Model model = pmml.getModels().isEmpty() ? null : pmml.getModels().get(0);
        String name = model != null && model.getModelName() != null ? model.getModelName() : fileStem(path);
        String version = spec.versionOverride() != null ? spec.versionOverride() : headerVersion(pmml.getHeader(), bytes);
        return new LoadedModel(evaluator, pmml, name, version, path.toAbsolutePath().toString(), spec.forceJpmml());
    }

    private static Path localPath(String uri) {
        if (uri.startsWith("file:")) {
            return Path.of(URI.create(uri));
        }
        if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new ModelException("model URI scheme not supported: " + uri + " (use a path or file://)");
        }
        return Path.of(uri);
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

    private static String fileStem(Path path) {
        String name = path.getFileName().toString();
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
