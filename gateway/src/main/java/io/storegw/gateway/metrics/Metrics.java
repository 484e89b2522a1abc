package io.storegw.gateway.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The gateway's counters and gauges, written out in the Prometheus text format for {@code /metrics}.
 *
 * <p>Counters are {@link LongAdder}s, so hot paths (core loop, outbox, uplink) count without contention.
 * One instance per gateway; nothing here is static.
 */
public final class Metrics {

    private record Family(String help, String kind) {
    }

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();

    /** A counter; {@code labels} are alternating names and values, for example {@code "reason", "budget"}. */
    public LongAdder counter(String name, String help, String... labels) {
        families.putIfAbsent(name, new Family(help, "counter"));
        return counters.computeIfAbsent(series(name, labels), k -> new LongAdder());
    }

    /** A gauge read when {@code /metrics} is scraped. */
    public void gauge(String name, String help, DoubleSupplier value, String... labels) {
        families.putIfAbsent(name, new Family(help, "gauge"));
        gauges.put(series(name, labels), value);
    }

    /** The current value of a gauge series, NaN when there is none. */
    public double gauge(String name, String... labels) {
        DoubleSupplier value = gauges.get(series(name, labels));
        return value == null ? Double.NaN : value.getAsDouble();
    }

    /** The current value of a counter series, 0 when it was never touched. */
    public long count(String name, String... labels) {
        LongAdder adder = counters.get(series(name, labels));
        return adder == null ? 0 : adder.sum();
    }

    /** Everything, in the Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        Map<String, StringBuilder> byFamily = new TreeMap<>();
        counters.forEach((series, adder) -> line(byFamily, series, adder.sum()));
        gauges.forEach((series, value) -> line(byFamily, series, value.getAsDouble()));
        StringBuilder out = new StringBuilder();
        byFamily.forEach((name, lines) -> {
            Family family = families.get(name);
            out.append("# HELP ").append(name).append(' ').append(family.help()).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(family.kind()).append('\n');
            out.append(lines);
        });
        return out.toString();
    }

    private static void line(Map<String, StringBuilder> byFamily, String series, double value) {
        int brace = series.indexOf('{');
        String family = brace < 0 ? series : series.substring(0, brace);
        String number = value == Math.rint(value) && !Double.isInfinite(value)
                ? Long.toString((long) value) : Double.toString(value);
        byFamily.computeIfAbsent(family, k -> new StringBuilder()).append(series).append(' ').append(number).append('\n');
    }

    private static String series(String name, String... labels) {
        if (labels.length == 0) {
            return name;
        }
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs: " + String.join(",", labels));
        }
        StringBuilder s = new StringBuilder(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            s.append(i == 0 ? "" : ",").append(labels[i]).append("=\"")
                    .append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return s.append('}').toString();
    }
}
