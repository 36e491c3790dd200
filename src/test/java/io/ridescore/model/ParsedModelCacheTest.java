package io.ridescore.model;

import io.ridescore.features.FeatureVector;
import org.dmg.pmml.DataDictionary;
import org.dmg.pmml.Header;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.PMML;
import org.dmg.pmml.True;
import org.dmg.pmml.tree.ComplexNode;
import org.dmg.pmml.tree.Node;
import org.dmg.pmml.tree.TreeModel;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;
import org.jpmml.evaluator.ModelEvaluatorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A parsed model kept on disk is the same model: scored by jpmml-evaluator and by the fast path, it
 * gives the freshly parsed model's exact answers (values and refusals) on the differential rides.
 * Whatever else is in the cache directory only costs a parse.
 */
class ParsedModelCacheTest {
    @TempDir
    static Path shared;

    static List<FeatureVector> rides;

    @TempDir
    Path dir;

    @BeforeAll
    static void rides() throws Exception {
        rides = DifferentialRides.generate(shared);
    }

    private static PMML parse(Path file) throws Exception {
        try (var in = Files.newInputStream(file)) {
            return new LoadingModelEvaluatorBuilder().load(in).getPMML();
        }
    }

    private static List<String> answers(PMML pmml, boolean jpmml) {
        PmmlScorer scorer = new PmmlScorer(
                new LoadedModel(new ModelEvaluatorBuilder(pmml).build(), pmml, "m", "1", "test", jpmml, null), true);
        List<String> answers = new ArrayList<>();
        for (FeatureVector ride : rides) {
            try {
                answers.add(Double.toString(scorer.score(ride)));
            } catch (ScoringException e) {
                answers.add("refused:" + e.reason());
            }
        }
        return answers;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "pmml/ride_duration.pmml",
                "pmml/ride_duration_stream.pmml",
                "sklearn_dictvectorizer_forest.pkl",
                "sklearn_hist_gbm.pkl"
            })
    void aModelReadBackScoresExactlyAsTheParsedOne(String model) throws Exception {
        Path file = model.endsWith(".pkl") ? Exporters.convert(model, shared) : Path.of(model);
        PMML parsed = parse(file);
        ParsedModelCache cache = new ParsedModelCache(dir);
        cache.write("abc", parsed);
        PMML cached = cache.read("abc").orElseThrow();

        assertThat(cached).isNotSameAs(parsed);
        for (boolean jpmml : new boolean[] {true, false}) {
            List<String> expected = answers(parse(file), jpmml);
            assertThat(answers(cached, jpmml)).isEqualTo(expected);
            assertThat(expected).anyMatch(a -> !a.startsWith("refused"));
        }
    }

    @Test
    void theLoaderKeepsWhatItParsedUnderTheModelsDigest() throws Exception {
        // an intercept no other test uses: this JVM has not parsed these bytes yet
        Path file = TestModels.withIntercept(dir.resolve("m.pmml"), 123.456, null);
        Path cacheDir = dir.resolve("cache");
        ModelSpec spec = new ModelSpec(
                file.toString(), null, null, null, null, false, java.time.Duration.ZERO, cacheDir.toString());

        LoadedModel loaded = ModelLoader.load(spec);

        String digest = loaded.release().digest;
        try (Stream<Path> entries = Files.list(cacheDir)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .containsExactly(ParsedModelCache.entryName(digest));
            // the version that parsed it is in the name: another jpmml never reads this entry
            assertThat(ParsedModelCache.entryName(digest)).isEqualTo(digest + "-jpmml-1.7.7.ser");
        }
        PMML cached = new ParsedModelCache(cacheDir).read(digest).orElseThrow();
        assertThat(answers(cached, true)).isEqualTo(answers(loaded.pmml(), true));
    }

    @Test
    void aDamagedOrForeignEntryIsIgnoredAndAnUnwritableDirectoryIsLeftAlone() throws Exception {
        ParsedModelCache cache = new ParsedModelCache(dir);
        Files.write(dir.resolve(ParsedModelCache.entryName("cut")), new byte[] {(byte) 0xAC, (byte) 0xED, 0, 5, 0x73});
        assertThat(cache.read("cut")).isEmpty();

        // a serialized object outside jpmml's and the JDK's core packages is refused by the filter, never built
        try (OutputStream file = Files.newOutputStream(dir.resolve(ParsedModelCache.entryName("planted")));
                ObjectOutputStream out = new ObjectOutputStream(file)) {
            out.writeObject(new Planted());
        }
        assertThat(cache.read("planted")).isEmpty();
        assertThat(Planted.built).isFalse();
        assertThat(cache.read("absent")).isEmpty();

        Path notADirectory = Files.writeString(dir.resolve("occupied"), "x");
        ParsedModelCache unwritable = new ParsedModelCache(notADirectory);
        unwritable.write("abc", parse(Path.of("pmml/ride_duration.pmml")));
        assertThat(unwritable.read("abc")).isEmpty();
    }

    @Test
    void aTreeNestedDeeperThanSerializationCanFollowIsLeftUncached() throws Exception {
        // a chain of 50,000 nodes: Java serialization recurses once per level and runs out of stack
        Node root = new ComplexNode().setPredicate(True.INSTANCE);
        Node node = root;
        for (int i = 0; i < 50_000; i++) {
            Node child = new ComplexNode().setPredicate(True.INSTANCE);
            node.addNodes(child);
            node = child;
        }
        PMML deep = new PMML()
                .setVersion("4.4")
                .setHeader(new Header())
                .setDataDictionary(new DataDictionary())
                .addModels(new TreeModel(MiningFunction.REGRESSION, new MiningSchema(), root));
        ParsedModelCache cache = new ParsedModelCache(dir);

        cache.write("deep", deep);

        assertThat(cache.read("deep")).isEmpty();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    /** Says whether deserialization ever got as far as running its code. */
    static final class Planted implements Serializable {
        static volatile boolean built;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            built = true;
            in.defaultReadObject();
        }
    }

    @Test
    void onlyTheEntriesUsedMostRecentlyStay() throws Exception {
        ParsedModelCache cache = new ParsedModelCache(dir);
        PMML small = parse(TestModels.known(dir, "1"));
        int written = ParsedModelCache.KEPT + 3;
        for (int i = 0; i < written; i++) {
            cache.write("m" + i, small);
            Files.setLastModifiedTime(
                    dir.resolve(ParsedModelCache.entryName("m" + i)), FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        // reading the oldest makes it the newest
        assertThat(cache.read("m3")).isPresent();
        cache.write("last", small);

        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".ser"))
                    .toList();
            assertThat(names)
                    .hasSize(ParsedModelCache.KEPT)
                    .contains(ParsedModelCache.entryName("m3"), ParsedModelCache.entryName("last"));
            assertThat(names)
                    .doesNotContain(
                            ParsedModelCache.entryName("m0"),
                            ParsedModelCache.entryName("m1"),
                            ParsedModelCache.entryName("m2"),
                            ParsedModelCache.entryName("m4"));
        }
    }
}
