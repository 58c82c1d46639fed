package io.baton.bench.tool;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * chart.png: above, each system's throughput (the median round) as a bar; below, its latency
 * percentiles, p50 to max, grouped by percentile on a logarithmic axis in microseconds. Drawn
 * headless (no display needed) with JFreeChart.
 */
public final class ChartReport {
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 460;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b)};

    private ChartReport() {}

    public static void write(Bench.Outcome o, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, 2 * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            throughput(o).draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
            latency(o).draw(g, new Rectangle2D.Double(0, HEIGHT, WIDTH, HEIGHT));
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer in this JDK");
    }

    private static JFreeChart throughput(Bench.Outcome o) {
        BenchSpec spec = o.spec();
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (SystemResult r : o.results()) {
            if (r.hasResults()) data.addValue(r.medianRate(), r.label(), "");
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "baton bench " + spec.workload().id() + ": " + spec.workload().rateUnit() + " (median of " + spec.runs() + ")",
                spec.describe(), spec.workload().rateUnit(), data, PlotOrientation.VERTICAL, true, false, false);
        BarRenderer renderer = style(chart, data.getRowCount());
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0")));
        renderer.setDefaultItemLabelsVisible(true);
        return chart;
    }

    private static JFreeChart latency(Bench.Outcome o) {
        BenchSpec spec = o.spec();
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        double smallest = Double.MAX_VALUE;
        for (SystemResult r : o.results()) {
            if (!r.hasResults()) continue;
            for (int i = 0; i < SystemResult.PERCENTILES.length; i++) {
                double micros = Math.max(0.1, r.percentile(SystemResult.PERCENTILES[i]) / 1e3);
                smallest = Math.min(smallest, micros);
                data.addValue(micros, r.label(), SystemResult.PERCENTILE_NAMES[i]);
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(
                "latency, " + spec.workload().latencyMeaning() + (spec.rate() > 0 ? " (from the intended send time)" : ""),
                "percentile (median of " + spec.runs() + ")", "microseconds (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
        LogAxis axis = new LogAxis("microseconds (log scale)");
        axis.setSmallestValue(0.1);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        ((CategoryPlot) chart.getPlot()).setRangeAxis(axis);
        BarRenderer renderer = style(chart, data.getRowCount());
        // bars grow up from a power of ten below the smallest value: a log axis has no zero
        renderer.setBase(smallest == Double.MAX_VALUE ? 1 : Math.pow(10, Math.floor(Math.log10(smallest))));
        return chart;
    }

    private static BarRenderer style(JFreeChart chart, int series) {
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = (CategoryPlot) chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < series; i++) renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
        return renderer;
    }
}
