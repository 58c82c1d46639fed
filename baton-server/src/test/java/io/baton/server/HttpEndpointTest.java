package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /health, /metrics and /stats on the HTTP port. */
class HttpEndpointTest {
    private BatonServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server = BatonServer.start(ServerOptions.builder().port(0).httpPort(0).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void health_isOk_whileTheServerServes() throws Exception {
        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
    }

    @Test
    void metrics_andStats_countWhatHappened() throws Exception {
        var queue = server.backend().queue("http.q", io.baton.QueueOptions.defaults());
        server.metrics().queueUsed("http.q");
        queue.send(io.baton.spi.Envelope.of("http.q", new byte[] {1}), 0).join();
        server.metrics().sentTo("http.q");
        server.metrics().callTook(1500);
        server.metrics().queueUsed("http.q.dlq");
        server.metrics().sentTo("http.q.dlq"); // a dead letter: what core's retry sends to NAME.dlq
        var consumers = server.metrics().consumersOf("http.q");
        consumers.incrementAndGet(); // a FETCH waiting

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(metrics.body())
                .contains("# TYPE baton_connections gauge")
                .contains("baton_messages_sent_total 2")
                .contains("baton_queue_waiting{queue=\"http.q\"} 1")
                .contains("baton_queue_sent_total{queue=\"http.q\"} 1")
                .contains("baton_rpc_calls_total 1")
                .contains("baton_dead_letters_total{queue=\"http.q.dlq\"} 1")
                .contains("baton_queue_consumers{queue=\"http.q\"} 1")
                .containsPattern("baton_rpc_call_seconds\\{quantile=\"0.5\"\\} 0\\.0015");

        HttpResponse<String> stats = get("/stats");
        assertThat(stats.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(stats.body()).contains("\"http.q\"").contains("\"waiting\" : 1").contains("\"messagesSent\" : 2");
    }

    @Test
    void anUnknownPage_is404_andAPost_is405() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }
}
