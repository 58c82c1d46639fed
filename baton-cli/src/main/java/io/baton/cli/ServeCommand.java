package io.baton.cli;

import io.baton.server.BatonServer;
import io.baton.server.ServerConfig;
import io.baton.server.ServerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton serve}: runs a Baton server until it is told to stop (Ctrl-C, SIGTERM). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        header = "Runs a Baton server.",
        description = {"Queues, topics and RPC for other processes on baton://BIND:PORT. With --data the queues and",
            "topics are stored there and survive restarts; without it they live in memory.",
            "Stops gracefully on Ctrl-C or SIGTERM. Options win over the --config file."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port for clients (default 7400; 0 picks a free one).")
    Integer port;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port for /health, /metrics, /stats (default 7401; 0 picks a free one; -1 none).")
    Integer httpPort;

    @Option(names = "--data", paramLabel = "DIR", description = "Store queues and topics in DIR (Baton's log; default: in memory).")
    Path data;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (default 127.0.0.1).")
    String bind;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config: limits, TLS, users, tokens and permissions.")
    Path config;

    @Option(names = "--insecure", description = "Allow listening beyond loopback without users. Anyone who can reach the port can do anything.")
    boolean insecure;

    @Override
    public Integer call() throws InterruptedException {
        ServerOptions.Builder options = ServerOptions.builder();
        Integer configHttpPort = null;
        if (config != null) {
            ServerConfig file = ServerConfig.read(config);
            Path base = config.toAbsolutePath().getParent();
            file.applyTo(options, base);
            configHttpPort = file.httpPort();
        }
        if (port != null) options.port(port);
        if (bind != null) options.bind(bind);
        if (data != null) options.storage("file:" + data);
        if (insecure) options.insecure(true);
        int http = httpPort != null ? httpPort : configHttpPort != null ? configHttpPort : 7401;
        options.httpPort(http);
        BatonServer server = BatonServer.start(options.build());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "baton-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        var out = spec.commandLine().getOut();
        out.println("baton server on baton://" + server.options().bind() + ":" + server.port()
                + (server.httpPort() > 0 ? ", http://" + server.options().bind() + ":" + server.httpPort() + "/health" : "")
                + " (storage " + server.options().storageUrl() + "); Ctrl-C stops it");
        out.flush();
        stopped.await();
        return 0;
    }
}
