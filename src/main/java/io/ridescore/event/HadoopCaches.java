package io.ridescore.event;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.hadoop.io.compress.CodecPool;
import org.apache.hadoop.util.ReflectionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Lets a job's classes go when the job ends. Parquet creates its Snappy codec and its compressors
 * (classes of the job jar) through Hadoop, which keeps them in static caches: the codec's
 * constructor in {@code ReflectionUtils}, the compressors in {@code CodecPool}'s pools and lease
 * counts. On a cluster Hadoop is loaded by the cluster's class loader, so those caches outlive the
 * job and hold its class loader, with every class it loaded: a TaskManager ran out of Metaspace
 * after six batch months. Just before Flink releases the job's class loader, its entries go.
 */
public final class HadoopCaches {
    private static final Logger LOG = LoggerFactory.getLogger(HadoopCaches.class);
    private static final String HOOK = "ridescore-hadoop-caches";
    private static final String GUAVA_CACHE = "org.apache.hadoop.thirdparty.com.google.common.cache.Cache";

    private HadoopCaches() {}

    /** Registers the clean-up once per task's class loader (later calls are no-ops). */
    public static void releaseWithJob(RuntimeContext context) {
        context.registerUserCodeClassLoaderReleaseHookIfAbsent(
                HOOK, () -> dropClassesOf(HadoopCaches.class.getClassLoader()));
    }

    /** Removes the entries keyed by classes that {@code loader} defined; returns how many. */
    static int dropClassesOf(ClassLoader loader) {
        return dropKeys(ReflectionUtils.class, "CONSTRUCTOR_CACHE", loader)
                + dropKeys(CodecPool.class, "compressorPool", loader)
                + dropKeys(CodecPool.class, "decompressorPool", loader)
                + dropKeys(CodecPool.class, "compressorCounts", loader)
                + dropKeys(CodecPool.class, "decompressorCounts", loader);
    }

    /** A static cache of Hadoop's as a map; CodecPool's counts are (Hadoop-shaded) Guava caches, seen through their map view. */
    static Map<?, ?> cache(Class<?> owner, String name) throws ReflectiveOperationException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        Object cache = field.get(null);
        return cache instanceof Map<?, ?> m
                ? m
                : (Map<?, ?>) Class.forName(GUAVA_CACHE, false, owner.getClassLoader())
                        .getMethod("asMap")
                        .invoke(cache);
    }

    private static int dropKeys(Class<?> owner, String name, ClassLoader loader) {
        try {
            Map<?, ?> map = cache(owner, name);
            synchronized (map) {
                int before = map.size();
                map.keySet().removeIf(key -> key instanceof Class<?> c && c.getClassLoader() == loader);
                return before - map.size();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "could not drop this job's entries from Hadoop's {}.{} ({}); on a session cluster each job's"
                            + " classes then stay in Metaspace",
                    owner.getSimpleName(),
                    name,
                    e.toString());
            return 0;
        }
    }
}
