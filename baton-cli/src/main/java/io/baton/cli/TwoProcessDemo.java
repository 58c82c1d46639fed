package io.baton.cli;

import io.baton.BatonException;
import io.baton.server.BatonServer;
import io.baton.server.ServerOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The default {@code baton demo}: a Baton server in this process, on durable storage in a
 * temporary directory, and the processor and the generator as two child JVMs talking through it.
 * Their output is relayed line by line, tagged with the process; whatever happens, the children
 * are stopped and the server and its data removed.
 */
final class TwoProcessDemo {
    private final DemoCommand demo;
    private final List<String> problems = new ArrayList<>();

    TwoProcessDemo(DemoCommand demo) {
        this.demo = demo;
    }

    int run() throws InterruptedException {
        long start = System.nanoTime();
        Path data;
        try {
            data = Files.createTempDirectory("baton-demo-");
        } catch (IOException e) {
            throw new BatonException("cannot create a directory for the demo's server: " + e.getMessage(), e);
        }
        List<Process> children = new ArrayList<>();
        Thread killer = new Thread(() -> children.forEach(Process::destroyForcibly), "baton-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(killer);
        BatonServer server = BatonServer.start(ServerOptions.builder().port(0).storage("file:" + data).build());
        try {
            String url = "baton://127.0.0.1:" + server.port();
            demo.line("baton demo: a server on " + url + " (storage " + data + "), two processes  ("
                    + demo.count + " readings, run " + demo.runOrNew() + ")");
            CountDownLatch ready = new CountDownLatch(1);
            Process processor = start("processor", url, ready, children);
            if (!ready.await(demo.timeoutSeconds + 20L, TimeUnit.SECONDS)) {
                problems.add("the processor did not get ready within " + (demo.timeoutSeconds + 20) + " s");
            } else {
                Process generator = start("generator", url, null, children);
                finish("generator", generator);
            }
            finish("processor", processor);
        } finally {
            children.forEach(Process::destroyForcibly);
            server.close();
            deleteTree(data);
            Runtime.getRuntime().removeShutdownHook(killer);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (problems.isEmpty()) {
            demo.line("ok in " + millis + " ms: two processes, one server, its data removed");
            return 0;
        }
        PrintWriter err = demo.spec.commandLine().getErr();
        err.println("demo FAILED after " + millis + " ms:");
        problems.forEach(p -> err.println("  - " + p));
        err.flush();
        return 1;
    }

    private Process start(String role, String url, CountDownLatch ready, List<Process> children) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"), BatonCli.class.getName(),
                "demo", "--role", role, "--url", url, "--run", demo.runOrNew(),
                "--count", Integer.toString(demo.count), "--timeout", Integer.toString(demo.timeoutSeconds));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new BatonException("cannot start the " + role + " process: " + e.getMessage(), e);
        }
        children.add(process);
        String tag = String.format("[%-9s %6d] ", role, process.pid());
        Thread.ofPlatform().daemon(true).name("baton-demo-" + role).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    demo.line(tag + line);
                    if (ready != null && line.equals(DemoCommand.READY)) ready.countDown();
                }
            } catch (IOException e) {
                demo.line(tag + "(output lost: " + e.getMessage() + ")");
            }
        });
        return process;
    }

    private void finish(String role, Process process) throws InterruptedException {
        long limit = 3L * demo.timeoutSeconds + 30;
        if (!process.waitFor(limit, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            problems.add("the " + role + " process did not finish within " + limit + " s; stopped it");
        } else if (process.exitValue() != 0) {
            problems.add("the " + role + " process failed (exit " + process.exitValue() + "); its lines above say why");
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new BatonException("could not remove the demo's data in " + dir + ": " + e.getMessage(), e);
        }
    }
}
