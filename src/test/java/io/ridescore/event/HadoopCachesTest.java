package io.ridescore.event;

import org.apache.flink.util.FlinkUserCodeClassLoaders;
import org.apache.flink.util.MutableURLClassLoader;
import org.apache.hadoop.io.compress.CodecPool;
import org.apache.hadoop.util.ReflectionUtils;
import org.apache.parquet.hadoop.CodecFactory;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.net.URL;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job's Parquet codec classes, loaded child-first as a cluster loads a job jar, land in Hadoop's
 * static caches (loaded by the parent, as on a cluster) and pin the job's class loader; once
 * {@link HadoopCaches} has dropped them, the class loader can be collected.
 */
class HadoopCachesTest {

    private static int entriesOf(Class<?> owner, String name, ClassLoader loader) throws Exception {
        return (int) HadoopCaches.cache(owner, name).keySet().stream()
                .filter(k -> k instanceof Class<?> c && c.getClassLoader() == loader)
                .count();
    }

    /** What a job's Parquet writer does: a Snappy compressor, used and handed back to Hadoop's pool. */
    private static void compressInside(ClassLoader job) throws Exception {
        Class<?> factory = Class.forName(CodecFactory.class.getName(), true, job);
        assertThat(factory.getClassLoader()).isSameAs(job);
        Object codecs = factory.getConstructor(org.apache.hadoop.conf.Configuration.class, int.class)
                .newInstance(new org.apache.hadoop.conf.Configuration(), 1024);
        Object compressor = factory.getMethod(
                        "getCompressor", org.apache.parquet.hadoop.metadata.CompressionCodecName.class)
                .invoke(codecs, org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY);
        Class.forName("org.apache.parquet.compression.CompressionCodecFactory$BytesInputCompressor", false, job)
                .getMethod("compress", org.apache.parquet.bytes.BytesInput.class)
                .invoke(compressor, org.apache.parquet.bytes.BytesInput.from(new byte[] {1, 2, 3, 1, 2, 3}));
        factory.getMethod("release").invoke(codecs);
    }

    @Test
    void aJobsCodecClassesLeaveHadoopsCachesAndItsClassLoaderCanBeCollected() throws Exception {
        URL parquetHadoop =
                CodecFactory.class.getProtectionDomain().getCodeSource().getLocation();
        MutableURLClassLoader job = FlinkUserCodeClassLoaders.childFirst(
                new URL[] {parquetHadoop},
                HadoopCachesTest.class.getClassLoader(),
                new String[] {"java.", "org.apache.hadoop.", "org.slf4j", "org.apache.log4j", "org.apache.logging"},
                e -> {},
                false);
        compressInside(job);
        int cached = entriesOf(ReflectionUtils.class, "CONSTRUCTOR_CACHE", job)
                + entriesOf(CodecPool.class, "compressorPool", job)
                + entriesOf(CodecPool.class, "compressorCounts", job);
        assertThat(cached).as("the job's classes in Hadoop's caches").isEqualTo(3);

        assertThat(HadoopCaches.dropClassesOf(job)).isEqualTo(cached);
        assertThat(entriesOf(ReflectionUtils.class, "CONSTRUCTOR_CACHE", job)
                        + entriesOf(CodecPool.class, "compressorPool", job)
                        + entriesOf(CodecPool.class, "compressorCounts", job))
                .isZero();

        WeakReference<ClassLoader> gone = new WeakReference<>(job);
        job.close();
        job = null;
        for (int i = 0; i < 50 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(gone.get()).as("the job's class loader, collected").isNull();
    }
}
