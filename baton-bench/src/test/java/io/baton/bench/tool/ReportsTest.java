package io.baton.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.baton.bench.SideBySide.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Medians, spreads and ratios over rounds, and the Markdown and CSV made of them. */
class ReportsTest {
    private static final BenchSpec SPEC = new BenchSpec(Workload.QUEUE, 128, 0, Duration.ofSeconds(10), Duration.ofSeconds(2),
            1, 1, 0, false, 3, 1000);

    /** A round whose every latency is {@code micros}. */
    private static Result round(double perSecond, long micros) {
        Histogram h = new Histogram(3);
        h.recordValueWithCount(micros * 1000, 100);
        return new Result(perSecond, h);
    }

    private static SystemResult system(String name, boolean baton, Result... rounds) {
        SystemResult r = new SystemResult(name, name + " label", name + " does this", baton);
        for (int i = 0; i < rounds.length; i++) r.rounds().put(i + 1, rounds[i]);
        return r;
    }

    private static final SystemResult BATON = system("baton", true, round(300, 10), round(100, 30), round(200, 20));
    private static final SystemResult PEER = system("jdk", false, round(100, 20), round(100, 20), round(400, 10));

    @Test
    void figures_areMediansOverRounds_withTheSpread() {
        assertThat(BATON.medianRate()).isEqualTo(200);
        assertThat(BATON.minRate()).isEqualTo(100);
        assertThat(BATON.maxRate()).isEqualTo(300);
        assertThat(BATON.percentile(50)).isBetween(19_900L, 20_100L);
        assertThat(BATON.minP50()).isBetween(9_990L, 10_010L);
        assertThat(BATON.maxP50()).isBetween(29_900L, 30_100L);
    }

    @Test
    void ratios_areBatonOverPeer_ofTheMedians_withTheRangeOfRoundByRoundRatios() {
        SystemResult.Ratio rate = SystemResult.rateRatio(BATON, PEER);
        assertThat(rate.median()).isEqualTo(2.0); // 200 / 100
        assertThat(rate.min()).isEqualTo(0.5);    // round 3: 200 / 400
        assertThat(rate.max()).isEqualTo(3.0);    // round 1: 300 / 100

        SystemResult.Ratio p50 = SystemResult.p50Ratio(BATON, PEER);
        assertThat(p50.median()).isCloseTo(1.0, within(0.01));
        assertThat(p50.min()).isCloseTo(0.5, within(0.01));
        assertThat(p50.max()).isCloseTo(2.0, within(0.01)); // round 3: 20 / 10
    }

    @Test
    void ratio_withoutCommonRounds_isTheMedianAlone() {
        SystemResult late = new SystemResult("x", "x", "x", false);
        late.rounds().put(7, round(50, 10));
        SystemResult.Ratio r = SystemResult.rateRatio(BATON, late);
        assertThat(r.min()).isEqualTo(r.max()).isEqualTo(4.0);
        assertThat(MarkdownReport.ratio(r)).isEqualTo("4.00x");
        assertThat(MarkdownReport.ratio(new SystemResult.Ratio(0.0042, 0.004, 0.0051))).isEqualTo("0.0042x (0.0040-0.0051)");
    }

    private static Bench.Outcome outcome(SystemResult... results) {
        Map<String, String> skipped = new LinkedHashMap<>();
        skipped.put("rabbitmq", "cannot connect to amqp://guest:***@127.0.0.1:5672: Connection refused");
        return new Bench.Outcome(SPEC, "baton bench queue --url mem: --compare jdk,rabbitmq", Instant.parse("2026-11-25T18:00:00Z"),
                List.of(results), skipped, List.of("a note"));
    }

    @Test
    void markdownTable_hasARowPerSystem_withRatiosOnPeerRows() {
        String table = MarkdownReport.table(outcome(BATON, PEER));

        assertThat(table.lines()).hasSize(4);
        assertThat(table.lines().findFirst().orElseThrow())
                .isEqualTo("| system | msgs/s consumed (median of 3) | spread (min-max) | p50 | p90 | p99 | p99.9 | max | Baton/peer msgs/s | Baton/peer p50 |");
        assertThat(table).contains("| baton label | 200 | 100-300 | 20.0 us |")
                .contains("| jdk label | 100 | 100-400 | 20.0 us |")
                .contains("| 2.00x (0.50-3.00) | 1.00x (0.50-2.00) |");
        assertThat(table.lines().toList().get(2)).endsWith("| - | - |");
    }

    @Test
    void markdownDocument_saysWhatRanWhatWasSkippedAndWhatFailed() {
        SystemResult failed = system("nats", false);
        failed.failures().add("round 1: no reply within 5 s");
        String doc = MarkdownReport.document(outcome(BATON, PEER, failed));

        assertThat(doc).startsWith("# baton bench queue\n")
                .contains("Command: `baton bench queue --url mem: --compare jdk,rabbitmq`")
                .contains("128 B, 1 producer, 1 consumer, as fast as possible, window 1000, 10s measured after 2s of warm-up, 3 rounds, not durable")
                .contains("- **jdk label**: jdk does this")
                .contains("- **rabbitmq**: skipped: cannot connect")
                .contains("| nats label | every run failed |")
                .contains("- nats label, round 1: no reply within 5 s")
                .contains("- a note");
    }

    @Test
    void csv_hasAHeaderAndARowPerSystemWithResults() {
        String csv = CsvReport.write(outcome(BATON, PEER, system("nats", false)));
        List<String> lines = csv.lines().toList();

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo(CsvReport.HEADER);
        int columns = CsvReport.HEADER.split(",").length;
        assertThat(lines.get(1)).startsWith("queue,baton,baton label,3,200.0,100.0,300.0,msgs/s consumed,20.0").contains(",,,,,,");
        assertThat(lines.get(2)).startsWith("queue,jdk,jdk label,3,100.0,100.0,400.0,").contains(",2.0000,0.5000,3.0000,");
        assertThat(lines.get(2).split(",", -1)).hasSize(columns);
        assertThat(lines.get(1).split(",", -1)).hasSize(columns);
    }

    @Test
    void csv_quotesFieldsWithCommasAndQuotes() {
        assertThat(CsvReport.quote("rabbitmq durable queue, confirms")).isEqualTo("\"rabbitmq durable queue, confirms\"");
        assertThat(CsvReport.quote("a \"b\"")).isEqualTo("\"a \"\"b\"\"\"");
        assertThat(CsvReport.quote("plain")).isEqualTo("plain");
    }
}
