package io.ridescore.tools;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ServiceLoader;

/**
 * Flink's RPC system (Pekko) for a local run, from the classpath. Flink's own loader extracts the
 * 21 MB jar holding Pekko and Scala into a temporary file at every start and loads its classes
 * through a class loader of its own, where class-data sharing cannot reach them; scripts/ridescore
 * extracts that jar once (target/flink-rpc-akka.jar) and puts it on the classpath, so its classes
 * come from the archive with the rest: a 65k-ride month 2.14 -> 1.91 s. Tried first; where the jar
 * is not on the classpath (tests, a cluster) Flink's loader takes over. The mini cluster gets it as
 * {@link OneActorSystemRpc}: one actor system, not a second one for metrics.
 */
public final class ClasspathRpcSystemLoader implements RpcSystemLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ClasspathRpcSystemLoader.class);

    @Override
    public int getLoadPriority() {
        return -1;
    }

    @Override
    public RpcSystem loadRpcSystem(Configuration config) {
        RpcSystem rpc = ServiceLoader.load(RpcSystem.class, ClasspathRpcSystemLoader.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no RPC system on the classpath"));
        LOG.info("RPC system {} loaded from the classpath", rpc.getClass().getName());
        return new OneActorSystemRpc(rpc);
    }
}
