package io.ridescore.tools;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.AddressResolution;
import org.apache.flink.runtime.rpc.FencedRpcGateway;
import org.apache.flink.runtime.rpc.RpcEndpoint;
import org.apache.flink.runtime.rpc.RpcGateway;
import org.apache.flink.runtime.rpc.RpcServer;
import org.apache.flink.runtime.rpc.RpcService;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.util.concurrent.ScheduledExecutor;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A local run's RPC system with one actor system where a mini cluster starts two: its metric query
 * service (what the web UI's metrics ask) runs in the cluster's own actor system instead of one of
 * its own. Starting that second actor system is a tenth of a second of the mini cluster's start,
 * which every local command waits for; in one process the isolation it buys (a thread of its own
 * for metric queries) protects nothing. Everything else is the delegate's.
 */
final class OneActorSystemRpc implements RpcSystem {
    /** The name Flink's {@code MetricUtils} gives the metrics actor system (a private constant there). */
    static final String METRICS_COMPONENT = "flink-metrics";

    private final RpcSystem delegate;
    /** The first local service started: the mini cluster's (it starts it before the metrics one). */
    private RpcService shared;

    OneActorSystemRpc(RpcSystem delegate) {
        this.delegate = delegate;
    }

    @Override
    public RpcServiceBuilder localServiceBuilder(Configuration config) {
        RpcServiceBuilder builder = delegate.localServiceBuilder(config);
        return new RpcServiceBuilder() {
            private boolean metrics;

            @Override
            public RpcServiceBuilder withComponentName(String name) {
                metrics = METRICS_COMPONENT.equals(name);
                builder.withComponentName(name);
                return this;
            }

            @Override
            public RpcServiceBuilder withBindAddress(String address) {
                builder.withBindAddress(address);
                return this;
            }

            @Override
            public RpcServiceBuilder withBindPort(int port) {
                builder.withBindPort(port);
                return this;
            }

            @Override
            public RpcServiceBuilder withExecutorConfiguration(FixedThreadPoolExecutorConfiguration executor) {
                builder.withExecutorConfiguration(executor);
                return this;
            }

            @Override
            public RpcServiceBuilder withExecutorConfiguration(ForkJoinExecutorConfiguration executor) {
                builder.withExecutorConfiguration(executor);
                return this;
            }

            @Override
            public RpcService createAndStart() throws Exception {
                synchronized (OneActorSystemRpc.this) {
                    if (metrics && shared != null) {
                        return new Borrowed(shared);
                    }
                    RpcService started = builder.createAndStart();
                    if (shared == null && !metrics) {
                        shared = started;
                    }
                    return started;
                }
            }
        };
    }

    @Override
    public RpcServiceBuilder remoteServiceBuilder(Configuration config, String address, String portRange) {
        return delegate.remoteServiceBuilder(config, address, portRange);
    }

    @Override
    public String getRpcUrl(
            String hostname, int port, String endpointName, AddressResolution resolution, Configuration config)
            throws UnknownHostException {
        return delegate.getRpcUrl(hostname, port, endpointName, resolution, config);
    }

    @Override
    public InetSocketAddress getInetSocketAddressFromRpcUrl(String url) throws Exception {
        return delegate.getInetSocketAddressFromRpcUrl(url);
    }

    @Override
    public long getMaximumMessageSizeInBytes(Configuration config) {
        return delegate.getMaximumMessageSizeInBytes(config);
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** The shared service, lent: its owner closes it, so the borrower's close only stops its use. */
    private record Borrowed(RpcService owner) implements RpcService {
        @Override
        public String getAddress() {
            return owner.getAddress();
        }

        @Override
        public int getPort() {
            return owner.getPort();
        }

        @Override
        public <C extends RpcGateway> C getSelfGateway(Class<C> type, RpcServer server) {
            return owner.getSelfGateway(type, server);
        }

        @Override
        public <C extends RpcGateway> CompletableFuture<C> connect(String address, Class<C> type) {
            return owner.connect(address, type);
        }

        @Override
        public <F extends Serializable, C extends FencedRpcGateway<F>> CompletableFuture<C> connect(
                String address, F fencingToken, Class<C> type) {
            return owner.connect(address, fencingToken, type);
        }

        @Override
        public <C extends RpcEndpoint & RpcGateway> RpcServer startServer(C endpoint, Map<String, String> context) {
            return owner.startServer(endpoint, context);
        }

        @Override
        public void stopServer(RpcServer server) {
            owner.stopServer(server);
        }

        @Override
        public ScheduledExecutor getScheduledExecutor() {
            return owner.getScheduledExecutor();
        }

        @Override
        public CompletableFuture<Void> closeAsync() {
            return CompletableFuture.completedFuture(null);
        }
    }
}
