package io.baton.bench.tool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes results.md, results.csv and chart.png into the results folder (made if missing). */
public final class ResultFiles {
    private ResultFiles() {}

    /** @return the three files, in that order */
    public static List<Path> write(Bench.Outcome outcome, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve("results.md");
        Path csv = dir.resolve("results.csv");
        Path png = dir.resolve("chart.png");
        Files.writeString(md, MarkdownReport.document(outcome), StandardCharsets.UTF_8);
        Files.writeString(csv, CsvReport.write(outcome), StandardCharsets.UTF_8);
        ChartReport.write(outcome, png);
        return List.of(md, csv, png);
    }
}
