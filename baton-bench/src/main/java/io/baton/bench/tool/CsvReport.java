package io.baton.bench.tool;

import java.util.Locale;

/**
 * The results as CSV, one row per system that has results; latencies in microseconds, ratios
 * Baton/peer (empty on Baton's own row). Numbers in plain {@code 1234.5} form.
 */
public final class CsvReport {
    static final String HEADER = "workload,system,label,rounds,rate_median,rate_min,rate_max,rate_unit,"
            + "p50_us,p90_us,p99_us,p999_us,max_us,p50_min_us,p50_max_us,"
            + "ratio_rate,ratio_rate_min,ratio_rate_max,ratio_p50,ratio_p50_min,ratio_p50_max,"
            + "size_bytes,producers,consumers,rate_target,durable,window";

    private CsvReport() {}

    public static String write(Bench.Outcome o) {
        BenchSpec spec = o.spec();
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        SystemResult baton = o.baton();
        for (SystemResult r : o.results()) {
            if (!r.hasResults()) continue;
            b.append(spec.workload().id()).append(',').append(quote(r.name())).append(',').append(quote(r.label())).append(',')
                    .append(r.rounds().size()).append(',')
                    .append(number(r.medianRate())).append(',').append(number(r.minRate())).append(',').append(number(r.maxRate())).append(',')
                    .append(quote(spec.workload().rateUnit()));
            for (double p : SystemResult.PERCENTILES) b.append(',').append(micros(r.percentile(p)));
            b.append(',').append(micros(r.minP50())).append(',').append(micros(r.maxP50()));
            if (r.baton() || baton == null || !baton.hasResults()) {
                b.append(",,,,,,");
            } else {
                SystemResult.Ratio rate = SystemResult.rateRatio(baton, r);
                SystemResult.Ratio p50 = SystemResult.p50Ratio(baton, r);
                b.append(',').append(ratio(rate.median())).append(',').append(ratio(rate.min())).append(',').append(ratio(rate.max()))
                        .append(',').append(ratio(p50.median())).append(',').append(ratio(p50.min())).append(',').append(ratio(p50.max()));
            }
            b.append(',').append(spec.size()).append(',').append(spec.producers()).append(',').append(spec.consumers()).append(',')
                    .append(number(spec.rate())).append(',').append(spec.durable()).append(',').append(spec.window()).append('\n');
        }
        return b.toString();
    }

    private static String number(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    private static String ratio(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e3);
    }

    /** A field in double quotes where it holds a comma, a quote or a line break (RFC 4180). */
    static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) return field;
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
