package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code baton bench}, small, in this JVM: Baton on mem: against the jdk peer. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"queue", "pubsub", "rpc"})
    void bench_againstJdk_writesTheTableTheCsvAndTheChart(String workload) throws Exception {
        Path out = dir.resolve(workload);
        CliRun r = run("bench", workload, "--url", "mem:", "--count", workload.equals("rpc") ? "500" : "2000", "--warmup", "0",
                "--runs", "1", "--compare", "jdk", "--out", out.toString());

        assertThat(r.exit()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("| baton mem: |").contains("| jdk ArrayBlockingQueue |")
                .contains("wrote " + out.resolve("results.md")).contains("wrote " + out.resolve("chart.png"));
        assertThat(Files.readString(out.resolve("results.md"))).contains("# baton bench " + workload).contains("| jdk ArrayBlockingQueue |");

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertThat(csv).hasSize(3);
        assertThat(csv.get(1)).startsWith(workload + ",baton,");
        assertThat(csv.get(2)).startsWith(workload + ",jdk,");
        List<String> header = List.of(csv.get(0).split(","));
        for (String row : csv.subList(1, 3)) {
            String[] cells = row.split(",", -1);
            for (String column : List.of("rate_median", "rate_min", "p50_us", "p99_us", "max_us")) {
                assertThat(Double.parseDouble(cells[header.indexOf(column)])).as("%s in %s", column, row).isPositive();
            }
        }
        assertThat(Double.parseDouble(csv.get(2).split(",", -1)[header.indexOf("ratio_rate")])).isPositive();

        BufferedImage chart = ImageIO.read(out.resolve("chart.png").toFile());
        assertThat(chart).isNotNull();
        assertThat(chart.getWidth()).isGreaterThan(500);
        assertThat(chart.getHeight()).isGreaterThan(500);
    }

    @Test
    void bench_withAnUnreachablePeer_skipsItWithTheReason_andRunsTheRest() {
        CliRun r = run("bench", "queue", "--url", "mem:", "--count", "500", "--warmup", "0", "--runs", "1",
                "--compare", "rabbitmq,nats", "--amqp", "amqp://guest:guest@127.0.0.1:1", "--nats", "nats://127.0.0.1:1",
                "--out", dir.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("skipped rabbitmq: cannot connect to amqp://guest:***@127.0.0.1:1")
                .contains("skipped nats: cannot connect to nats://127.0.0.1:1")
                .contains("| baton mem: |");
    }

    @Test
    void bench_withAnUnreachableBaton_exitsOne() {
        CliRun r = run("bench", "queue", "--url", "nosuch:", "--count", "10", "--out", dir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("baton: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "stream|the workload must be queue, pubsub or rpc, not 'stream'",
        "queue --size 8|--size must be from 16",
        "queue --count 10 --duration 5s|give --count or --duration, not both",
        "queue --compare jdk,kafka|--compare takes jdk, nats and rabbitmq, not 'kafka'",
        "rpc --durable|--durable applies to queue and pubsub, not to rpc",
        "queue --durable|--durable: mem: keeps queues in memory only",
        "queue --duration soon|'soon' is not a duration",
        "pubsub --consumers 0|--consumers must be at least 1",
        "queue --rate fast|Invalid value for option '--rate'"})
    void bench_withAWrongOption_exitsTwoWithTheReason(String line) {
        String[] parts = line.split("\\|");
        String[] args = ("bench " + parts[0] + " --url mem: --out " + dir).split(" ");
        CliRun r = run(args);

        assertThat(r.exit()).as(r.out()).isEqualTo(2);
        assertThat(r.err()).contains(parts[1]);
        assertThat(dir).isEmptyDirectory();
    }
}
